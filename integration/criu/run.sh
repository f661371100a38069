#!/usr/bin/env bash
# integration/criu/run.sh - the checkpoint/restore tests (checkpoint.bats), run inside ONE boot
# of the v2 guest (integration/v2/vm.sh with Debian's 6.1 kernel): CRIU 3.17 does not work on
# newer host kernels. The guest loads the modules CRIU needs (socket diag, nf_tables for its
# network lock). Prints the TAP and "N passed, N failed, N skipped" as the last line; when
# CRIU is not installed or the guest cannot boot the last line is "SKIP: <reason>", exit 2.
#
#   RUNTIME=build/runc-cpp/runc-cpp integration/criu/run.sh [FILE.bats...]
#   RUNTIME=/usr/sbin/runc integration/criu/run.sh        # the same tests against runc
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$(cd "$here/../.." && pwd)
RUNTIME=${RUNTIME:-$project/build/runc-cpp/runc-cpp}
[[ $RUNTIME == /* ]] || RUNTIME=$(cd "$(dirname "$RUNTIME")" && pwd)/$(basename "$RUNTIME")
export RUNTIME

skip() {
	echo "SKIP: $*"
	exit 2
}
[[ $(id -u) == 0 ]] || skip "the guest needs root"
command -v criu >/dev/null || skip "criu is not installed (scripts/deps.sh installs it)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
[[ -x $RUNTIME ]] || skip "runtime $RUNTIME is not built"
export RCPP_VM_MODULES="crc32c_generic unix_diag inet_diag tcp_diag udp_diag raw_diag netlink_diag af_packet_diag nf_tables nft_compat nft_ct veth tun"
if ! prep=$(bash "$project/integration/v2/vm.sh" --prepare 2>&1); then
	skip "cannot prepare the guest kernel: $(tail -1 <<<"$prep")"
fi
files=("$@")
((${#files[@]})) || files=("$here"/*.bats)
(
	bats_require_minimum_version() { :; }
	source "$project/integration/lib/helpers.bash"
	ensure_pristine_bundle
) || skip "could not build the test bundle"

guest_script='
printf "#!/bin/sh\nexec /usr/bin/python3 -S \"\$@\"\n" >/run/python3-nosite
chmod 755 /run/python3-nosite
export PYTHON=/run/python3-nosite
mkdir -p /var/run/netns
criu check >/dev/null 2>&1 || { echo "SKIP: criu check fails in the guest: $(criu check 2>&1 | tail -1)"; exit 2; }
exec bash "$0" "$@"'
out=$(bash "$project/integration/v2/vm.sh" --timeout "${CRIU_TIMEOUT:-360}" -- bash -c "$guest_script" \
	"$project/integration/run.sh" "${files[@]}" 2>&1)
rc=$?
echo "$out"
last=$(tail -1 <<<"$out")
[[ $rc == 125 ]] && skip "the guest did not boot (vm.sh exit 125)"
[[ $last == SKIP:* ]] && exit 2
if ! [[ $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed ]]; then
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
exit "$rc"
