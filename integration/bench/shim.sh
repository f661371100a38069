#!/usr/bin/env bash
# Shim benchmark: containerd-shim-runccpp-v2 (libcontainer in-process) against the stock
# containerd-shim-runc-v2 + runc, both driven by ctr under one private containerd.
#
#   bash integration/bench/shim.sh [SHIM]     SHIM default: build/shim/containerd-shim-runccpp-v2
#
# For each runtime:
#   - memory: CONTAINERS (default 5) containers running `sleep`, one shim each; per shim
#     VmRSS and RssAnon from /proc/PID/status, Pss and Anonymous from /proc/PID/smaps_rollup;
#   - exec: RUNS (default 20) times `ctr tasks exec --exec-id eN C true` (exec + start + wait +
#     delete of the exec, through ctr);
#   - kill: RUNS times a foreground `ctr run --rm C sleep 1000`; time from
#     `ctr tasks kill -s SIGKILL` until that ctr run returned (exit seen, task deleted);
#   - run: the same ctr run --rm of `true`, start to end;
#   - pod: 3 containers with one io.kubernetes.cri.sandbox-id annotation (a pod: one shim
#     for the three with either shim); VmRSS summed over the distinct shim processes;
#   - teardown: TEARDOWN (default 20) running containers, then `ctr tasks delete -f` of all
#     of them at once; time until every ctr returned (POD_RUNS, default 3, rounds).
# Prints median and p90 per measure (milliseconds) as a markdown table. With OUT=FILE the
# table replaces what is between "<!-- shim-bench:begin -->" and "<!-- shim-bench:end -->"
# in FILE (docs/shim-bench.md), with the date, host load and versions. With JSON=FILE every
# sample, the settings, the loads, the versions and the number of failed operations go to
# FILE too (integration/bench/run.sh puts them into docs/bench.md).
# Exits 1 if an operation failed (its sample is still kept). Needs root, containerd, ctr and
# runc (apt: containerd, runc). Container ids start with shim-bench-; containerd's paths are
# all in a temp dir; everything is removed on exit.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
SHIM=$(readlink -f "${1:-$repo/build/shim/containerd-shim-runccpp-v2}")
CONTAINERS=${CONTAINERS:-5}
RUNS=${RUNS:-20}
TEARDOWN=${TEARDOWN:-20}
POD_RUNS=${POD_RUNS:-3}
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 2; }
[[ -x $SHIM ]] || { echo "shim $SHIM is not built" >&2; exit 2; }
for b in containerd ctr runc containerd-shim-runc-v2 python3; do
    command -v "$b" >/dev/null || { echo "missing $b (apt-get install containerd runc)" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/rcpp-shimbench.XXXXXX)
NS=shimbench$$
SOCK=$TMP/containerd.sock
IMAGE=localhost/busybox:latest
CTRD_PID=
mkdir -p "$TMP/bin"
ln -s "$SHIM" "$TMP/bin/containerd-shim-runccpp-v2"

ctr_() { timeout 60 ctr --address "$SOCK" --namespace "$NS" "$@"; }
wait_until() { # SECONDS CMD...
    local end=$((SECONDS + $1)); shift
    until "$@"; do ((SECONDS >= end)) && return 1; sleep 0.05; done
}
status_of() { ctr_ tasks ls 2>/dev/null | awk -v id="$1" '$1==id {print $3}'; }
ms_since() { # START (an $EPOCHREALTIME) -> elapsed milliseconds
    python3 -c "import sys; print('%.1f' % ((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$EPOCHREALTIME"
}

