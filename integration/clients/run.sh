#!/usr/bin/env bash
# integration/clients/run.sh [RUNTIME]: runs containerd.sh, docker.sh and
# podman.sh against RUNTIME (default: build/runc-cpp/runc-cpp of this tree)
# and prints the total as the last line: "N passed, N failed".
# A script that dies without its summary counts as one failure. Each script
# gets at most CLIENT_TIMEOUT seconds (default 300).
# CLIENTS="docker podman" runs a subset.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUNTIME=$(readlink -f "${1:-$HERE/../../build/runc-cpp/runc-cpp}")
passed=0 failed=0
for client in ${CLIENTS:-containerd docker podman}; do
	echo "=== $client"
	out=$(mktemp /tmp/rcpp-cl-out.XXXXXX)
	timeout -k 30 "${CLIENT_TIMEOUT:-300}" bash "$HERE/$client.sh" "$RUNTIME" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	last=$(tail -n 1 "$out")
	rm -f "$out"
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		((rc != 0 && BASH_REMATCH[2] == 0)) && failed=$((failed + 1))
	else
		echo "FAIL: $client.sh ended without a summary (exit $rc)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
