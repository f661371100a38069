#!/usr/bin/env bash
# podman.sh RUNTIME: podman (with conmon) runs busybox containers with RUNTIME, registered
# as docs/install.md says: `[engine.runtimes] runccpp = [RUNTIME]` and `runtime = "runccpp"`
# in containers.conf.
#
# Storage, run root, tmp dir, events log and the configs are under
# /tmp/rcpp-cl-podman.XXXXXX; cgroupfs manager, --cgroup-parent
# /rcppclpodman<pid>, --network none, --cgroups no-conmon (on this hybrid
# host a conmon cgroup makes podman mkdir fake controller directories).
# The runtime uses its default root: podman drops --runtime-flag in the
# `podman container cleanup` that conmon runs at container exit, so the last
# check asks the runtime about every container id of the run.
# Without CAP_SYS_RESOURCE the runtime cannot set podman's default
# RLIMIT_NOFILE/NPROC of 1048576, so default_ulimits asks for what it can.
# Last line: "N passed, N failed". KEEP_WORK=1 keeps the work dir.
set -uo pipefail
CLIENT=podman
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
RUNTIME_SRC=$(readlink -f "${1:-$HERE/../../build/runc-cpp/runc-cpp}")

install_if_missing podman podman conmon || { echo "podman is not installed" >&2; exit 2; }
install_if_missing conmon conmon || exit 2
install_if_missing script bsdutils || exit 2
client_init

CGP=rcppclpodman$$
CGROUP_NAMES+=("$CGP")
IMG=localhost/busybox:latest
cg_top_before=$(ls /sys/fs/cgroup)

pm() {
	podman --cgroup-manager cgroupfs --events-backend file \
		--root "$WORK/storage" --runroot "$WORK/run" --tmpdir "$WORK/tmp" --storage-driver overlay "$@"
}
PM_STR="podman --cgroup-manager cgroupfs --events-backend file --root $WORK/storage --runroot $WORK/run --tmpdir $WORK/tmp --storage-driver overlay"

remove_fake_cgroup_dirs() {
	local d
	for d in $(ls /sys/fs/cgroup); do
		grep -qx "$d" <<<"$cg_top_before" && continue
		mountpoint -q "/sys/fs/cgroup/$d" || rm -rf "/sys/fs/cgroup/$d"
	done
}
cleanup_containers() {
	local id cpid
	for id in $(pm ps -aq); do
		cpid=$(pm inspect -f '{{.State.ConmonPid}}' "$id")
		pm rm -f -t 0 "$id"
		[[ -n $cpid && $cpid != 0 ]] && stop_pid "$cpid" 5
	done
	pm rmi -a -f
	# overlay mounts of the storage
	mounts_under "$WORK" | sort -r | while read -r m; do umount -l "$m"; done
}
on_exit remove_fake_cgroup_dirs
on_exit cleanup_containers

