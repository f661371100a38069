#!/usr/bin/env bash
# Benchmark runc-cpp against crun and runc on the same busybox bundle, in the same run, with
# the kernel floor of `run` taking its turn with them, and (shim.sh) our containerd shim
# against containerd-shim-runc-v2 + runc; checks issue 18's goals on the numbers.
#
#   bash integration/bench/run.sh [--quick] [--no-1000] [--shim | --no-shim] [--no-report] [--keep DIR]
#
#   --quick     fewer repetitions, no 1,000-container round (a smoke run, a few minutes)
#   --no-1000   full repetitions but skip the 1,000-container round
#   --shim      the containerd rows (integration/bench/shim.sh: ctr run --rm, exec, kill,
#               pod of 3, 20-task teardown; full: 30 runs, 5 pod rounds; quick: 8 runs, 2
#               pod rounds); on by default when containerd, ctr and containerd-shim-runc-v2
#               are installed; with --shim their absence is an error
#   --no-shim   leave the containerd rows out
#   --no-report print the results only; leave docs/bench.md and docs/bench.png alone
#   --keep DIR  copy the raw results (JSON, traces, logs, shim.sh's table) to DIR
#
# Environment: RUNC_CPP (binary to measure; default: build-perf/runc-cpp/runc-cpp, built
# here with --buildtype=release) and RUNC_CPP_REV (what to call its source in the report;
# default: the checkout's HEAD), CRUN, RUNC (default: from PATH), SHIM (default:
# build-perf/shim/containerd-shim-runccpp-v2, built here too when the shim part runs).
#
# Needs root. All three runtimes run inside one private mount namespace in which
# /sys/fs/cgroup is a fresh tmpfs holding only the host's cgroup v1 hierarchies (crun refuses
# the hybrid layout, so the v2 "unified" mount is left out for everybody). Each runtime gets
# its own --root in a scratch dir, container ids start with rcppbench-<pid>, and everything
# is deleted on exit, also on failure or Ctrl-C. The containerd part (shim.sh) runs after
# them on the host's own cgroups with a private containerd of its own, and cleans up the same
# way. A run whose 1-minute load average reached 1 is marked as not valid for the goals.
# Exit status 1 also when shim.sh failed or some of its operations did (after the report,
# which says so).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [[ ${1:-} == --inner ]]; then
	shift
	# shellcheck source=inner.sh
	source "$here/inner.sh"
	exit 0
fi

quick=0 many=(100 1000) report=1 keep="" shim=auto
while (($#)); do
	a=$1
	shift
	case $a in
	--quick) quick=1 many=(100) ;;
	--no-1000) many=(100) ;;
	--no-report) report=0 ;;
	--shim) shim=yes ;;
	--no-shim) shim=no ;;
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

# The containerd part: decided before anything is built or measured.
shim_note=
if [[ $shim != no ]]; then
	missing=()
	for t in containerd ctr containerd-shim-runc-v2; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	if ((${#missing[@]})); then
		if [[ $shim == yes ]]; then
			echo "run.sh: --shim needs ${missing[*]} (apt-get install containerd)" >&2
			exit 1
		fi
		shim=no shim_note="${missing[*]} not installed"
	fi
else
	shim_note="left out (--no-shim)"
fi

perf_setup() {
	if [[ ! -f $repo/build-perf/build.ninja ]]; then
		meson setup "$repo/build-perf" "$repo" --buildtype=release >/dev/null
	fi
}
perf_build() { # TARGET...: a release build in build-perf/
	perf_setup
	ninja -C "$repo/build-perf" "$@" >/dev/null
}
if [[ -z ${RUNC_CPP:-} ]]; then
	perf_build runc-cpp/runc-cpp
	RUNC_CPP=$repo/build-perf/runc-cpp/runc-cpp
fi
if [[ $shim != no && -z ${SHIM:-} ]]; then
	perf_setup
	targets=$(ninja -C "$repo/build-perf" -t targets all)
	if grep -q '^shim/containerd-shim-runccpp-v2:' <<<"$targets"; then
		perf_build shim/containerd-shim-runccpp-v2
		SHIM=$repo/build-perf/shim/containerd-shim-runccpp-v2
	elif [[ $shim == yes ]]; then
		echo "run.sh: --shim: build-perf/ has no shim target (meson skipped it: see shim/meson.build)" >&2
		exit 1
	else
		shim=no shim_note="the shim is not built in build-perf/ (see shim/meson.build)"
	fi
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

# The containerd part runs on the host's own cgroup layout (containerd's cgroups), after the
# runtimes, with shim.sh's own load readings; its samples come back as JSON.
shim_rc=0
shim_args=()
if [[ $shim != no ]]; then
	echo "bench: containerd: our shim and the runc shim (shim.sh) ..." >&2
	if ((quick)); then
		settings=(CONTAINERS=3 RUNS=8 TEARDOWN=20 POD_RUNS=2)
	else
		settings=(CONTAINERS=5 RUNS=30 TEARDOWN=20 POD_RUNS=5)
	fi
	env "${settings[@]}" JSON="$scratch/shim.json" bash "$here/shim.sh" "$SHIM" \
		>"$scratch/shim-table.md" 2>"$scratch/shim.log" || shim_rc=$?
	if [[ -s $scratch/shim.json ]]; then
		shim_args=(--shim "$scratch/shim.json")
		((shim_rc == 0)) || echo "run.sh: shim.sh: some operations failed (exit $shim_rc; $scratch/shim.log follows)" >&2
	else
		shim_note="shim.sh failed (exit $shim_rc)"
	fi
	((shim_rc == 0)) || sed 's/^/shim.sh: /' "$scratch/shim.log" >&2
fi
[[ -z $shim_note ]] || shim_args+=(--shim-note "$shim_note")

if [[ -n $keep ]]; then
	mkdir -p "$keep"
	cp "$scratch"/{results.json,breakdown.json,versions.env,harness.log,strace-c.txt} "$scratch"/trace.* "$keep"/
	for f in shim.json shim-table.md shim.log; do
		[[ ! -e $scratch/$f ]] || cp "$scratch/$f" "$keep"/
	done
fi

if ((report)); then
	python3 "$here/report.py" --results "$scratch/results.json" --breakdown "$scratch/breakdown.json" \
		"${shim_args[@]}" --md "$repo/docs/bench.md" --png "$repo/docs/bench.png" --quick "$quick"
	echo "run.sh: wrote docs/bench.md and docs/bench.png" >&2
else
	python3 "$here/report.py" --results "$scratch/results.json" --breakdown "$scratch/breakdown.json" \
		"${shim_args[@]}" --md /dev/stdout --quick "$quick"
fi
# A shim part with failed operations fails the run (after the report, which says so).
exit $((shim_rc != 0))
