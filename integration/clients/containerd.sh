#!/usr/bin/env bash
# containerd.sh RUNTIME: a private containerd, driven with ctr, runs busybox
# containers through the runc v2 shim with RUNTIME as its runc binary.
#
# Everything lives under /tmp/rcpp-cl-containerd.XXXXXX (config, root, state,
# unix sockets, the runtime's root); the CRI plugin and all TCP listeners are
# off. The shim gets the binary and root with ctr's --runc-binary/--runc-root
# and keeps them in the bundle's options.json for every later call, the
# cleanup `delete --force` included.
# Last line: "N passed, N failed". KEEP_WORK=1 keeps the work dir.
set -uo pipefail
CLIENT=containerd
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
RUNTIME_SRC=$(readlink -f "${1:-$HERE/../../build/runc-cpp/runc-cpp}")

install_if_missing containerd containerd || { echo "containerd is not installed" >&2; exit 2; }
install_if_missing script bsdutils || exit 2
client_init

NS=rcppcl$$        # containerd namespace; also the cgroup parent (/NS/<id>)
CGROUP_NAMES+=("$NS")
SOCK=$WORK/ctrd.sock
IMG=localhost/busybox:latest
RROOT=$WORK/runtime-root
CTRD=

# shim sockets live in /run/containerd/s whatever containerd's state dir is;
# one that appeared during this run and that nobody listens on any more is
# a leftover of ours (a live one belongs to another containerd on the host;
# our own shims are caught by their command line)
shim_socks_before=$(ls /run/containerd/s 2>/dev/null)
client_leftovers() {
	local s listening
	listening=$(ss -xl 2>/dev/null)
	for s in $(ls /run/containerd/s 2>/dev/null); do
		grep -qx "$s" <<<"$shim_socks_before" && continue
		grep -qF "/run/containerd/s/$s" <<<"$listening" && continue
		echo "stale shim socket /run/containerd/s/$s"
		rm -f "/run/containerd/s/$s"
	done
}

c() { ctr --address "$SOCK" --namespace "$NS" "$@"; }
C_STR="ctr --address $SOCK --namespace $NS"
RUNFLAGS=(--runc-binary "$RUNTIME" --runc-root "$RROOT" --fifo-dir "$WORK/fifo")

cleanup_containers() {
	local id
	for id in $(c containers ls -q 2>/dev/null); do
		c tasks kill --all --signal SIGKILL "$id"
		poll 10 sh -c "! $C_STR tasks ls -q | grep -qx $id" || c tasks delete --force "$id"
		c tasks delete "$id"
		c containers delete "$id"
	done
	c images rm "$IMG"
}
on_exit 'stop_pid "$CTRD" 20'
on_exit '[[ -n $CTRD ]] && kill -0 "$CTRD" 2>/dev/null && cleanup_containers'

/usr/bin/python3 "$HERE/image.py" "$WORK/busybox.tar" "$IMG" >/dev/null || { failed "build the image"; exit 1; }

cat >"$WORK/config.toml" <<TOML
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = "$WORK/debug.sock"
[metrics]
  address = ""
TOML
containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
CTRD=$!
if ! poll 30 c version; then
	failed "containerd starts" "$(tail -n 20 "$WORK/containerd.log")"
	exit 1
fi
note "containerd $(containerd --version | awk '{print $3}') (pid $CTRD), runtime $RUNTIME_SRC"
c images import "$WORK/busybox.tar" >/dev/null || { failed "ctr images import" ; exit 1; }

