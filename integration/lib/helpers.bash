# Shared helpers for the runc-cpp bats integration suite.
#
# Every test gets:
#   TESTDIR  a fresh directory /tmp/rcpp-it.XXXXXX (the "rcpp" in the name makes
#            stray mounts easy to spot with `grep rcpp /proc/self/mountinfo`)
#   ROOT     $TESTDIR/state, passed as --root to every runtime call
#   BUNDLE   $TESTDIR/bundle, a copy of the pristine busybox bundle; the
#            current directory of the test
#   TEST_ID  a name unique to this test run; the bundle's cgroupsPath is
#            /rcpp-it/$TEST_ID
#
# The runtime under test is $RUNTIME (default: the project's own binary at
# build/runc-cpp/runc-cpp). The suite is checked against stock runc with
# RUNTIME=/usr/bin/runc.

bats_require_minimum_version 1.5.0

INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECT_DIR=$(dirname "$INTEGRATION_DIR")
RUNTIME=${RUNTIME:-$PROJECT_DIR/build/runc-cpp/runc-cpp}
CACHE_DIR=$INTEGRATION_DIR/.cache
PRISTINE_BUNDLE=$CACHE_DIR/bundle
CGROUP_PARENT=rcpp-it
CGROUP_ROOT=/sys/fs/cgroup
# python3 does the JSON work. Prefer the system interpreter: version-manager
# shims (pyenv) cost ~150ms per call, which adds up over the suite.
if [[ -z ${PYTHON:-} ]]; then
	if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

# ---------------------------------------------------------------------------
# assertions (no bats-assert here: keep the suite self-contained)

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# assert_status N: $status (from `run`) must be N.
assert_status() {
	if [[ $status -ne $1 ]]; then
		echo "expected exit status $1, got $status; output was:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# assert_output TEXT: $output must be exactly TEXT.
assert_output() {
	if [[ $output != "$1" ]]; then
		echo "expected output:" >&2
		printf '%s\n' "$1" | sed 's/^/  | /' >&2
		echo "actual output:" >&2
		printf '%s\n' "$output" | sed 's/^/  | /' >&2
		return 1
	fi
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	if [[ $1 != *"$2"* ]]; then
		echo "expected to find: $2" >&2
		echo "in:" >&2
		printf '%s\n' "$1" | sed 's/^/  | /' >&2
		return 1
	fi
}

# assert_not_contains HAYSTACK NEEDLE
assert_not_contains() {
	if [[ $1 == *"$2"* ]]; then
		echo "did not expect to find: $2" >&2
		echo "in:" >&2
		printf '%s\n' "$1" | sed 's/^/  | /' >&2
		return 1
	fi
}

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
	if [[ $1 != "$2" ]]; then
		echo "${3:-value}: expected '$2', got '$1'" >&2
		return 1
	fi
}

# assert_match ACTUAL REGEX [WHAT]
assert_match() {
	if ! [[ $1 =~ $2 ]]; then
		echo "${3:-value}: '$1' does not match /$2/" >&2
		return 1
	fi
}

# assert_one_error_line: $output (runtime stderr) holds exactly one non-empty
# line and it is an error. Prints nothing; use after `run`.
assert_one_error_line() {
	local n
	n=$(printf '%s\n' "$output" | grep -c .)
	if [[ $n -ne 1 ]]; then
		echo "expected exactly one line of error output, got $n:" >&2
		printf '%s\n' "$output" | sed 's/^/  | /' >&2
		return 1
	fi
	assert_contains "$output" "error"
}

# ---------------------------------------------------------------------------
# runtime wrappers

# is_go_runc_before_1_2: the runtime is the Go runc 1.0/1.1 (the reference
# here is 1.1.5). Tests of behaviour that runc 1.2 changed (and runc-cpp
# follows) check 1.1's behaviour for it instead, or skip.
is_go_runc_before_1_2() {
	local v
	v=$("$RUNTIME" --version 2>/dev/null | awk 'NR == 1 && $1 == "runc" && $2 == "version" { v = $3 } /^go: ?go/ { go = 1 } END { if (go) print v }')
	[[ $v == 1.0.* || $v == 1.1.* || $v == 1.0 || $v == 1.1 ]]
}

