#!/usr/bin/env bash
# integration/v2/run.sh - the cgroup v2 test group, run inside one boot of the v2-only guest
# (vm.sh). Prints the TAP and then "N passed, N failed, N skipped" as the last line; when the
# guest cannot be booted (no qemu, no kernel package, no root) the last line is
# "SKIP: <reason>" and the exit status is 2, so callers never mistake it for a pass.
#
#   RUNTIME=build/runc-cpp/runc-cpp integration/v2/run.sh [FILE.bats...]
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
[[ $(id -u) == 0 ]] || skip "the v2 guest needs root"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/deps.sh installs qemu-system-x86)"
[[ -x $RUNTIME ]] || skip "runtime $RUNTIME is not built"
if ! prep=$(bash "$here/vm.sh" --prepare 2>&1); then
	skip "cannot prepare the guest kernel: $(tail -1 <<<"$prep")"
fi

files=("$@")
((${#files[@]})) || files=("$here"/*.bats)
# The bundle cache lives on the host; build it here, the guest sees the host read-only.
(
	bats_require_minimum_version() { :; }
	source "$project/integration/lib/helpers.bash"
	ensure_pristine_bundle
) || skip "could not build the test bundle"

# Inside the guest: python3 without site-packages starts ~1s faster under TCG (the tests only
# need json); warm the 9p cache of the bundle once (the first hard-link copy pays the copy-up).
guest_script='
printf "#!/bin/sh\nexec /usr/bin/python3 -S \"\$@\"\n" >/run/python3-nosite
chmod 755 /run/python3-nosite
export PYTHON=/run/python3-nosite
exec bash "$0" "$@"'
out=$(bash "$here/vm.sh" --timeout "${V2_TIMEOUT:-300}" -- bash -c "$guest_script" \
	"$project/integration/run.sh" "${files[@]}" 2>&1)
rc=$?
echo "$out"
last=$(tail -1 <<<"$out")
if [[ $rc == 125 ]]; then
	skip "the v2 guest did not boot (vm.sh exit 125)"
fi
if ! [[ $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed ]]; then
	# The guest ran but the suite did not report: count it as one failure.
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
exit "$rc"
