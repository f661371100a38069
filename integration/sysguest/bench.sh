#!/usr/bin/env bash
# integration/sysguest/bench.sh - the docs/bench.md row for modern hosts: `run` and
# create + start + delete with --systemd-cgroup, runc-cpp vs crun vs runc, side by side in one
# boot of the systemd guest (TCG emulation inflates every runtime's times alike). Run it under
# the heavy lock on a quiet machine:  flock /tmp/rcpp-heavy.lock bash integration/sysguest/bench.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$(cd "$here/../.." && pwd)
RUNTIME=${RUNTIME:-$project/build/runc-cpp/runc-cpp}
(
	bats_require_minimum_version() { :; }
	source "$project/integration/lib/helpers.bash"
	ensure_pristine_bundle
)
echo "host load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
RUNTIME=$RUNTIME SYSGUEST_BUNDLE=$project/integration/.cache/bundle SYSGUEST_ROUNDS=${ROUNDS:-30} \
	bash "$here/vm.sh" -- bash -c 'timeout 300 systemctl is-system-running --wait >/dev/null;
	BUNDLE=$SYSGUEST_BUNDLE ROUNDS=$SYSGUEST_ROUNDS python3 -S '"$here"'/bench.py'
