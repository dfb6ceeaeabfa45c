# The counters of /proc/net/snmp and /proc/net/snmp6, for the tests of this
# folder that print which of them moved (frag.py, udplite.py).
# Imported by those scripts from their own folder; run with python3 -B so
# that no __pycache__ is left here.


def counters():
    """Every counter, named as ip -s shows it: group and name (IpReasmOKs), or snmp6's own name."""
    c = {}
    with open("/proc/net/snmp") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        group = names.split(":")[0]
        for n, v in zip(names.split()[1:], values.split()[1:]):
            c[group + n] = int(v)
    with open("/proc/net/snmp6") as f:
        for line in f:
            n, v = line.split()
            c[n] = int(v)
    return c
