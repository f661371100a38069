#!/usr/bin/env bash
# integration/sysguest/run.sh - the "modern host" test group, run inside one boot of the
# systemd guest (vm.sh): the systemd cgroup driver, AppArmor, Docker, containerd and Podman
# (default), or SELinux (--selinux: the same guest booted with security=selinux).
# Prints the TAP and then "N passed, N failed, N skipped" as the last line; when the guest
# cannot run (no root, qemu, systemd, kernel package, or the runtime/helper is not built) the
# last line is "SKIP: <reason>" and the exit status is 2.
#
#   RUNTIME=build/runc-cpp/runc-cpp integration/sysguest/run.sh [--selinux] [FILE.bats...]
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$(cd "$here/../.." && pwd)
RUNTIME=${RUNTIME:-$project/build/runc-cpp/runc-cpp}
[[ $RUNTIME == /* ]] || RUNTIME=$(cd "$(dirname "$RUNTIME")" && pwd)/$(basename "$RUNTIME")
export RUNTIME
selinux=0
if [[ ${1:-} == --selinux ]]; then
	selinux=1
	shift
fi

skip() {
	echo "SKIP: $*"
	exit 2
}
[[ $(id -u) == 0 ]] || skip "the systemd guest needs root"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/deps.sh installs qemu-system-x86)"
[[ -x /lib/systemd/systemd ]] || skip "systemd is not installed (scripts/deps.sh installs it)"
[[ -x $RUNTIME ]] || skip "runtime $RUNTIME is not built"
# The guest mounts the host's / read-only under a tmpfs overlay but gives itself an empty /tmp
# of its own (vm.sh): a tree under the host's /tmp is not there.
[[ $project/ != /tmp/* ]] || skip "the project is under /tmp, which the systemd guest replaces with its own (clone it elsewhere)"
if [[ $RUNTIME != /usr/sbin/runc && $RUNTIME != /usr/bin/runc ]]; then
	helper=$project/build/libcontainer/src/cgroups/systemd/runc-cpp-systemd
	[[ -x ${RUNC_CPP_SYSTEMD_HELPER:-$helper} ]] || skip "runc-cpp-systemd is not built (meson needs libsystemd-dev)"
fi
if ((selinux)); then
	[[ -d /etc/selinux/default/policy ]] || skip "no SELinux policy (scripts/deps.sh installs selinux-policy-default)"
else
	command -v apparmor_parser >/dev/null || skip "apparmor_parser is not installed (scripts/deps.sh installs apparmor)"
fi
if ! prep=$(bash "$here/vm.sh" --prepare 2>&1); then
	skip "cannot prepare the guest: $(tail -1 <<<"$prep")"
fi

files=("$@")
if ((${#files[@]} == 0)); then
	if ((selinux)); then files=("$here/selinux.bats")
	else files=("$here/systemd.bats" "$here/apparmor.bats" "$here/clients.bats" "$here/rootless.bats"); fi
fi

# What the guest needs from the host: the bundle cache (the guest sees the host read-only) and
# one busybox image tar for docker load / ctr import / podman load, passed through /tmp (the
# guest sees the host's /tmp at /host-tmp).
(
	bats_require_minimum_version() { :; }
	source "$project/integration/lib/helpers.bash"
	ensure_pristine_bundle
) || skip "could not build the test bundle"
assets=$(mktemp -d /tmp/rcpp-sysguest-assets.XXXXXX)
trap 'rm -rf "$assets"' EXIT
python3 "$project/integration/clients/image.py" "$assets/busybox.tar" >/dev/null || skip "could not build the test image"
export SYSGUEST_ASSETS=/host-tmp/${assets#/tmp/}

args=(--timeout "${SYSGUEST_TIMEOUT:-1500}")
((selinux)) && args+=(--append "security=selinux selinux=1 enforcing=0")
t0=$(date +%s)
out=$(bash "$here/vm.sh" "${args[@]}" -- bash "$here/guest.sh" "${files[@]}" 2>&1)
rc=$?
echo "$out"
echo "sysguest tier: $(($(date +%s) - t0))s wall"
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
if [[ $rc == 125 ]]; then
	skip "the systemd guest did not boot (vm.sh exit 125)"
fi
if [[ -z $last ]]; then
	# shown by scripts/test.sh, which prints only the "sysguest" lines of a passing tier
	tail -5 <<<"$out" | sed 's/^/sysguest: no test summary from the guest; its output ends: /'
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "$last"
exit "$rc"
