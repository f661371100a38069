#!/usr/bin/env bash
# A Kubernetes pod through containerd-shim-runccpp-v2: the CRI's task-API sequence replayed
# over ttrpc by build/tests/shim/pod-replay (tests/shim/pod_replay.cc), without containerd.
#
#   integration/shim/pod.sh [SHIM]       SHIM default: build/shim/containerd-shim-runccpp-v2
#
# Builds a busybox rootfs (integration/lib/make-bundle.sh), runs the replay in a temp dir and
# removes what a failed run left (shim, container processes, mounts, cgroups, state).
# POD_ROOTFS=bind gives the containers bind-mounted copies of the rootfs instead of overlay
# mounts (containerd's native snapshotter; set when CONTAINERD_SNAPSHOTTER=native).
# The same replay passes against Debian's containerd-shim-runc-v2 + runc (pass its path as
# SHIM): the expectations are the runc shim's behaviour.
# KEEP_TMP=1 keeps the temp dir. Last line: "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
SHIM=$(readlink -f "${1:-$root/build/shim/containerd-shim-runccpp-v2}")
REPLAY=${POD_REPLAY:-$root/build/tests/shim/pod-replay}
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 2; }
[[ -x $SHIM ]] || { echo "shim $SHIM is not built" >&2; exit 2; }
[[ -x $REPLAY ]] || { echo "$REPLAY is not built" >&2; exit 2; }
mode=${POD_ROOTFS:-overlay}
[[ ${CONTAINERD_SNAPSHOTTER:-} == native ]] && mode=bind

TMP=$(mktemp -d /tmp/rcpp-pods.XXXXXX)
teardown() {
    set +e
    # a failed run: the shim (its pid is in every bundle), then what it left
    for p in "$TMP"/*/shim.pid; do [[ -f $p ]] && kill -9 "$(cat "$p")" 2>/dev/null; done
    for d in /sys/fs/cgroup/*/kubepods/besteffort/podrcpp-pods-* /sys/fs/cgroup/kubepods/besteffort/podrcpp-pods-*; do
        [[ -d $d ]] || continue
        grep -l "" "$d"/*/cgroup.procs 2>/dev/null | while read -r f; do
            for pid in $(cat "$f"); do kill -9 "$pid" 2>/dev/null; done
        done
    done
    sleep 0.2
    grep -o " $TMP/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
    for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/unified/kubepods; do
        [[ -d $d ]] && find "$d" -depth -type d -path "*podrcpp-pods-*" -exec rmdir {} + 2>/dev/null
        [[ -d $d ]] && rmdir "$d/besteffort" "$d" 2>/dev/null
    done
    for s in /run/containerd/runc-cpp/rcpp-pods-* /run/containerd/runc/rcpp-pods-*; do
        [[ -d $s ]] && [[ -z $(ls -A "$s") ]] && rmdir "$s"
    done
    if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

bash "$root/integration/lib/make-bundle.sh" "$TMP/image" >/dev/null || { echo "cannot build the busybox rootfs" >&2; exit 2; }
"$REPLAY" "$SHIM" "$TMP/image/rootfs" "$TMP" "$mode"
