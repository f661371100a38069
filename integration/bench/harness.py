#!/usr/bin/env python3
"""Side-by-side measurements of OCI runtimes on one bundle (see docs/bench.md).

Called by integration/bench/run.sh inside a private mount namespace; it is not meant to be
run by hand. Every runtime gets its own --root under the scratch dir, every container id
starts with the run's prefix, and everything made is deleted again (also on failure, by
run.sh's trap as a second line of defence).

Timing: each command is started with posix_spawn and reaped with wait4, timed with a
monotonic clock around both. Peak RSS comes from separate rounds under GNU time (see
bench_rss).
Runtimes take turns in every round so that background noise hits all of them alike. The
kernel floor of `run` (floor_argv) takes its turn in the same rounds.
"""
import argparse
import json
import os
import statistics
import sys
import time

DEVNULL = "/dev/null"


class Failed(Exception):
    pass


class Runner:
    def __init__(self, scratch, log):
        self.scratch = scratch
        self.log = open(log, "ab", buffering=0)

    def spawn(self, argv, check=True):
        """Runs argv; returns (milliseconds, exit status, ru_maxrss).

        ru_maxrss is not the runtime's own peak: see bench_rss."""
        self.log.write(("$ " + " ".join(argv) + "\n").encode())
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, DEVNULL, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, DEVNULL, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, self.log.fileno(), 2),
        ]
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        ms = (time.perf_counter_ns() - t0) / 1e6
        code = os.waitstatus_to_exitcode(status)
        if check and code != 0:
            raise Failed(f"{' '.join(argv)}: exit {code} (see {self.log.name})")
        return ms, code, ru.ru_maxrss


class Runtime:
    def __init__(self, name, path, scratch):
        self.name = name
        self.path = path
        self.root = os.path.join(scratch, "state", name)
        os.makedirs(self.root, exist_ok=True)

    def cmd(self, *args):
        return [self.path, "--root", self.root, *args]


def median(xs):
    return statistics.median(xs) if xs else None


def mem_kib():
    """Kernel-side and total used memory from /proc/meminfo, in KiB."""
    m = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            m[k] = int(v.split()[0])
    # Unreclaimable slab only: the dentry/inode caches (reclaimable) follow whatever else
    # the machine is doing.
    kernel = m["SUnreclaim"] + m["KernelStack"] + m["PageTables"] + m.get("Percpu", 0)
    return {"used": m["MemTotal"] - m["MemAvailable"], "kernel": kernel}


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def has_exec(r, rt):
    _, code, _ = r.spawn([rt.path, "exec", "--help"], check=False)
    return code == 0


# unshare(1)'s option for each OCI namespace type.
UNSHARE_FLAG = {
    "pid": "--pid", "network": "--net", "ipc": "--ipc", "uts": "--uts", "mount": "--mount",
    "cgroup": "--cgroup", "user": "--user", "time": "--time",
}


def floor_argv(unshare, bundle):
    """The kernel floor of `run` for this bundle: util-linux unshare makes the bundle's new
    namespaces, forks, and the child execs the bundle's own process (its static busybox with
    the config's args) on the host's root; unshare waits for it. No mounts (propagation left
    as it is), cgroups, seccomp, capabilities or pivot_root: what no runtime can avoid."""
    with open(os.path.join(bundle, "config.json")) as f:
        cfg = json.load(f)
    flags = []
    for ns in cfg.get("linux", {}).get("namespaces", []):
        if ns.get("path"):
            raise Failed(f"floor: the bundle joins the {ns['type']} namespace {ns['path']}; "
                         "the floor only makes new namespaces")
        if ns["type"] not in UNSHARE_FLAG:
            raise Failed(f"floor: unknown namespace type {ns['type']!r} in {bundle}/config.json")
        flags.append(UNSHARE_FLAG[ns["type"]])
    root = cfg["root"]["path"]
    if not os.path.isabs(root):
        root = os.path.join(bundle, root)
    prog = os.path.join(root, "bin", "busybox")
    if not os.access(prog, os.X_OK):
        raise Failed(f"floor: {prog} is not there (the bench bundle is make-bundle.sh's busybox)")
    return [unshare, "--fork", *flags, "--propagation", "unchanged", prog, *cfg["process"]["args"]]