status_of() { c tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
pid_of() { c tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'; }

# --- run: output and exit codes
out=$(c run --rm "${RUNFLAGS[@]}" "$IMG" r1 echo hello-ctr 2>&1)
want_eq "run: output" hello-ctr "$out"

c run --rm "${RUNFLAGS[@]}" "$IMG" r2 sh -c 'exit 3' >/dev/null 2>&1
want_eq "run: exit code 3" 3 "$?"

# ctr -t needs a terminal of its own: script(1)
out=$(timeout 60 script -qec "$C_STR run --rm -t ${RUNFLAGS[*]} $IMG r3 sh -c 'tty; exit 4'" /dev/null </dev/null | tr -d "\0"; exit "${PIPESTATUS[0]}")
rc=$?
want_re "run -t: the process has a pty" '^/dev/pts/[0-9]+' "$(pty_text "$out")"
want_eq "run -t: exit code 4" 4 "$rc"

# --- a long-running task in a background `ctr run` (collects its exit code)
c run --rm "${RUNFLAGS[@]}" "$IMG" long \
	sh -c 'trap "exit 7" TERM; echo up; while :; do sleep 0.1; done' >"$WORK/long.out" 2>&1 &
LONG=$!
poll 30 grep -q up "$WORK/long.out"
want_eq "run: long task is RUNNING" RUNNING "$(status_of long)"

out=$(c tasks exec --fifo-dir "$WORK/fifo" --exec-id e1 long sh -c 'echo exec-out; exit 5' 2>&1)
rc=$?
want_eq "exec: output" exec-out "$out"
want_eq "exec: exit code 5" 5 "$rc"

out=$(timeout 60 script -qec "$C_STR tasks exec -t --fifo-dir $WORK/fifo --exec-id e2 long sh -c 'tty; exit 2'" /dev/null </dev/null | tr -d "\0"; exit "${PIPESTATUS[0]}")
rc=$?
want_re "exec -t: the process has a pty" '^/dev/pts/[0-9]+' "$(pty_text "$out")"
want_eq "exec -t: exit code 2" 2 "$rc"

c tasks exec -d --fifo-dir "$WORK/fifo" --exec-id bg long sleep 999 >/dev/null 2>&1
pid=$(pid_of long)
out=$(c tasks ps long 2>&1)
want_re "ps: lists the init pid" "^$pid[[:space:]]" "$out"
want_re "ps: lists the exec'd process" 'ExecID:bg' "$out"

c tasks pause long
want_eq "pause: PAUSED" PAUSED "$(status_of long)"
c tasks resume long
want_eq "resume: RUNNING" RUNNING "$(status_of long)"

out=$(c tasks metrics --format json long 2>&1)
want_re "metrics: pids.current >= 2" '"current": *([2-9]|[1-9][0-9])' "$out"
want_re "metrics: memory usage" '"usage": *\{' "$out"

c tasks kill --signal SIGTERM long
rc=0
timeout 30 tail --pid="$LONG" -f /dev/null; wait "$LONG" || rc=$?
want_eq "kill TERM: exit code 7 (trap)" 7 "$rc"

# --- kill --all also reaches exec'd processes
c run -d "${RUNFLAGS[@]}" "$IMG" all sleep 999 >/dev/null 2>&1
c tasks exec -d --fifo-dir "$WORK/fifo" --exec-id bg all sleep 999 >/dev/null 2>&1
c tasks kill --all --signal SIGKILL all
poll 20 sh -c "[ \"\$($C_STR tasks ls | awk '\$1==\"all\" {print \$3}')\" = STOPPED ]"
want_eq "kill --all: STOPPED" STOPPED "$(status_of all)"
c tasks delete all >/dev/null 2>&1
c containers delete all >/dev/null 2>&1

# --- a failing create: the shim shows the last error line of the runtime's log.json
out=$(c run --rm "${RUNFLAGS[@]}" "$IMG" bad /no/such/binary 2>&1)
rc=$?
want_eq "create error: ctr exit code 1" 1 "$rc"
want_re "create error: runtime message via log.json" 'OCI runtime create failed: .*/no/such/binary.*no such file or directory' "$out"
c containers delete bad >/dev/null 2>&1

# --- the runtime keeps no state for finished containers
left=$(find "$RROOT/$NS" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
want_eq "runtime root: no containers left" 0 "$left"
