#!/usr/bin/env bash
# End-to-end test of containerd-shim-runccpp-v2 under a private containerd + ctr.
#
#   integration/shim/run.sh [SHIM]      SHIM default: build/shim/containerd-shim-runccpp-v2
#
# Starts containerd with every path in a temp dir (unix sockets only, CRI off) and the shim on
# its PATH, imports a busybox image built on the spot (make-image.py), runs containers through
# the shim with `ctr run --runtime io.containerd.runccpp.v2` and checks output, exit codes,
# tty, exec, ps, pause/resume, metrics, kill, kill --all, create errors, a live OOM event and
# that the runtime state is cleaned up (the checks of ../shared/clients/containerd.sh and
# more); then removes everything it made.
# KEEP_TMP=1 keeps the temp dir (containerd.log). Last line: "N passed, N failed".
set -uo pipefail
[[ -n ${TRACE:-} ]] && set -x

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SHIM=$(readlink -f "${1:-$here/../../build/shim/containerd-shim-runccpp-v2}")
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 2; }
[[ -x $SHIM ]] || { echo "shim $SHIM is not built" >&2; exit 2; }
for b in containerd ctr python3 script; do
    command -v "$b" >/dev/null || { echo "missing $b (scripts/deps.sh installs it)" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/rcpp-shim.XXXXXX)
NS=rcppshim$$
# the state root the shim uses when containerd passes no runc options (as for this runtime)
STATE_ROOT=/run/containerd/runc-cpp/$NS
# containerd finds io.containerd.runccpp.v2 as containerd-shim-runccpp-v2 on its PATH
mkdir -p "$TMP/bin"
ln -s "$SHIM" "$TMP/bin/containerd-shim-runccpp-v2"
SOCK=$TMP/containerd.sock
IMAGE=localhost/busybox:latest
CTRD_PID=
passed=0 failed=0

pass() { echo "PASS: $1"; passed=$((passed + 1)); }
failc() { echo "FAIL: $1"; failed=$((failed + 1)); }
expect_eq() { if [[ "$3" == "$2" ]]; then pass "$1"; else failc "$1 (want '$2', got '$3')"; fi; }
expect_match() { if [[ "$3" =~ $2 ]]; then pass "$1"; else failc "$1 (want /$2/, got '$3')"; fi; }
wait_until() { # SECONDS CMD...
    local end=$((SECONDS + $1)); shift
    until "$@"; do ((SECONDS >= end)) && return 1; sleep 0.1; done
}
ctr_() { timeout 60 ctr --address "$SOCK" --namespace "$NS" "$@"; }
task_status() { ctr_ tasks ls 2>/dev/null | awk -v id="$1" '$1==id {print $3}'; }
task_pid() { ctr_ tasks ls 2>/dev/null | awk -v id="$1" '$1==id {print $2}'; }