def bench_run(r, rts, bundle, runs, warmup, prefix, floor=None):
    """`run` of each runtime and, when floor (an argv) is given, the floor in the same turns."""
    out = {rt.name: {"ms": []} for rt in rts}
    fl = {"argv": floor, "ms": []}
    for i in range(warmup + runs):
        for rt in rts:
            ms, _, _ = r.spawn(rt.cmd("run", "--bundle", bundle, f"{prefix}-run"))
            if i >= warmup:
                out[rt.name]["ms"].append(ms)
        if floor:
            ms, _, _ = r.spawn(floor)
            if i >= warmup:
                fl["ms"].append(ms)
    return out, (fl if floor else None)


def bench_rss(r, rts, bundle, runs, prefix, time_bin="/usr/bin/time"):
    """Peak RSS of the runtime process during `run`, from GNU time (%M, KiB).

    Not from our own wait4(): posix_spawn starts the child as a vfork of this Python
    process, and the kernel counts the parent's resident pages into the child's high-water
    mark until exec. GNU time is a small C program, its own footprint (about 2 MiB) is
    below every runtime's."""
    out = {rt.name: [] for rt in rts}
    f = os.path.join(r.scratch, "rss.txt")
    for _ in range(runs):
        for rt in rts:
            r.spawn([time_bin, "-f", "%M", "-o", f, *rt.cmd("run", "--bundle", bundle, f"{prefix}-rss")])
            with open(f) as fh:
                out[rt.name].append(int(fh.read().split()[-1]))
    return out


def bench_lifecycle(r, rts, bundle, runs, warmup, prefix):
    out = {rt.name: {"create": [], "start": [], "delete": [], "total": []} for rt in rts}
    for i in range(warmup + runs):
        for rt in rts:
            cid = f"{prefix}-csd"
            c, _, _ = r.spawn(rt.cmd("create", "--bundle", bundle, cid))
            s, _, _ = r.spawn(rt.cmd("start", cid))
            d, _, _ = r.spawn(rt.cmd("delete", "--force", cid))
            if i >= warmup:
                o = out[rt.name]
                o["create"].append(c)
                o["start"].append(s)
                o["delete"].append(d)
                o["total"].append(c + s + d)
    return out


def init_pid(root, cid):
    """The init's pid of a container, from the state file runc-cpp keeps under --root."""
    with open(os.path.join(root, cid, "state.json")) as f:
        return int(json.load(f)["pid"])


def bench_exec(r, rts, bundle, runs, warmup, prefix, floor_nsenter=None):
    """`exec` of `true` with each runtime into its own running container and, with
    floor_nsenter (util-linux nsenter), the floor of exec in the same rounds: nsenter joins
    every namespace of runc-cpp's container's init, forks into its pid namespace and execs
    the container's /bin/true there."""
    out = {}
    live = []
    floor = None
    try:
        for rt in rts:
            if not has_exec(r, rt):
                out[rt.name] = {"missing": True}
                continue
            cid = f"{prefix}-exec"
            r.spawn(rt.cmd("run", "--detach", "--bundle", bundle, cid))
            live.append((rt, cid))
            out[rt.name] = {"ms": []}
        if floor_nsenter:
            ours = [(rt, cid) for rt, cid in live if rt.name == "runc-cpp"]
            if not ours:
                raise Failed("exec floor: runc-cpp's container is not running")
            rt, cid = ours[0]
            pid = init_pid(rt.root, cid)
            floor = {"argv": [floor_nsenter, "--target", str(pid), "--all", "/bin/true"], "ms": []}
        for i in range(warmup + runs):
            for rt, cid in live:
                ms, _, _ = r.spawn(rt.cmd("exec", cid, "true"))
                if i >= warmup:
                    out[rt.name]["ms"].append(ms)
            if floor:
                ms, _, _ = r.spawn(floor["argv"])
                if i >= warmup:
                    floor["ms"].append(ms)
    finally:
        for rt, cid in live:
            r.spawn(rt.cmd("delete", "--force", cid), check=False)
    if floor:
        floor["argv"][2] = "<init pid>"
    return out, floor


