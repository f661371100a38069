#!/usr/bin/env bash
# Benchmark runc-cpp against crun and runc on the same busybox bundle, in the same run.
#
#   bash integration/bench/run.sh [--quick] [--no-1000] [--no-report] [--keep DIR]
#
#   --quick     fewer repetitions, no 1,000-container round (a smoke run, a few minutes)
#   --no-1000   full repetitions but skip the 1,000-container round
#   --no-report print the results only; leave docs/bench.md and docs/bench.png alone
#   --keep DIR  copy the raw results (JSON, traces, harness log) to DIR
#
# Environment: RUNC_CPP (binary to measure; default: build-perf/runc-cpp/runc-cpp, built
# here with --buildtype=release) and RUNC_CPP_REV (what to call its source in the report;
# default: the checkout's HEAD), CRUN, RUNC (default: from PATH).
#
# Needs root. All three runtimes run inside one private mount namespace in which
# /sys/fs/cgroup is a fresh tmpfs holding only the host's cgroup v1 hierarchies (crun refuses
# the hybrid layout, so the v2 "unified" mount is left out for everybody). Each runtime gets
# its own --root in a scratch dir, container ids start with rcppbench-<pid>, and everything
# is deleted on exit, also on failure or Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [[ ${1:-} == --inner ]]; then
	shift
	# shellcheck source=inner.sh
	source "$here/inner.sh"
	exit 0
fi

quick=0 many=(100 1000) report=1 keep=
while (($#)); do
	a=$1
	shift
	case $a in
	--quick) quick=1 many=(100) ;;
	--no-1000) many=(100) ;;
	--no-report) report=0 ;;
	--keep)
		keep=${1:?--keep needs a directory}
		shift
		;;
	-h | --help)
		awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"
		exit 0
		;;
	*)
		echo "run.sh: unknown argument $a" >&2
		exit 2
		;;
	esac
done
[[ $(id -u) == 0 ]] || {
	echo "run.sh: needs root" >&2
	exit 1
}

# Bench-only tools come from Debian; the project's deps.sh stays as it is.
need=()
for t in runc:runc crun:crun gnuplot:gnuplot-nox strace:strace python3:python3 busybox:busybox-static; do
	command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
if ((${#need[@]})); then
	echo "run.sh: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ -z ${RUNC_CPP:-} ]]; then
	if [[ ! -f $repo/build-perf/build.ninja ]]; then
		meson setup "$repo/build-perf" "$repo" --buildtype=release >/dev/null
	fi
	ninja -C "$repo/build-perf" runc-cpp/runc-cpp >/dev/null
	RUNC_CPP=$repo/build-perf/runc-cpp/runc-cpp
fi
RUNC_CPP_REV=${RUNC_CPP_REV:-}
CRUN=${CRUN:-$(command -v crun)}
RUNC=${RUNC:-$(command -v runc)}

scratch=$(mktemp -d /tmp/rcpp-bench.XXXXXX)
cleanup() {
	local rc=$?
	rm -rf "$scratch"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export RUNC_CPP CRUN RUNC quick scratch repo here RUNC_CPP_REV
export MANY="${many[*]}"
# The inner part runs in its own mount namespace: mounts made there vanish with it.
unshare -m --propagation private bash "$here/run.sh" --inner
if [[ -n $keep ]]; then
	mkdir -p "$keep"
	cp "$scratch"/{results.json,breakdown.json,versions.env,harness.log,strace-c.txt} "$scratch"/trace.* "$keep"/
fi

if ((report)); then
	python3 "$here/report.py" --results "$scratch/results.json" --breakdown "$scratch/breakdown.json" \
		--md "$repo/docs/bench.md" --png "$repo/docs/bench.png" --quick "$quick"
	echo "run.sh: wrote docs/bench.md and docs/bench.png" >&2
else
	python3 "$here/report.py" --results "$scratch/results.json" --breakdown "$scratch/breakdown.json" \
		--md /dev/stdout --quick "$quick"
fi