caps=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
ulimits=
if (((16#$caps >> 24 & 1) == 0)); then
	nofile=$(ulimit -Hn)
	nproc=$(ulimit -Hu)
	[[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
	ulimits="default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"
fi
cat >"$WORK/containers.conf" <<CONF
[containers]
netns = "none"
log_driver = "k8s-file"
$ulimits
[engine]
runtime = "runccpp"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
tmp_dir = "$WORK/tmp"
[engine.runtimes]
runccpp = ["$RUNTIME"]
[network]
network_config_dir = "$WORK/networks"
CONF
cat >"$WORK/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
CONF
: >"$WORK/registries.conf"
export CONTAINERS_CONF=$WORK/containers.conf
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf
export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf

/usr/bin/python3 "$HERE/image.py" "$WORK/busybox.tar" "$IMG" >/dev/null || { failed "build the image"; exit 1; }
pm load -q -i "$WORK/busybox.tar" >/dev/null 2>"$WORK/load.err" || { failed "podman load" "$(cat "$WORK/load.err")"; exit 1; }
note "podman $(podman --version | awk '{print $3}'), conmon $(conmon --version | awk 'NR==1 {print $3}'), runtime $RUNTIME_SRC"

# the runtime podman picked from containers.conf, by name
want_eq "containers.conf: runtime runccpp is $RUNTIME" "runccpp $RUNTIME" \
	"$(pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}' 2>&1)"

R=(--network none --cgroups no-conmon --cgroup-parent "/$CGP" --pull never)
st() { pm inspect -f '{{.State.Status}}' "$1" 2>&1; }

# --- run
out=$(pm run --rm "${R[@]}" "$IMG" echo hello-podman 2>&1)
want_eq "run: output" hello-podman "$out"

pm run --rm "${R[@]}" "$IMG" sh -c 'exit 3' >/dev/null 2>&1
want_eq "run: exit code 3" 3 "$?"

out=$(timeout 60 script -qec "$PM_STR run --rm -t ${R[*]} $IMG sh -c 'tty; exit 4'" /dev/null </dev/null | tr -d "\0"; exit "${PIPESTATUS[0]}")
rc=$?
want_re "run -t: the process has a pty" '^/dev/pts/[0-9]+' "$(pty_text "$out")"
want_eq "run -t: exit code 4" 4 "$rc"

# --- a detached container that exits 7 on SIGTERM
pm run -d --name long "${R[@]}" "$IMG" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
want_eq "run -d: running" running "$(st long)"

out=$(pm exec long sh -c 'echo exec-out; exit 5' 2>&1)
rc=$?
want_eq "exec: output" exec-out "$out"
want_eq "exec: exit code 5" 5 "$rc"

out=$(timeout 60 script -qec "$PM_STR exec -t long sh -c 'tty; exit 2'" /dev/null </dev/null | tr -d "\0"; exit "${PIPESTATUS[0]}")
rc=$?
want_re "exec -t: the process has a pty" '^/dev/pts/[0-9]+' "$(pty_text "$out")"
want_eq "exec -t: exit code 2" 2 "$rc"

pm exec -d long sleep 999 >/dev/null
out=$(pm top long 2>&1)
want_re "top: lists the exec'd process" 'sleep 999' "$out"

pm pause long >/dev/null
want_eq "pause: paused" paused "$(st long)"
pm unpause long >/dev/null
want_eq "unpause: running" running "$(st long)"

out=$(pm stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' long 2>&1)
want_re "stats: pids and memory" '^([2-9]|[1-9][0-9]+) [0-9.]+[kMG]?B / ' "$out"

cid=$(pm inspect -f '{{.Id}}' long)
# (podman 4.3's update has no --pids-limit)
out=$(pm update --memory 64m --memory-swap 128m --cpu-shares 512 long 2>&1)
want_eq "update: exit code" 0 "$?" "$out"
want_eq "update: memory.limit_in_bytes" 67108864 "$(cat "/sys/fs/cgroup/memory/$CGP/libpod-$cid/memory.limit_in_bytes" 2>&1)"
want_eq "update: memory.memsw.limit_in_bytes" 134217728 "$(cat "/sys/fs/cgroup/memory/$CGP/libpod-$cid/memory.memsw.limit_in_bytes" 2>&1)"
want_eq "update: cpu.shares" 512 "$(cat "/sys/fs/cgroup/cpu/$CGP/libpod-$cid/cpu.shares" 2>&1)"

pm kill -s TERM long >/dev/null
want_eq "kill TERM: exit code 7 (trap)" 7 "$(timeout 30 podman --cgroup-manager cgroupfs --events-backend file \
	--root "$WORK/storage" --runroot "$WORK/run" --tmpdir "$WORK/tmp" --storage-driver overlay wait long 2>&1)"
pm rm long >/dev/null

# --- stop: the init has no TERM handler, podman escalates to KILL
pm run -d --name stopme "${R[@]}" "$IMG" sleep 999 >/dev/null
pm stop -t 1 stopme >/dev/null 2>&1
want_eq "stop: exit code 137" 137 "$(pm inspect -f '{{.State.ExitCode}}' stopme 2>&1)"

pm restart -t 1 stopme >/dev/null 2>&1
want_eq "restart: running again" running "$(st stopme)"
out=$(pm exec stopme echo after-restart 2>&1)
want_eq "restart: exec works" after-restart "$out"
pm rm -f -t 0 stopme >/dev/null

# --- create error: podman maps the runtime's "no such file or directory" to 127
out=$(pm run --rm "${R[@]}" "$IMG" /no/such/binary 2>&1)
rc=$?
want_eq "create error: exit code 127" 127 "$rc" "$out"
want_re "create error: runtime message" '/no/such/binary.*(no such file or directory|executable file not found)' "$out"

# --- the runtime knows none of the run's containers any more
known=() ids=0
for id in $(grep -oE '"ID":"[0-9a-f]{64}"' "$WORK/events.log" | cut -d'"' -f4 | sort -u); do
	ids=$((ids + 1))
	"$RUNTIME" state "$id" >/dev/null 2>&1 && known+=("$id")
done
((ids >= 5)) || failed "events log: container ids found" "only $ids ids in $WORK/events.log"
want_eq "runtime root: no containers left" 0 "${#known[@]}" "${known[@]}"