teardown() {
    set +e
    if [[ -n $CTRD_PID ]] && kill -0 "$CTRD_PID" 2>/dev/null; then
        for c in $(ctr_ containers ls -q 2>/dev/null); do
            ctr_ tasks kill -a -s SIGKILL "$c" >/dev/null 2>&1
            wait_until 5 sh -c "[ \"\$(ctr --address $SOCK -n $NS tasks ls | awk -v id=$c '\$1==id {print \$3}')\" != RUNNING ]"
            ctr_ tasks delete -f "$c" >/dev/null 2>&1
            ctr_ containers delete "$c" >/dev/null 2>&1
        done
        ctr_ images rm "$IMAGE" >/dev/null 2>&1
        kill "$CTRD_PID"
        wait_until 10 sh -c "! kill -0 $CTRD_PID 2>/dev/null" || kill -9 "$CTRD_PID"
    fi
    for p in "$TMP"/state/io.containerd.runtime.v2.task/"$NS"/*/shim.pid; do
        [[ -f $p ]] && kill -9 "$(cat "$p")" 2>/dev/null
    done
    grep -o " $TMP/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
    for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/unified/"$NS"; do
        [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    for d in /run/containerd/runc-cpp/"$NS" /run/containerd/runc/"$NS"; do [[ -d $d ]] && rmdir "$d"; done
    rm -rf "$TMP"
}
trap teardown EXIT
trap 'exit 130' INT TERM

python3 "$repo/integration/shim/make-image.py" "$TMP/busybox.tar" "$IMAGE" || { echo "image build failed" >&2; exit 2; }
cat >"$TMP/config.toml" <<EOC
version = 2
root = "$TMP/root"
state = "$TMP/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[metrics]
  address = ""
EOC
PATH="$TMP/bin:$PATH" containerd --config "$TMP/config.toml" >"$TMP/containerd.log" 2>&1 &
CTRD_PID=$!
wait_until 20 ctr_ version >/dev/null 2>&1 || { echo "containerd did not come up" >&2; tail -n 20 "$TMP/containerd.log" >&2; exit 2; }
ctr_ images import "$TMP/busybox.tar" >/dev/null || { echo "image import failed" >&2; exit 2; }

FIFO=(--fifo-dir "$TMP/fifo")
declare -A RES RAW
FAILS=0
fail() { echo "$*" >&2; FAILS=$((FAILS + 1)); }
keep() { # KEY VALUES...: "median p90" into RES, the samples into RAW
    local k=$1
    shift
    RES[$k]=$(stats x "$@")
    RAW[$k]="$*"
}

# stats NAME VALUES... -> "median p90" (milliseconds)
stats() {
    python3 - "$@" <<'PY'
import statistics, sys
v = sorted(float(x) for x in sys.argv[2:])
if not v:
    print("n/a n/a"); sys.exit()
p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
print("%.1f %.1f" % (statistics.median(v), p90))
PY
}

bench() { # LABEL RUNTIME
    local label=$1 rt=$2 i c pid t0 vals
    echo "# $label ($rt)" >&2
    # memory: CONTAINERS idle containers, one shim each
    local rss=() anon=() pss=() anonsm=()
    for ((i = 0; i < CONTAINERS; i++)); do
        ctr_ run -d --runtime "$rt" "${FIFO[@]}" "$IMAGE" "shim-bench-$label-m$i" sleep 1000 >/dev/null ||
            { echo "run -d failed for $label" >&2; return 1; }
    done
    sleep 1
    for ((i = 0; i < CONTAINERS; i++)); do
        # the shim is the parent (subreaper) of the container's init, for both shims
        pid=$(ctr_ tasks ls 2>/dev/null | awk -v id="shim-bench-$label-m$i" '$1==id {print $2}')
        [[ -n $pid ]] && pid=$(ps -o ppid= -p "$pid" | tr -d ' ')
        [[ -n $pid && -r /proc/$pid/status ]] || { fail "no shim pid for m$i ($label)"; continue; }
        grep -q containerd-shim "/proc/$pid/cmdline" || { fail "parent $pid of m$i is not a shim"; continue; }
        rss+=("$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")")
        anon+=("$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status")")
        pss+=("$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")")
        anonsm+=("$(awk '/^Anonymous:/ {print $2}' "/proc/$pid/smaps_rollup")")
    done
    keep "$label.rss" "${rss[@]}"
    keep "$label.anon" "${anon[@]}"
    keep "$label.pss" "${pss[@]}"
    keep "$label.anonsm" "${anonsm[@]}"
    # exec round trips into the first container
    c=shim-bench-$label-m0
    vals=()
    for ((i = 0; i < RUNS; i++)); do
        t0=$EPOCHREALTIME
        ctr_ tasks exec "${FIFO[@]}" --exec-id "e$i" "$c" true >/dev/null 2>&1 || fail "exec $i failed ($label)"
        vals+=("$(ms_since "$t0")")
    done
    keep "$label.exec" "${vals[@]}"
    for ((i = 0; i < CONTAINERS; i++)); do
        ctr_ tasks kill -s SIGKILL "shim-bench-$label-m$i" >/dev/null 2>&1
    done
    for ((i = 0; i < CONTAINERS; i++)); do
        wait_until 10 sh -c "[ \"\$(ctr --address $SOCK -n $NS tasks ls | awk -v id=shim-bench-$label-m$i '\$1==id {print \$3}')\" = STOPPED ]"
        ctr_ tasks delete "shim-bench-$label-m$i" >/dev/null 2>&1
        ctr_ containers delete "shim-bench-$label-m$i" >/dev/null 2>&1
    done
    # kill -> foreground ctr run returns
    vals=()
    for ((i = 0; i < RUNS; i++)); do
        c=shim-bench-$label-k$i
        ctr_ run --rm --runtime "$rt" "${FIFO[@]}" "$IMAGE" "$c" sleep 1000 >/dev/null 2>&1 &
        local bg=$!
        wait_until 20 sh -c "[ \"\$(ctr --address $SOCK -n $NS tasks ls | awk -v id=$c '\$1==id {print \$3}')\" = RUNNING ]"
        t0=$EPOCHREALTIME
        ctr_ tasks kill -s SIGKILL "$c" >/dev/null 2>&1
        wait "$bg"
        vals+=("$(ms_since "$t0")")
    done
    keep "$label.kill" "${vals[@]}"
    # whole ctr run --rm of `true`
    vals=()
    for ((i = 0; i < RUNS; i++)); do
        t0=$EPOCHREALTIME
        ctr_ run --rm --runtime "$rt" "${FIFO[@]}" "$IMAGE" "shim-bench-$label-r$i" true >/dev/null 2>&1 ||
            fail "run $i failed ($label)"
        vals+=("$(ms_since "$t0")")
    done
    keep "$label.run" "${vals[@]}"
    bench_pod "$label" "$rt"
}

bench_pod() { # LABEL RUNTIME
    local label=$1 rt=$2 i r c pid t0 vals=() pods=() shims=() total
    for ((r = 0; r < POD_RUNS; r++)); do
        # a pod of 3: the same sandbox id on each container (containerd-shim-runc-v2 groups by
        # it too), the first one standing for the pause container
        for ((i = 0; i < 3; i++)); do
            ctr_ run -d --runtime "$rt" "${FIFO[@]}" --annotation "io.kubernetes.cri.sandbox-id=shim-bench-$label-p$r-0" \
                "$IMAGE" "shim-bench-$label-p$r-$i" sleep 1000 >/dev/null || fail "pod run $i failed ($label)"
        done
        sleep 0.5
        declare -A seen=()
        local found=0
        for ((i = 0; i < 3; i++)); do
            pid=$(ctr_ tasks ls 2>/dev/null | awk -v id="shim-bench-$label-p$r-$i" '$1==id {print $2}')
            [[ -n $pid ]] && pid=$(ps -o ppid= -p "$pid" | tr -d ' ')
            if [[ -n $pid ]] && grep -q containerd-shim "/proc/$pid/cmdline" 2>/dev/null; then
                seen[$pid]=1
                found=$((found + 1))
            fi
        done
        ((found == 3)) || fail "pod: the shim of only $found of 3 containers found ($label)"
        total=0
        for pid in "${!seen[@]}"; do total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"))); done
        pods+=("$total")
        shims+=("${#seen[@]}")
        unset seen
        for ((i = 2; i >= 0; i--)); do
            ctr_ tasks delete -f "shim-bench-$label-p$r-$i" >/dev/null 2>&1
            ctr_ containers delete "shim-bench-$label-p$r-$i" >/dev/null 2>&1
        done
        # teardown: TEARDOWN running containers deleted at once
        for ((i = 0; i < TEARDOWN; i++)); do
            ctr_ run -d --runtime "$rt" "${FIFO[@]}" "$IMAGE" "shim-bench-$label-t$r-$i" sleep 1000 >/dev/null ||
                fail "teardown run $i failed ($label)"
        done
        sleep 0.5
        local bgs=()
        t0=$EPOCHREALTIME
        for ((i = 0; i < TEARDOWN; i++)); do
            ctr_ tasks delete -f "shim-bench-$label-t$r-$i" >/dev/null 2>&1 &
            bgs+=($!)
        done
        local bad=0 b
        for b in "${bgs[@]}"; do wait "$b" || bad=$((bad + 1)); done
        vals+=("$(ms_since "$t0")")
        ((bad == 0)) || fail "teardown: $bad of $TEARDOWN deletes failed ($label)"
        for ((i = 0; i < TEARDOWN; i++)); do ctr_ containers delete "shim-bench-$label-t$r-$i" >/dev/null 2>&1; done
    done
    keep "$label.pod" "${pods[@]}"
    keep "$label.podshims" "${shims[@]}"
    keep "$label.teardown" "${vals[@]}"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench runccpp io.containerd.runccpp.v2 || exit 1
bench runc io.containerd.runc.v2 || exit 1
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

med() { awk '{print $1}' <<<"${RES[$1]}"; }
p90() { awk '{print $2}' <<<"${RES[$1]}"; }
kib_mib() { python3 -c "import sys; print('%.2f MiB' % (float(sys.argv[1]) / 1024))" "$1"; }
table() {
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs, kernel $(uname -r), containerd $(containerd --version | awk '{print $3}'), $(runc --version | head -1);"
    echo "shim: ${SHIM#"$repo"/} ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)). Load average before/after: $load_before / $load_after."
    echo "$CONTAINERS shims for memory (median over them), $RUNS runs per latency."
    echo
    echo "| measure | containerd-shim-runccpp-v2 | containerd-shim-runc-v2 + runc |"
    echo "|---|---|---|"
    echo "| shim VmRSS (median) | $(kib_mib "$(med runccpp.rss)") | $(kib_mib "$(med runc.rss)") |"
    echo "| shim RssAnon (status) | $(med runccpp.anon) kB | $(med runc.anon) kB |"
    echo "| shim Anonymous (smaps_rollup) | $(med runccpp.anonsm) kB | $(med runc.anonsm) kB |"
    echo "| shim Pss (smaps_rollup) | $(med runccpp.pss) kB | $(med runc.pss) kB |"
    echo "| exec \`true\` through ctr: median / p90 | $(med runccpp.exec) / $(p90 runccpp.exec) ms | $(med runc.exec) / $(p90 runc.exec) ms |"
    echo "| kill -9 until ctr run returns: median / p90 | $(med runccpp.kill) / $(p90 runccpp.kill) ms | $(med runc.kill) / $(p90 runc.kill) ms |"
    echo "| ctr run --rm \`true\`: median / p90 | $(med runccpp.run) / $(p90 runccpp.run) ms | $(med runc.run) / $(p90 runc.run) ms |"
    echo "| pod of 3 (one sandbox id): shims, VmRSS total (median of $POD_RUNS) | $(med runccpp.podshims | cut -d. -f1), $(kib_mib "$(med runccpp.pod)") | $(med runc.podshims | cut -d. -f1), $(kib_mib "$(med runc.pod)") |"
    echo "| teardown of $TEARDOWN tasks (\`ctr tasks delete -f\` at once): median / p90 of $POD_RUNS | $(med runccpp.teardown) / $(p90 runccpp.teardown) ms | $(med runc.teardown) / $(p90 runc.teardown) ms |"
}
out=$(table)
echo "$out"
((FAILS == 0)) || echo "$FAILS operations failed (see above): those samples are not to be trusted" >&2
if [[ -n ${JSON:-} ]]; then
    kv=()
    for k in "${!RAW[@]}"; do kv+=("$k=${RAW[$k]}"); done
    python3 - "$JSON" "$load_before" "$load_after" "$CONTAINERS" "$RUNS" "$TEARDOWN" "$POD_RUNS" "$FAILS" \
        "$(containerd --version | awk '{print $3}')" "$(runc --version | head -1)" "${SHIM#"$repo"/}" \
        "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" "${kv[@]}" <<'PY'
import json, sys
path, lb, la, containers, runs, teardown, pod_runs, fails, ctrd, runc, shim, rev = sys.argv[1:13]
samples = {}
for item in sys.argv[13:]:
    key, _, vals = item.partition("=")
    label, _, measure = key.partition(".")
    samples.setdefault(label, {})[measure] = [float(x) for x in vals.split()]
doc = {
    "load_before": lb, "load_after": la, "containers": int(containers), "runs": int(runs),
    "teardown": int(teardown), "pod_runs": int(pod_runs), "failures": int(fails),
    "containerd": ctrd, "runc": runc, "shim": shim, "rev": rev,
    # memory in KiB (rss, anon, pss, anonsm: per shim; pod: VmRSS summed over a pod's shims),
    # podshims a count, everything else milliseconds
    "samples": samples,
}
with open(path, "w") as f:
    json.dump(doc, f, indent=1)
PY
    echo "wrote $JSON" >&2
fi
if [[ -n ${OUT:-} ]]; then
    python3 - "$OUT" "$out" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
try:
    doc = open(path).read()
except FileNotFoundError:
    doc = "<!-- shim-bench:begin -->\n<!-- shim-bench:end -->\n"
b, e = "<!-- shim-bench:begin -->", "<!-- shim-bench:end -->"
if b not in doc or e not in doc:
    doc += "\n%s\n%s\n" % (b, e)
head, rest = doc.split(b, 1)
_, tail = rest.split(e, 1)
open(path, "w").write(head + b + "\n" + table + "\n" + e + tail)
PY
    echo "wrote $OUT" >&2
fi
exit $((FAILS > 0))
