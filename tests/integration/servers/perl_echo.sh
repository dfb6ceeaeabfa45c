#!/bin/bash
# A Perl IO::Socket::INET echo server (one child per connection) and
# clients over 127.0.0.1 and ::1 (IO::Socket::IP).
set -u
/usr/bin/perl -e '
use strict; use warnings; use IO::Socket::INET; use IO::Socket::IP;
$SIG{CHLD} = "IGNORE";
my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5, ReuseAddr => 1) or die "listen: $!";
my $l6 = IO::Socket::IP->new(LocalHost => "::1", LocalService => $l->sockport, Listen => 5, ReuseAddr => 1) or die "listen6: $!";
my @kids;
for my $srv ($l, $l6) {
	my $pid = fork;
	if ($pid) { push @kids, $pid; next; }
	while (my $c = $srv->accept) {
		if (!fork) { while (my $line = <$c>) { print $c uc $line; } exit 0; }
		close $c;
	}
	exit 0;
}
for my $host ("127.0.0.1", "::1") {
	for my $n (1, 2) {
		my $c = IO::Socket::IP->new(PeerHost => $host, PeerPort => $l->sockport) or die "connect $host: $!";
		print "$host #$n: connected from ", ($c->sockhost eq $host ? "the same family" : $c->sockhost), "\n";
		for my $w ("hello", "perl " x 2000) { print $c "$w\n"; my $r = <$c>; chomp $r; print "  ", length($r), " bytes: ", ($r eq uc $w ? "echoed" : "WRONG"), "\n"; }
		shutdown $c, 1;
		print "  then EOF: ", (defined(<$c>) ? "no" : "yes"), "\n";
	}
}
kill "TERM", @kids;
waitpid($_, 0) for @kids;
print "servers stopped\n";
'
