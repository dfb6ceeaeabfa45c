#!/usr/bin/env bash
# `cvisor do -t` driven through tmux as a person would: line editing, ^C to
# the foreground job, ^Z and fg, background jobs touching the terminal, and
# vi drawing its screen and saving.
# Prints PASS/FAIL lines for tests/run.sh.  Usage: tests/tty/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
S=cvisor-tty-$$

if ! command -v tmux >/dev/null; then
	echo "SKIP tty: tmux is not installed"
	exit 0
fi
pane() { tmux capture-pane -t "$S" -p; }
keys() { tmux send-keys -t "$S" "$@"; sleep 0.6; }
check() { # name pattern
	if pane | grep -q -- "$2"; then echo "PASS tty/$1"; else echo "FAIL tty/$1: no '$2' on the screen:"; pane | grep -v '^$' | tail -8 | sed 's/^/    /'; fi
}

tmux new-session -d -s "$S" -x 100 -y 30 "$CVISOR do -t -- bash --norc --noprofile"
sleep 1.5
keys 'echo hello-$((6*7))' Enter
check "command output" "^hello-42"
# The sandbox's terminal starts with the caller's size (a new pty is 0x0).
keys 'echo size $(stty size)' Enter
check "the caller's terminal size" "^size 30 100"
keys 'echo typo-xx' BSpace BSpace 'ok' Enter
check "line editing (erase)" "^typo-ok"
keys 'sleep 100' Enter
keys C-c
keys 'echo after-interrupt $?' Enter
check "^C interrupts the foreground job" "^after-interrupt 130"
keys 'sleep 1.5' Enter
keys C-z
check "^Z stops the foreground job" "Stopped.*sleep 1.5"
keys 'fg' Enter
sleep 1.5
keys 'echo back $?' Enter
check "fg resumes it to its end" "^back 0"
# A background job that reads the terminal is stopped by SIGTTIN; one that
# writes under stty tostop, by SIGTTOU; fg brings the reader back.
keys 'cat &' Enter
sleep 0.5
keys 'jobs' Enter
check "SIGTTIN stops a background reader" "Stopped.*cat"
keys 'fg' Enter
keys 'from-fg' Enter
check "fg gives it the terminal" "^from-fg"
keys C-d
keys 'stty tostop; (echo bg-write) & sleep 0.5; jobs; stty -tostop' Enter
sleep 0.5
check "SIGTTOU stops a background writer under tostop" "Stopped.*echo bg-write"
keys 'kill %1' Enter
# A resize of the outer terminal reaches the sandbox: SIGWINCH and the new size.
keys "trap 'echo winch \$(stty size)' WINCH" Enter
tmux resize-window -t "$S" -x 90 -y 25 2>/dev/null || tmux resize-pane -t "$S" -x 90 -y 25
sleep 1
keys '' Enter
check "SIGWINCH and the new size reach the sandbox" "winch 25 90"
keys 'trap - WINCH' Enter
keys 'vi /tmp/vi-test.txt' Enter
sleep 1
check "vi draws its screen" "^~"
# Each key group apart: ESC followed at once by ':' reads as one escape sequence.
keys 'ihello from vi'
keys Escape
keys ':wq' Enter
# vi restores the terminal with TCSAFLUSH on its way out: what is typed before it is gone is dropped.
sleep 2
keys 'cat /tmp/vi-test.txt' Enter
check "vi saves" "^hello from vi"
keys 'exit 5' Enter
sleep 1
if tmux has-session -t "$S" 2>/dev/null; then
	echo "FAIL tty/exit: the session is still there"
	tmux kill-session -t "$S"
else
	echo "PASS tty/exit"
fi

# The host shell's job control over cvisor itself (no -t): a background
# cvisor whose sandbox reads the terminal is stopped as a job (the sentry,
# pid 1 of its namespace, is stopped by cvisor), and fg gives it the terminal.
S=cvisor-tty-host-$$
tmux new-session -d -s "$S" -x 100 -y 30 "bash --norc --noprofile"
sleep 0.5
keys "$CVISOR do -- /bin/cat &" Enter
sleep 1
keys 'jobs' Enter
check "a background cvisor reading the terminal is stopped" "Stopped.*do -- /bin/cat"
keys 'fg' Enter
keys 'from-host-fg' Enter
keys C-d
keys 'echo cat-ended $?' Enter
check "fg gives a stopped cvisor the terminal" "^cat-ended 0"
# ^Z to a foreground cvisor (no -t) stops it and its sandbox as one job,
# and fg continues both: the shell never waits on a sandbox stopped alone.
keys "$CVISOR do -- sh -c 'sleep 1.5; echo slept-through'" Enter
keys C-z
keys 'jobs' Enter
check "^Z stops a foreground cvisor as a job" "Stopped.*do -- sh -c"
keys 'fg' Enter
sleep 2
keys 'echo fg-status $?' Enter
check "fg continues it to its end" "^fg-status 0"
check "the sandbox ran on after fg" "^slept-through"
tmux kill-session -t "$S"
