#!/usr/bin/env bash
# docker.sh RUNTIME: a private dockerd (with the containerd it starts itself)
# runs busybox containers with RUNTIME registered as the runtime "rcpp".
#
# data-root, exec-root, pidfile and the unix socket are under
# /tmp/rcpp-cl-docker.XXXXXX; no TCP, no iptables, no bridge (containers use
# --network none); cgroupfs driver with --cgroup-parent /rcppcldocker<pid>.
# dockerd passes the runtime path to containerd's runc v2 shim (BinaryName).
# Last line: "N passed, N failed". KEEP_WORK=1 keeps the work dir.
set -uo pipefail
CLIENT=docker
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
RUNTIME_SRC=$(readlink -f "${1:-$HERE/../../build/runc-cpp/runc-cpp}")

install_if_missing dockerd docker.io || { echo "docker.io is not installed" >&2; exit 2; }
install_if_missing script bsdutils || exit 2
client_init

CGP=rcppcldocker$$
CGROUP_NAMES+=("$CGP")
IMG=localhost/busybox:latest
export DOCKER_HOST=unix://$WORK/docker.sock
export DOCKER_CONFIG=$WORK/cli
DOCKERD=
had_key=; [[ -e /etc/docker/key.json ]] && had_key=1
had_etc=; [[ -d /etc/docker ]] && had_etc=1

on_exit '[[ -z $had_key ]] && rm -f /etc/docker/key.json; [[ -z $had_etc ]] && rmdir /etc/docker'
on_exit 'stop_pid "$DOCKERD" 40'
on_exit '[[ -n $DOCKERD ]] && kill -0 "$DOCKERD" 2>/dev/null && for id in $(docker ps -aq); do docker rm -f "$id"; done'

/usr/bin/python3 "$HERE/image.py" "$WORK/busybox.tar" "$IMG" >/dev/null || { failed "build the image"; exit 1; }

/usr/bin/python3 - "$WORK/daemon.json" "$RUNTIME" "/$CGP" <<'PY'
import json, sys
json.dump({
    "runtimes": {"rcpp": {"path": sys.argv[2]}},
    "default-runtime": "rcpp",
    "cgroup-parent": sys.argv[3],
    "exec-opts": ["native.cgroupdriver=cgroupfs"],
    "storage-driver": "overlay2",
    "iptables": False, "ip6tables": False, "ip-forward": False, "ip-masq": False,
    "bridge": "none", "userland-proxy": False,
}, open(sys.argv[1], "w"), indent=2)
PY
dockerd --config-file "$WORK/daemon.json" --data-root "$WORK/data" --exec-root "$WORK/exec" \
	--pidfile "$WORK/dockerd.pid" -H "$DOCKER_HOST" >"$WORK/dockerd.log" 2>&1 &
DOCKERD=$!
if ! poll 60 docker version; then
	failed "dockerd starts" "$(tail -n 20 "$WORK/dockerd.log")"
	exit 1
fi
note "dockerd $(docker version --format '{{.Server.Version}}') (pid $DOCKERD), runtime $RUNTIME_SRC"
docker load -i "$WORK/busybox.tar" >/dev/null || { failed "docker load"; exit 1; }

D=(--runtime rcpp --network none)
D_STR="docker --host $DOCKER_HOST"
st() { docker inspect -f '{{.State.Status}}' "$1" 2>&1; }

# --- run
out=$(docker run --rm "${D[@]}" "$IMG" echo hello-docker 2>&1)
want_eq "run: output" hello-docker "$out"

docker run --rm "${D[@]}" "$IMG" sh -c 'exit 3' >/dev/null 2>&1
want_eq "run: exit code 3" 3 "$?"

out=$(timeout 60 script -qec "$D_STR run --rm -t ${D[*]} $IMG sh -c 'tty; exit 4'" /dev/null </dev/null | tr -d "\0"; exit "${PIPESTATUS[0]}")
rc=$?
want_re "run -t: the process has a pty" '^/dev/pts/[0-9]+' "$(pty_text "$out")"
want_eq "run -t: exit code 4" 4 "$rc"

# --- a detached container that exits 7 on SIGTERM
docker run -d --name long "${D[@]}" "$IMG" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
want_eq "run -d: running" running "$(st long)"

out=$(docker exec long sh -c 'echo exec-out; exit 5' 2>&1)
rc=$?
want_eq "exec: output" exec-out "$out"
want_eq "exec: exit code 5" 5 "$rc"

out=$(timeout 60 script -qec "$D_STR exec -t long sh -c 'tty; exit 2'" /dev/null </dev/null | tr -d "\0"; exit "${PIPESTATUS[0]}")
rc=$?
want_re "exec -t: the process has a pty" '^/dev/pts/[0-9]+' "$(pty_text "$out")"
want_eq "exec -t: exit code 2" 2 "$rc"

docker exec -d long sleep 999
out=$(docker top long 2>&1)
want_re "top: lists the exec'd process" 'sleep 999' "$out"
want_re "top: lists the init" 'trap' "$out"

docker pause long >/dev/null
want_eq "pause: paused" paused "$(st long)"
docker unpause long >/dev/null
want_eq "unpause: running" running "$(st long)"

out=$(docker stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' long 2>&1)
want_re "stats: pids and memory" '^([2-9]|[1-9][0-9]+) [0-9.]+[KMG]?i?B / ' "$out"

cid=$(docker inspect -f '{{.Id}}' long)
out=$(docker update --memory 64m --memory-swap 128m --pids-limit 50 long 2>&1)
want_eq "update: exit code" 0 "$?" "$out"
want_eq "update: memory.limit_in_bytes" 67108864 "$(cat "/sys/fs/cgroup/memory/$CGP/$cid/memory.limit_in_bytes" 2>&1)"
want_eq "update: memory.memsw.limit_in_bytes" 134217728 "$(cat "/sys/fs/cgroup/memory/$CGP/$cid/memory.memsw.limit_in_bytes" 2>&1)"
want_eq "update: pids.max" 50 "$(cat "/sys/fs/cgroup/pids/$CGP/$cid/pids.max" 2>&1)"

docker kill -s TERM long >/dev/null
want_eq "kill TERM: exit code 7 (trap)" 7 "$(timeout 30 docker wait long 2>&1)"
docker rm long >/dev/null

# --- stop: the init has no TERM handler, docker escalates to KILL
docker run -d --name stopme "${D[@]}" "$IMG" sleep 999 >/dev/null
docker stop -t 1 stopme >/dev/null
want_eq "stop: exit code 137" 137 "$(docker inspect -f '{{.State.ExitCode}}' stopme 2>&1)"

docker restart -t 1 stopme >/dev/null
want_eq "restart: running again" running "$(st stopme)"
out=$(docker exec stopme echo after-restart 2>&1)
want_eq "restart: exec works" after-restart "$out"
docker rm -f stopme >/dev/null

# --- create error: docker maps "no such file or directory" to 127
out=$(docker run --rm "${D[@]}" "$IMG" /no/such/binary 2>&1)
rc=$?
want_eq "create error: exit code 127" 127 "$rc" "$out"
want_re "create error: runtime message" 'OCI runtime create failed: .*/no/such/binary.*no such file or directory' "$out"

left=$(find "$WORK/exec/runtime-runc/moby" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
want_eq "runtime root: no containers left" 0 "$left"