teardown() {
    set +e
    if [[ -n $CTRD_PID ]] && kill -0 "$CTRD_PID" 2>/dev/null; then
        for c in $(ctr_ containers ls -q 2>/dev/null); do
            ctr_ tasks kill -a -s SIGKILL "$c" >/dev/null 2>&1
            wait_until 5 sh -c "! ctr --address $SOCK -n $NS tasks ls -q | grep -qx $c ||
                ctr --address $SOCK -n $NS tasks ls | grep -q '^$c .*STOPPED'"
            ctr_ tasks delete -f "$c" >/dev/null 2>&1
            ctr_ containers delete "$c" >/dev/null 2>&1
        done
        ctr_ images rm "$IMAGE" >/dev/null 2>&1
        kill "$CTRD_PID"
        wait_until 10 sh -c "! kill -0 $CTRD_PID 2>/dev/null" || kill -9 "$CTRD_PID"
    fi
    # shims of this run that are still alive (a failed test): by the pid file in their bundle
    for p in "$TMP"/state/io.containerd.runtime.v2.task/"$NS"/*/shim.pid; do
        [[ -f $p ]] && kill -9 "$(cat "$p")" 2>/dev/null
    done
    grep -o " $TMP/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
    for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS" /sys/fs/cgroup/unified/"$NS"; do
        [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    [[ -d $STATE_ROOT ]] && rmdir "$STATE_ROOT"
    if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

python3 "$here/make-image.py" "$TMP/busybox.tar" "$IMAGE" || { echo "image build failed" >&2; exit 2; }
cat >"$TMP/config.toml" <<EOC
version = 2
root = "$TMP/root"
state = "$TMP/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = "$TMP/debug.sock"
  level = "debug"
[metrics]
  address = ""
EOC
start_containerd() {
    PATH="$TMP/bin:$PATH" containerd --config "$TMP/config.toml" >>"$TMP/containerd.log" 2>&1 &
    CTRD_PID=$!
}
start_containerd
if ! wait_until 20 ctr_ version >/dev/null 2>&1; then
    echo "containerd did not come up" >&2; tail -n 30 "$TMP/containerd.log" >&2; exit 2
fi
ctr_ images import "$TMP/busybox.tar" >/dev/null || { echo "image import failed" >&2; exit 2; }

ctr --address "$SOCK" --namespace "$NS" events >"$TMP/events.out" 2>&1 &
EVENTS_PID=$!

RT=(--runtime io.containerd.runccpp.v2)
FIFO=(--fifo-dir "$TMP/fifo")
run_rm() { ctr_ run --rm "${RT[@]}" "${FIFO[@]}" "$IMAGE" "$@"; }

# output and exit codes
out=$(run_rm echo1 echo hello-from-the-shim 2>&1)
expect_eq "run: output" "hello-from-the-shim" "$out"
run_rm exit3 sh -c 'exit 3' >/dev/null 2>&1
expect_eq "run: exit code 3" 3 "$?"
out=$(run_rm err1 sh -c 'echo to-stderr >&2' 2>&1)
expect_eq "run: stderr" "to-stderr" "$out"
out=$(echo from-stdin | ctr_ run --rm "${RT[@]}" "${FIFO[@]}" "$IMAGE" in1 cat 2>&1)
expect_eq "run: stdin reaches the process, EOF ends it" "from-stdin" "$out"

# tty
out=$(script -qec "ctr --address $SOCK -n $NS run --rm -t ${RT[*]} ${FIFO[*]} $IMAGE tty1 sh -c 'tty; exit 4'" /dev/null </dev/null | tr -d '\r\0')
rc=$?
expect_match "run -t: process has a pty" '/dev/pts/[0-9]+' "$out"
expect_eq "run -t: exit code 4" 4 "$rc"

# a long-running container in a background ctr run, so its exit code can be collected
ctr_ run --rm "${RT[@]}" "${FIFO[@]}" "$IMAGE" long \
    sh -c 'trap "exit 7" TERM; echo started; while :; do sleep 0.1; done' >"$TMP/long.out" 2>&1 &
LONG=$!
wait_until 20 grep -q started "$TMP/long.out"
expect_eq "run: container RUNNING" RUNNING "$(task_status long)"

out=$(ctr_ tasks exec "${FIFO[@]}" --exec-id ex1 long sh -c 'echo in-exec; exit 5' 2>&1)
rc=$?
expect_eq "exec: output" "in-exec" "$out"
expect_eq "exec: exit code 5" 5 "$rc"
out=$(script -qec "ctr --address $SOCK -n $NS tasks exec -t ${FIFO[*]} --exec-id ex2 long tty" /dev/null </dev/null | tr -d '\r\0')
expect_match "exec -t: process has a pty" '/dev/pts/[0-9]+' "$out"

# Repeated: every exec's output arrives, with and without a tty, with ctr's stdin at EOF.
# Two races made this fail now and then: the exit was reported before ctr had read the
# output from the fifo (ctr stops reading on the exit), and ctr's CloseIO, sent as soon as
# its stdin ends, could come before Start and made Start fail.
lost=0
for i in $(seq 1 20); do
    out=$(timeout 20 ctr --address "$SOCK" -n "$NS" tasks exec "${FIFO[@]}" --exec-id rep$i long echo rep$i 2>&1 </dev/null)
    [[ $out == "rep$i" ]] || { lost=$((lost + 1)); echo "# exec rep$i: '$out'"; }
done
expect_eq "exec x20: every output arrives" 0 "$lost"
lost=0
for i in $(seq 1 20); do
    out=$(timeout 20 script -qec "ctr --address $SOCK -n $NS tasks exec -t ${FIFO[*]} --exec-id rept$i long tty" /dev/null </dev/null | tr -d '\r\0')
    [[ $out =~ /dev/pts/[0-9]+ ]] || { lost=$((lost + 1)); echo "# exec -t rept$i: '$out'"; }
done
expect_eq "exec -t x20: every output arrives" 0 "$lost"

ctr_ tasks exec -d "${FIFO[@]}" --exec-id bg long sleep 1000 >/dev/null 2>&1
pid=$(task_pid long)
out=$(ctr_ tasks ps long 2>&1)
if grep -qE "^$pid[[:space:]]" <<<"$out"; then pass "ps: lists the init pid"; else failc "ps: lists the init pid ($pid not in '$out')"; fi
expect_match "ps: lists the exec'd process" "ExecID:bg" "$out"

ctr_ tasks pause long
expect_eq "pause: PAUSED" PAUSED "$(task_status long)"
ctr_ tasks resume long
expect_eq "resume: RUNNING" RUNNING "$(task_status long)"

out=$(ctr_ tasks metrics --format json long 2>&1)
expect_match "metrics: pids.current >= 2" '"current": *[2-9]' "$out"
expect_match "metrics: memory usage present" '"memory"' "$out"
# the Metrics type follows the host: cgroup v2 only -> io.containerd.cgroups.v2.Metrics (cpu
# in usec), else v1 (cpu usage total in ns)
if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
    expect_match "metrics: cgroups v2 Metrics on a cgroup v2 host" '"usage_usec": *[1-9]' "$out"
else
    expect_match "metrics: cgroups v1 Metrics on a v1/hybrid host" '"total": *[1-9]' "$out"
fi

shim_pid=$(cat "$TMP"/state/io.containerd.runtime.v2.task/"$NS"/long/shim.pid 2>/dev/null)
if [[ -n $shim_pid ]]; then
    echo "# shim $(grep -E '^(VmRSS|RssAnon|RssFile)' /proc/"$shim_pid"/status | tr -s ' \t' ' ' | tr '\n' ' ')"
    # the shim clones the container's processes from its own image: that image must be a
    # read-only mount or a sealed memfd, never the writable binary (CVE-2019-5736 class)
    out=$(python3 "$here/../lib/exe-protected.py" "$shim_pid" 2>&1)
    expect_eq "CVE-2019-5736: the shim runs from a copy no container can write ($out)" 0 "$?"
else
    failc "shim.pid of the long container not found"
fi

ctr_ tasks kill -s SIGTERM long
wait "$LONG"
expect_eq "kill SIGTERM: exit code 7 through ctr run" 7 "$?"

ctr_ run -d "${RT[@]}" "${FIFO[@]}" "$IMAGE" all sleep 1000 >/dev/null 2>&1
ctr_ tasks exec -d "${FIFO[@]}" --exec-id bg all sleep 1000 >/dev/null 2>&1
ctr_ tasks kill -a -s SIGKILL all
wait_until 10 sh -c "ctr --address $SOCK -n $NS tasks ls | grep -q '^all .*STOPPED'"
expect_eq "kill --all: STOPPED" STOPPED "$(task_status all)"
# a stopped task's shim waits for Delete without using the CPU (it spun on the stdin pipe
# of the exited process before: epoll reported the pipe's error although it was not armed)
shim_pid=$(cat "$TMP"/state/io.containerd.runtime.v2.task/"$NS"/all/shim.pid 2>/dev/null)
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
if [[ -n $shim_pid ]] && c0=$(cpu_of "$shim_pid") && [[ -n $c0 ]]; then
    sleep 1
    c1=$(cpu_of "$shim_pid")
    if ((${c1:-0} - c0 <= 10)); then pass "stopped task: the shim is idle ($((c1 - c0)) ticks in 1 s)"
    else failc "stopped task: the shim is idle (used $((c1 - c0)) clock ticks in 1 s)"; fi
else
    failc "stopped task: the shim's pid (shim.pid of all) not found"
fi
ctr_ tasks delete all >/dev/null 2>&1
ctr_ containers delete all >/dev/null 2>&1

# the shim outlives a containerd restart: containerd reconnects from the bundle's address file
ctr_ run -d "${RT[@]}" "${FIFO[@]}" "$IMAGE" surv sleep 1000 >/dev/null 2>&1
kill "$CTRD_PID"
wait_until 10 sh -c "! kill -0 $CTRD_PID 2>/dev/null"
start_containerd
wait_until 20 ctr_ version >/dev/null 2>&1
# the event stream ended with the old containerd: follow the new one
kill "$EVENTS_PID" 2>/dev/null
ctr --address "$SOCK" --namespace "$NS" events >>"$TMP/events.out" 2>&1 &
EVENTS_PID=$!
expect_eq "containerd restart: task still RUNNING" RUNNING "$(task_status surv)"
ctr_ tasks kill -s SIGKILL surv
wait_until 10 sh -c "ctr --address $SOCK -n $NS tasks ls | grep -q '^surv .*STOPPED'"
expect_eq "containerd restart: kill reaches it, STOPPED" STOPPED "$(task_status surv)"
ctr_ tasks delete surv >/dev/null 2>&1
ctr_ containers delete surv >/dev/null 2>&1

out=$(run_rm bad /no/such/binary 2>&1)
rc=$?
expect_eq "create error: ctr fails" 1 "$rc"
expect_match "create error: message" 'OCI runtime create failed: .*no/such/binary' "$out"
ctr_ containers delete bad >/dev/null 2>&1

# a live OOM kill: the init (sh) keeps running while dd, over the 32 MiB limit, is killed;
# the shim must publish TaskOOM then, not only when the init exits (no swap to escape to here)
ctr_ run -d "${RT[@]}" "${FIFO[@]}" --memory-limit $((32 << 20)) "$IMAGE" oom1 \
    sh -c 'dd if=/dev/zero of=/dev/null bs=128M count=1; sleep 1000' >/dev/null 2>&1
if wait_until 20 grep -qE "/tasks/oom .*oom1" "$TMP/events.out"; then pass "oom: TaskOOM published"
else failc "oom: TaskOOM not published"; fi
expect_eq "oom: published while the task still runs" RUNNING "$(task_status oom1)"
ctr_ tasks kill -s SIGKILL oom1
wait_until 10 sh -c "ctr --address $SOCK -n $NS tasks ls | grep -q '^oom1 .*STOPPED'"
ctr_ tasks delete oom1 >/dev/null 2>&1
ctr_ containers delete oom1 >/dev/null 2>&1

# Issue 12: no process the shim starts in a container is reachable from it while it still
# holds anything of the host. The container's init is the /proc scanner of visibility.bats
# (integration/lib/proc-scan.c, with CAP_SYS_PTRACE) while ctr execs run in a loop.
scan_bin=$TMP/proc-scan
if ! gcc -static -O2 -o "$scan_bin" "$here/../lib/proc-scan.c" 2>"$TMP/scan-build.err"; then
    echo "SKIP: visibility through the shim: the scanner does not build statically ($(head -1 "$TMP/scan-build.err"))"
else
    marker=$TMP/host-marker-$RANDOM$RANDOM
    echo host >"$marker"
    ctr_ run --rm "${RT[@]}" "${FIFO[@]}" --cap-add CAP_SYS_PTRACE \
        --mount "type=bind,src=$scan_bin,dst=/proc-scan,options=rbind:ro" \
        "$IMAGE" scan /proc-scan "$marker" 20 /tmp/scan-ready >"$TMP/scan.out" 2>&1 &
    SCAN=$!
    wait_until 20 ctr_ tasks exec --exec-id ready scan test -e /tmp/scan-ready
    n=0 bad=0 end=$((SECONDS + 16))
    while ((SECONDS < end)); do
        if ctr_ tasks exec --exec-id "v$n" scan true >/dev/null 2>&1; then n=$((n + 1)); else bad=$((bad + 1)); fi
        ((bad > 3)) && break
    done
    wait "$SCAN"
    rc=$?
    summary=$(grep '^scanned=' "$TMP/scan.out")
    echo "# visibility through the shim: $n execs; $summary"
    expect_eq "visibility: the scanner reached nothing of the host ($(grep -m3 '^HIT' "$TMP/scan.out" | tr '\n' ' '))" 0 "$rc"
    expect_match "visibility: no host hits" 'host_hits=0' "$summary"
    if ((n >= 20 && bad == 0)); then pass "visibility: $n execs through the shim during the scan"
    else failc "visibility: only $n execs through the shim ($bad failed)"; fi
    scanned=$(sed -n 's/^scanned=\([0-9]*\).*/\1/p' <<<"$summary")
    if ((${scanned:-0} >= 20)); then pass "visibility: the scanner saw the execs ($scanned)"
    else failc "visibility: the scanner saw only ${scanned:-0} new processes"; fi
fi

# the runtime's state root has no container left (the shims deleted theirs)
left=$(find "$STATE_ROOT" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
expect_eq "cleanup: runtime state root has no containers" 0 "$left"

# events the shim published, as ctr events shows them (topic, then the event)
kill "$EVENTS_PID" 2>/dev/null
ev=$(cat "$TMP/events.out")
for topic in create start exit delete exec-added exec-started paused resumed; do
    if grep -qE "/tasks/$topic .*long|/tasks/$topic .*all" <<<"$ev"; then pass "events: /tasks/$topic"
    else failc "events: /tasks/$topic not seen"; fi
done

sleep 0.5
left=$(pgrep -fc "^($SHIM|$TMP/bin/containerd-shim-runccpp-v2) .*-namespace $NS" || true)
expect_eq "no shim left running" 0 "$left"

echo "$passed passed, $failed failed"
((failed == 0))
