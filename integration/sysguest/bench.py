#!/usr/bin/env python3
"""bench.py (inside the systemd guest): `run` of `true` and create + start + delete with
--systemd-cgroup, runc-cpp vs crun vs runc, interleaved round by round on one bundle.
Prints a markdown table of medians (ms). Env: RUNTIME (runc-cpp), ROUNDS (default 30),
BUNDLE (a busybox bundle to copy)."""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

rounds = int(os.environ.get("ROUNDS", "30"))
runtimes = [("runc-cpp", os.environ["RUNTIME"]), ("crun", shutil.which("crun")), ("runc", shutil.which("runc"))]
runtimes = [(n, p) for n, p in runtimes if p]
work = tempfile.mkdtemp(prefix="rcpp-sdbench.")
bundle = os.path.join(work, "bundle")
shutil.copytree(os.environ["BUNDLE"], bundle, symlinks=True)
cfg_path = os.path.join(bundle, "config.json")
cfg = json.load(open(cfg_path))
cfg["process"]["args"] = ["true"]
cfg["process"]["terminal"] = False
json.dump(cfg, open(cfg_path, "w"))

def set_path(name):
    cfg["linux"]["cgroupsPath"] = "system.slice:rcppbench:" + name
    json.dump(cfg, open(cfg_path, "w"))

def call(args):
    subprocess.run(args, cwd=bundle, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

res = {n: {"run": [], "csd": []} for n, _ in runtimes}
for i in range(rounds):
    for name, path in runtimes:
        root = os.path.join(work, "root-" + name)
        base = [path, "--root", root, "--systemd-cgroup"]
        cid = f"b{name[:2]}{i}"
        set_path(cid)
        t = time.perf_counter(); call(base + ["run", cid]); res[name]["run"].append(time.perf_counter() - t)
        cid += "c"
        set_path(cid)
        t = time.perf_counter()
        call(base + ["create", cid]); call(base + ["start", cid]); call(base + ["delete", "--force", cid])
        res[name]["csd"].append(time.perf_counter() - t)

def med(v): return statistics.median(v) * 1000
names = [n for n, _ in runtimes]
print("| with `--systemd-cgroup`, in the systemd guest | " + " | ".join(names) + " |")
print("| --- |" + " ---: |" * len(names))
print("| `run` of `true`, ms | " + " | ".join(f"{med(res[n]['run']):.1f}" for n in names) + " |")
print("| `create` + `start` + `delete`, ms | " + " | ".join(f"{med(res[n]['csd']):.1f}" for n in names) + " |")
print(f"# rounds {rounds}; load {open('/proc/loadavg').read().split()[0]}; " +
      "; ".join(subprocess.run([p, "--version"], capture_output=True, text=True).stdout.splitlines()[0] for _, p in runtimes))
shutil.rmtree(work, ignore_errors=True)