# is_go_runc: RUNTIME is runc itself (any version), not runc-cpp (whose wording differs).
is_go_runc() {
	"$RUNTIME" --version 2>/dev/null | grep -q '^go: \?go'
}

require_runtime() {
	if [[ ! -x $RUNTIME ]]; then
		echo "runtime $RUNTIME is not an executable; build it or set RUNTIME=" >&2
		return 1
	fi
}

# rt ARGS...: the runtime with this test's --root.
rt() {
	"$RUNTIME" --root "$ROOT" "$@"
}

# rt_bg ARGS... ID: for commands that leave a container process behind
# (create, run --detach). The container inherits the runtime's stdio, so the
# stdio goes to $TESTDIR/bg-ID.log instead of to bats (which would wait for
# it); once the runtime has exited the file is printed, so `run rt_bg ...`
# sees the runtime's own messages in $output. Later container output keeps
# going to that file (appended to, one file per id): read it with bg_log ID.
rt_bg() {
	local id=${!#}
	local log=$TESTDIR/bg-${id//\//_}.log
	local rc=0 size=0
	[[ -f $log ]] && size=$(stat -c %s "$log")
	"$RUNTIME" --root "$ROOT" "$@" </dev/null >>"$log" 2>&1 3>&- || rc=$?
	# only what this call added (the file may hold an earlier container's)
	tail -c +$((size + 1)) "$log"
	return $rc
}

bg_log() {
	cat "$TESTDIR/bg-${1//\//_}.log"
}

# pid_alive PID: the process exists and is not a zombie (a killed init may
# stay a zombie for a while until whoever it was reparented to reaps it).
pid_alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}

# state_json ID: prints the state JSON (fails if the runtime fails).
state_json() {
	rt state "$1"
}

# json_get EXPR [FILE]: evaluates a python expression on `j` (the JSON document
# read from FILE or stdin). Strings print raw, everything else as JSON.
json_get() {
	local expr=$1 file=${2:--}
	"$PYTHON" -c '
import json, sys
src = sys.argv[2]
j = json.load(sys.stdin if src == "-" else open(src))
v = eval(sys.argv[1], {"j": j})
print(v if isinstance(v, str) else json.dumps(v))
' "$expr" "$file"
}

# state_get ID EXPR: json_get on the container's state.
state_get() {
	local js
	js=$(rt state "$1") || return 1
	json_get "$2" <<<"$js"
}

# status_of ID: prints the status field, or "absent" if state fails.
status_of() {
	local js
	if js=$(rt state "$1" 2>/dev/null); then
		json_get 'j["status"]' <<<"$js"
	else
		echo absent
	fi
}

# wait_status ID STATUS [TENTHS]: poll until the container has STATUS.
wait_status() {
	local id=$1 want=$2 tries=${3:-50} s
	for ((i = 0; i < tries; i++)); do
		s=$(status_of "$id")
		[[ $s == "$want" ]] && return 0
		sleep 0.1
	done
	echo "container $id: status '$s', wanted '$want'" >&2
	return 1
}

# ---------------------------------------------------------------------------
# config.json editing (python3; jq is not required)

# cfg_set 'PYTHON STATEMENTS' [CONFIG]: runs the statements with `c` bound to
# the parsed config (default $BUNDLE/config.json) and writes it back.
# Helpers available in the statements: ns(type) -> namespace entry or None.
cfg_set() {
	local cfg=${2:-$BUNDLE/config.json}
	"$PYTHON" -c '
import json, sys
path = sys.argv[2]
with open(path) as f:
    c = json.load(f)
def ns(t):
    for n in c.get("linux", {}).get("namespaces", []):
        if n["type"] == t:
            return n
    return None
exec(sys.argv[1], {"c": c, "ns": ns, "json": json})
with open(path, "w") as f:
    json.dump(c, f, indent="\t")
' "$1" "$cfg"
}

# cfg_args ARG...: sets process.args.
cfg_args() {
	"$PYTHON" -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@" >"$TESTDIR/.args"
	cfg_set 'c["process"]["args"] = json.load(open("'"$TESTDIR"'/.args"))'
}

# cfg_sh 'SCRIPT': process.args = ["sh", "-c", SCRIPT].
cfg_sh() {
	cfg_args sh -c "$1"
}

# cfg_mount DEST TYPE SOURCE [OPTION...]: appends a mount.
cfg_mount() {
	local dest=$1 type=$2 src=$3
	shift 3
	"$PYTHON" -c 'import json,sys; print(json.dumps({"destination": sys.argv[1], "type": sys.argv[2], "source": sys.argv[3], "options": sys.argv[4:]}))' \
		"$dest" "$type" "$src" "$@" >"$TESTDIR/.mount"
	cfg_set 'c["mounts"].append(json.load(open("'"$TESTDIR"'/.mount")))'
}

# ---------------------------------------------------------------------------
# bundles

# ensure_pristine_bundle: (re)builds integration/.cache/bundle when missing or
# when make-bundle.sh changed. Serialised with flock for parallel runs.
ensure_pristine_bundle() {
	mkdir -p "$CACHE_DIR"
	local stamp
	stamp=$(cksum <"$INTEGRATION_DIR/lib/make-bundle.sh")
	(
		flock 9
		if [[ ! -f $CACHE_DIR/bundle.stamp || $(cat "$CACHE_DIR/bundle.stamp") != "$stamp" || ! -f $PRISTINE_BUNDLE/config.json ]]; then
			rm -rf "$PRISTINE_BUNDLE" "$CACHE_DIR/bundle.tmp"
			"$INTEGRATION_DIR/lib/make-bundle.sh" "$CACHE_DIR/bundle.tmp" >&2 || exit 1
			mv "$CACHE_DIR/bundle.tmp" "$PRISTINE_BUNDLE"
			echo "$stamp" >"$CACHE_DIR/bundle.stamp"
		fi
	) 9>"$CACHE_DIR/.lock"
}

# copy_bundle DEST: copies the pristine bundle to DEST. The rootfs is
# hard-linked (a full copy of ~400 applet symlinks costs ~0.2s a test on some
# file systems); config.json and /etc are real copies, so they may be edited.
# Tests must not modify other existing rootfs files in place.
copy_bundle() {
	local dest=$1
	mkdir -p "$dest"
	cp -al "$PRISTINE_BUNDLE/rootfs" "$dest/rootfs"
	rm -rf "$dest/rootfs/etc"
	cp -a "$PRISTINE_BUNDLE/rootfs/etc" "$dest/rootfs/etc"
	cp -a "$PRISTINE_BUNDLE/config.json" "$dest/config.json"
}

# new_bundle NAME: copies the pristine bundle to $TESTDIR/NAME with its own
# cgroupsPath (/rcpp-it/$TEST_ID-NAME) and prints the path.
new_bundle() {
	local dir=$TESTDIR/$1
	copy_bundle "$dir"
	cfg_set 'c["linux"]["cgroupsPath"] = "/'"$CGROUP_PARENT/$TEST_ID-$1"'"' "$dir/config.json"
	echo "$dir"
}

# setup_bundle: the usual per-test setup.
setup_bundle() {
	require_runtime
	ensure_pristine_bundle
	TESTDIR=$(mktemp -d /tmp/rcpp-it.XXXXXX)
	ROOT=$TESTDIR/state
	TEST_ID=t${BATS_TEST_NUMBER:-0}-${TESTDIR##*.}
	BUNDLE=$TESTDIR/bundle
	copy_bundle "$BUNDLE"
	cfg_set 'c["linux"]["cgroupsPath"] = "/'"$CGROUP_PARENT/$TEST_ID"'"'
	cd "$BUNDLE"
}

# setup_plain: a temp dir and a root, no bundle (cli tests).
setup_plain() {
	require_runtime
	TESTDIR=$(mktemp -d /tmp/rcpp-it.XXXXXX)
	ROOT=$TESTDIR/state
	TEST_ID=t${BATS_TEST_NUMBER:-0}-${TESTDIR##*.}
	BUNDLE=
	cd "$TESTDIR"
}

# test_cgroup_dirs: prints every cgroup directory that belongs to this test.
test_cgroup_dirs() {
	local d
	for d in "$CGROUP_ROOT"/*/"$CGROUP_PARENT"/"$TEST_ID" "$CGROUP_ROOT"/*/"$CGROUP_PARENT"/"$TEST_ID"-* \
		"$CGROUP_ROOT"/"$CGROUP_PARENT"/"$TEST_ID" "$CGROUP_ROOT"/"$CGROUP_PARENT"/"$TEST_ID"-*; do
		[[ -d $d ]] && echo "$d"
	done
	return 0
}

# teardown_bundle: force-deletes every container of this test, then checks
# that nothing was left behind (state dirs, cgroups, mounts, processes),
# cleans up whatever was, and fails the test if anything was.
teardown_bundle() {
	cd /
	[[ -n ${TESTDIR:-} && -d $TESTDIR ]] || return 0
	local problems=() id ids=() d pid

	if [[ -d $ROOT ]]; then
		mapfile -t ids < <(
			"$RUNTIME" --root "$ROOT" list -q 2>/dev/null
			find "$ROOT" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null
		)
		for id in $(printf '%s\n' "${ids[@]}" | sort -u); do
			"$RUNTIME" --root "$ROOT" delete --force "$id" </dev/null >/dev/null 2>&1 3>&- ||
				problems+=("delete --force $id failed")
		done
		# The state directory of a deleted container must be gone.
		while read -r d; do
			problems+=("state dir left in root: $d")
			rm -rf "$d"
		done < <(find "$ROOT" -mindepth 1 -maxdepth 1 -type d)
	fi

	# Cgroups of this test: every process must be gone and so must the dirs.
	# (The runtime may remove them asynchronously after the init died, so
	# give it a moment.)
	local tries=0
	while [[ -n $(test_cgroup_dirs) && $tries -lt 20 ]]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	local left
	left=$(test_cgroup_dirs)
	if [[ -n $left ]]; then
		while read -r d; do
			problems+=("cgroup left: $d")
			if [[ -f $d/cgroup.procs ]]; then
				while read -r pid; do
					kill -9 "$pid" 2>/dev/null
				done <"$d/cgroup.procs"
			fi
		done <<<"$left"
		sleep 0.2
		while read -r d; do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done <<<"$left"
	fi
	for d in "$CGROUP_ROOT"/*/"$CGROUP_PARENT" "$CGROUP_ROOT"/"$CGROUP_PARENT"; do
		[[ -d $d ]] && rmdir "$d" 2>/dev/null
	done

	finish_teardown
}

# finish_teardown: the last steps of a teardown that has collected its findings in the array
# `problems`: no mount may point into $TESTDIR on the host (they are lazily unmounted and
# reported), $TESTDIR is removed, and any problem fails the test.
finish_teardown() {
	local mnts
	mnts=$(awk -v p="$TESTDIR" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo)
	if [[ -n $mnts ]]; then
		problems+=("mounts left: $(echo $mnts)")
		sort -r <<<"$mnts" | while read -r d; do umount -l "$d" 2>/dev/null; done
	fi
	rm -rf "$TESTDIR"
	if ((${#problems[@]})); then
		printf 'teardown: %s\n' "${problems[@]}" >&2
		return 1
	fi
	return 0
}
