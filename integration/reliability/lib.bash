# Helpers shared by the reliability tests (crash consistency, concurrency, soak). They build
# on integration/lib/helpers.bash: per-test $TESTDIR, $ROOT, $BUNDLE, $TEST_ID and the
# teardown that force-deletes and reports leftovers.

load ../lib/helpers

# procs_with MARK: pids whose environment holds RCPP_MARK=MARK. The tests run the runtime
# with that variable and put it into the container's process.env too, so this finds the
# runtime, the clone of it that becomes the container init (it has the runtime's environment
# until its execve) and the container process with its children.
procs_with() {
	local f p
	# one grep over every environ file (a fork per process is far too slow under load)
	for f in $(grep -lzx "RCPP_MARK=$1" /proc/[0-9]*/environ 2>/dev/null); do
		p=${f#/proc/}
		p=${p%/environ}
		[[ $p == "$$" || $p == "$BASHPID" ]] || echo "$p"
	done
	return 0
}

# mark_env ID: adds RCPP_MARK=ID to the bundle's process.env.
mark_env() {
	cfg_set 'c["process"].setdefault("env", []).append("RCPP_MARK='"$1"'")' "${2:-$BUNDLE/config.json}"
}

# rt_marked CMD...: runs CMD with RCPP_MARK=$ID, its output going to $TESTDIR/bg.log (a
# container started by it must not hold bats' output pipe); prints what this call wrote.
rt_marked() {
	local log=$TESTDIR/bg.log rc=0 size=0
	[[ -f $log ]] && size=$(stat -c %s "$log")
	RCPP_MARK=$ID "$@" </dev/null >>"$log" 2>&1 3>&- || rc=$?
	tail -c +$((size + 1)) "$log"
	return $rc
}

# cgroups_named NAME: cgroup directories (any controller, the unified one included) whose
# path ends in NAME.
cgroups_named() {
	local d
	for d in "$CGROUP_ROOT"/*/"$CGROUP_PARENT"/"$1" "$CGROUP_ROOT"/"$CGROUP_PARENT"/"$1"; do
		[[ -d $d ]] && echo "$d"
	done
	return 0
}

# mounts_under DIR: host mount points inside DIR.
mounts_under() {
	awk -v p="$1" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo
}

# assert_gone ID CGNAME: no state dir, cgroup, process or host mount of container ID remains.
# Prints every leftover found.
assert_gone() {
	local id=$1 cg=$2 left=()
	[[ -e $ROOT/$id ]] && left+=("state dir $ROOT/$id")
	local d
	while read -r d; do [[ -n $d ]] && left+=("cgroup $d"); done < <(cgroups_named "$cg")
	local p
	while read -r p; do [[ -n $p ]] && left+=("process $p: $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"); done < <(procs_with "$id")
	local m
	while read -r m; do [[ -n $m ]] && left+=("mount $m"); done < <(mounts_under "$TESTDIR")
	if ((${#left[@]})); then
		printf 'left behind: %s\n' "${left[@]}" >&2
		return 1
	fi
}

# no_crash: the last `run` ended with an exit status, not a signal (a crash or a sanitizer
# abort shows as >= 128, or as ASan's own exit code 23/UBSan's 24 when the build has them).
no_crash() {
	if ((status >= 128)); then
		echo "runtime died with status $status; output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
	if [[ $output == *"ERROR: AddressSanitizer"* || $output == *"runtime error:"* || $output == *"ERROR: LeakSanitizer"* ]]; then
		echo "sanitizer report:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# wait_procs_gone MARK [TENTHS]: waits until no process with MARK is alive (zombies aside).
wait_procs_gone() {
	local mark=$1 tries=${2:-50} p alive i
	for ((i = 0; i < tries; i++)); do
		alive=
		for p in $(procs_with "$mark"); do pid_alive "$p" && alive+=" $p"; done
		[[ -z $alive ]] && return 0
		sleep 0.1
	done
	echo "still alive:$alive" >&2
	return 1
}
