#!/usr/bin/env python3
"""Splits `strace -f -ttt -T` traces of `runc-cpp run` into phases of the critical path.

A phase ends at a marker: the first system call, after the previous marker, that matches a
pattern in a given process (P = the runtime, C = the container init). A marker that is not
found merges its phase into the next one. Traced time is inflated by strace (every system
call stops twice), so the report shows shares of the traced total, not absolute costs.
"""
import argparse
import json
import re
import statistics

LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")

# (phase that ends at the marker, process, pattern)
MARKERS = [
    ("startup: exec, argument parsing (a static binary: no dynamic linking)", "P", r"^execveat\("),
    ("self re-exec from a read-only copy (exe protection), second start-up", "P",
     r'^openat\(.*config\.json", O_RDONLY'),
    ("read + parse + validate config, compile seccomp", "P", r"^mkdir\("),
    ("state dir, config copy, exec.fifo", "P", r'^statfs\("/sys/fs/cgroup"'),
    ("cgroups: detect, mkdir, write limits; resolve rootfs", "P", r"^clone3\("),
    ("clone3: new namespaces, copy of the runtime", "C", r"."),
    ("parent: sync channel, Go message to the init", "P", r"^sendmsg\("),
    ("init: join cgroups (\"0\" to v1 tasks), mounts: rootfs, /proc, /dev, /sys, device nodes", "C", r"^pivot_root\("),
    ("pivot_root, detach old root, masked/read-only paths", "C", r"^(sethostname|prlimit64)\("),
    ("hostname, rlimits, HOME, exe lookup, capabilities, user", "C", r"^sendmsg\("),
    ("write state.json", "P", r'^renameat2?\(.*"state\.json"'),
    ("start: reload state, open exec.fifo", "P", r"^poll\("),
    ("start handshake (init wakes up from exec.fifo)", "C", r"^(seccomp|prctl\(PR_SET_NO_NEW_PRIVS)"),
    ("no_new_privs + seccomp filter load", "C", r"^execve\("),
    ("execve + /bin/true runs and exits", "C", r"^\+\+\+ exited"),
    ("wait, delete: cgroup rmdir, state dir removal, exit", "P", r"^\+\+\+ exited"),
]


def parse(path):
    events = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            pid, ts, rest = int(m.group(1)), float(m.group(2)), m.group(3)
            if rest.startswith("<..."):
                continue  # the resumed half of a call: its start was already seen
            events.append((pid, ts, rest))
    return events


def phases(path):
    ev = parse(path)
    if not ev:
        return None
    parent = ev[0][0]
    child = next((p for p, _, _ in ev if p != parent), None)
    roles = {"P": parent, "C": child}
    t_prev = ev[0][1]
    i = 0
    out = []
    carry = []
    last = {}
    for label, who, pat in MARKERS:
        rx = re.compile(pat)
        j = next((k for k in range(i, len(ev)) if ev[k][0] == roles[who] and rx.search(ev[k][2])), None)
        if j is None and last.get(who, 0) < i:
            # The two processes run concurrently: this one may have reached its marker before
            # the other process's previous marker was logged. Its phase is then empty.
            j = next((k for k in range(last.get(who, 0), i) if ev[k][0] == roles[who] and rx.search(ev[k][2])), None)
            if j is not None:
                out.append((" + ".join(carry + [label]), 0.0, 0))
                carry = []
                last[who] = j
                continue
        if j is None:
            carry.append(label)
            continue
        name = " + ".join(carry + [label])
        carry = []
        out.append((name, (ev[j][1] - t_prev) * 1000, j - i))
        t_prev = ev[j][1]
        i = j
        last[who] = j
    total = (ev[-1][1] - ev[0][1]) * 1000
    return out, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary")
    ap.add_argument("traces", nargs="+")
    a = ap.parse_args()
    per = {}
    calls = {}
    order = []
    totals = []
    for t in a.traces:
        r = phases(t)
        if not r:
            continue
        ph, total = r
        totals.append(total)
        for name, ms, n in ph:
            if name not in per:
                per[name] = []
                calls[name] = []
                order.append(name)
            per[name].append(ms)
            calls[name].append(n)
    res = {
        "traces": len(totals),
        "total_ms": statistics.median(totals) if totals else None,
        "phases": [{"phase": n, "ms": statistics.median(per[n]), "calls": statistics.median(calls[n])}
                   for n in order],
    }
    if a.summary:
        top = []
        with open(a.summary) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 5 and re.match(r"^\d+\.\d+$", parts[0]) and parts[-1] != "total":
                    top.append({"syscall": parts[-1], "pct": float(parts[0]), "calls": int(parts[3])})
        res["strace_c"] = top[:12]
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
