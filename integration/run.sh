#!/bin/bash
# Runs the bats integration suite against a runtime and prints a summary.
#
#   integration/run.sh [FILE.bats...]
#
# RUNTIME   the runtime binary (default: build/runc-cpp/runc-cpp of this tree);
#           RUNTIME=/usr/bin/runc runs the suite against stock runc.
# BATS      the bats executable (default: bats from PATH).
#
# Output is TAP; the last line is "N passed, N failed, N skipped". The exit
# status is non-zero if any test failed or bats itself failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUNTIME=${RUNTIME:-$here/../build/runc-cpp/runc-cpp}
# absolute, so that tests may change directory
if [[ $RUNTIME != /* ]]; then
	if [[ $RUNTIME == */* ]]; then
		RUNTIME=$(cd "$(dirname "$RUNTIME")" 2>/dev/null && pwd)/$(basename "$RUNTIME")
	else
		RUNTIME=$(command -v "$RUNTIME" || echo "$RUNTIME")
	fi
fi
export RUNTIME
BATS=${BATS:-bats}

die() {
	echo "run.sh: $*" >&2
	exit 2
}

[[ $(id -u) -eq 0 ]] || die "the integration suite needs root"
command -v "$BATS" >/dev/null || die "bats not found (apt-get install bats)"
command -v python3 >/dev/null || die "python3 not found"
[[ -x ${BUSYBOX:-/bin/busybox} ]] || die "busybox not found (apt-get install busybox-static)"
[[ -x $RUNTIME ]] || die "runtime $RUNTIME is not executable (build it, or set RUNTIME=)"

if (($#)); then
	files=("$@")
else
	files=()
	for f in cli lifecycle process rootfs hooks exec terminal fds logging security validation masks visibility userns idmap rootless threaded; do
		files+=("$here/$f.bats")
	done
fi

# Build the cached bundle once up front (the tests also check it).
# shellcheck source=lib/helpers.bash
(
	bats_require_minimum_version() { :; }
	source "$here/lib/helpers.bash"
	ensure_pristine_bundle
) || die "could not build the test bundle"

echo "# runtime: $RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n 1))"

tap=$(mktemp /tmp/rcpp-it-tap.XXXXXX)
trap 'rm -f "$tap"' EXIT

"$BATS" --tap "${files[@]}" </dev/null | tee "$tap"
bats_rc=${PIPESTATUS[0]}

planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | head -n 1)
skipped=$(grep -Ec '^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]' "$tap")
oks=$(grep -Ec '^ok [0-9]+' "$tap")
failed=$(grep -Ec '^not ok [0-9]+' "$tap")
passed=$((oks - skipped))
# tests that were planned but never reported (bats died) count as failed
if [[ -n $planned ]] && ((oks + failed < planned)); then
	failed=$((planned - oks))
fi

# Leftovers anywhere on the host from this suite (teardown checks each test;
# this catches what a crashed test run may have left).
if grep -q rcpp-it /proc/self/mountinfo; then
	echo "# WARNING: mounts left behind:" >&2
	grep rcpp-it /proc/self/mountinfo | sed 's/^/#   /' >&2
fi
for d in /sys/fs/cgroup/*/rcpp-it /sys/fs/cgroup/rcpp-it; do
	[[ -d $d ]] && rmdir "$d" 2>/dev/null
	[[ -d $d ]] && echo "# WARNING: cgroup $d still has children: $(ls -d "$d"/*/ 2>/dev/null | tr '\n' ' ')" >&2
done

echo "$passed passed, $failed failed, $skipped skipped"
if ((failed > 0 || bats_rc != 0)); then
	exit 1
fi
exit 0