def settle(limit=60.0):
    """Waits until kernel memory stops shrinking: namespace and cgroup teardown goes on in
    the kernel (RCU, workqueues) after delete returns."""
    t0 = time.perf_counter()
    last = mem_kib()["kernel"]
    while time.perf_counter() - t0 < limit:
        time.sleep(2.0)
        now = mem_kib()["kernel"]
        if abs(now - last) < 1024:
            return
        last = now


def bench_many(r, rt, bundle, n, prefix):
    """n detached `sleep` containers alive at once with one runtime, then deleted."""
    ids = [f"{prefix}-n{n}-{i}" for i in range(n)]
    pidfiles = [os.path.join(r.scratch, f"pid-{rt.name}-{i}") for i in range(n)]
    settle()
    before = mem_kib()
    made = []
    t0 = time.perf_counter()
    try:
        for cid, pf in zip(ids, pidfiles):
            r.spawn(rt.cmd("run", "--detach", "--pid-file", pf, "--bundle", bundle, cid))
            made.append(cid)
        t_create = time.perf_counter() - t0
        time.sleep(1.0)
        after = mem_kib()
        pss = 0
        for pf in pidfiles:
            with open(pf) as f:
                pss += pss_kib(int(f.read().strip()))
    finally:
        t1 = time.perf_counter()
        failed = 0
        for cid in made:
            _, code, _ = r.spawn(rt.cmd("delete", "--force", cid), check=False)
            failed += code != 0
        t_delete = time.perf_counter() - t1
        for pf in pidfiles:
            if os.path.exists(pf):
                os.unlink(pf)
    if failed:
        raise Failed(f"{rt.name}: {failed} deletes failed")
    return {
        "n": n,
        "create_s": t_create,
        "delete_s": t_delete,
        "used_kib_per_ctr": (after["used"] - before["used"]) / n,
        "kernel_kib_per_ctr": (after["kernel"] - before["kernel"]) / n,
        "init_pss_kib": pss / n,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scratch", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--bundle-true", required=True)
    ap.add_argument("--bundle-sleep", required=True)
    ap.add_argument("--runtime", action="append", required=True, help="name=path")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--lifecycle-runs", type=int, default=50)
    ap.add_argument("--exec-runs", type=int, default=50)
    ap.add_argument("--rss-runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--many", type=int, action="append", default=[])
    ap.add_argument("--floor-unshare", help="util-linux unshare: measure the kernel floor of run")
    ap.add_argument("--floor-nsenter", help="util-linux nsenter: measure the floor of exec")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    r = Runner(a.scratch, os.path.join(a.scratch, "harness.log"))
    rts = [Runtime(*spec.split("=", 1), a.scratch) for spec in a.runtime]
    res = {"runtimes": [rt.name for rt in rts]}

    def step(name, fn):
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        res[name] = fn()
        print(f"bench: {name} done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)

    floor = floor_argv(a.floor_unshare, a.bundle_true) if a.floor_unshare else None

    def run_and_floor():
        out, fl = bench_run(r, rts, a.bundle_true, a.runs, a.warmup, a.prefix, floor)
        if fl:
            res["floor"] = fl
        return out

    step("run", run_and_floor)
    step("rss", lambda: bench_rss(r, rts, a.bundle_true, a.rss_runs, a.prefix))
    step("lifecycle", lambda: bench_lifecycle(r, rts, a.bundle_true, a.lifecycle_runs, a.warmup, a.prefix))
    def exec_and_floor():
        out, fl = bench_exec(r, rts, a.bundle_sleep, a.exec_runs, a.warmup, a.prefix, a.floor_nsenter)
        if fl:
            res["exec_floor"] = fl
        return out

    step("exec", exec_and_floor)
    many = {}
    for n in a.many:
        for rt in rts:
            print(f"bench: {n} containers with {rt.name} ...", file=sys.stderr, flush=True)
            many.setdefault(str(n), {})[rt.name] = bench_many(r, rt, a.bundle_sleep, n, a.prefix)
    res["many"] = many
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        print(f"bench: {e}", file=sys.stderr)
        sys.exit(1)
