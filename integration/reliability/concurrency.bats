#!/usr/bin/env bats
# Concurrency: many containers at once, and contested commands on one id. Nothing may leak,
# no state may be corrupted, no command may crash or hang, and a loser gets a clear error.

load lib

setup() {
	setup_bundle
	ID=$TEST_ID-one
	mark_env "$ID"
	cfg_args sleep 100000
	# how long any one runtime call may take before it counts as a hang
	HANG=${RELIABILITY_HANG_SECS:-60}
}

teardown() {
	teardown_bundle
}

# bundle_for NAME: a config dir for container NAME that shares the test's rootfs (absolute
# root.path) and has its own cgroup /rcpp-it/$TEST_ID-NAME and mark. Prints the dir.
bundle_for() {
	local dir=$TESTDIR/b-$1
	mkdir -p "$dir"
	cp "$BUNDLE/config.json" "$dir/config.json"
	cfg_set 'c["root"]["path"] = "'"$BUNDLE/rootfs"'"; c["linux"]["cgroupsPath"] = "/'"$CGROUP_PARENT/$TEST_ID-$1"'"; c["process"]["env"] = [e for e in c["process"]["env"] if not e.startswith("RCPP_MARK=")] + ["RCPP_MARK='"$TEST_ID-$1"'"]' "$dir/config.json"
	echo "$dir"
}

# call OUT ARGS...: one runtime call with a hang limit; exit status to OUT.rc, output to OUT.out.
call() {
	local out=$1 rc=0
	shift
	timeout -s KILL "$HANG" "$RUNTIME" --root "$ROOT" "$@" </dev/null >"$out.out" 2>&1 3>&- || rc=$?
	echo "$rc" >"$out.rc"
}

# wait_all PID...: waits for the given jobs; `wait` returns early (status > 128) when a trapped
# signal arrives, so wait again until each one has really ended.
wait_all() {
	local p rc
	for p in "$@"; do
		while :; do
			rc=0
			wait "$p" || rc=$?
			((rc > 128)) && kill -0 "$p" 2>/dev/null && { echo "# wait interrupted ($rc)" >&3; continue; }
			((rc == 0)) || echo "# job $p ended with status $rc" >&3
			break
		done
	done
}

# check_call OUT [OK_STATUS...]: the call neither crashed nor hung, and if it failed it said
# why in one line that names an error.
check_call() {
	local out=$1 rc
	rc=$(cat "$out.rc")
	output=$(cat "$out.out")
	if ((rc == 137)); then
		echo "$out: hung for ${HANG}s (or was killed)" >&2
		return 1
	fi
	status=$rc
	no_crash || return 1
	if ((rc != 0)); then
		local lines
		lines=$(grep -c . <<<"$output")
		if ((lines == 0)) || [[ $output != *error* && $output != *rror* ]]; then
			echo "$out: failed with status $rc without a clear error: '$output'" >&2
			return 1
		fi
	fi
}

# lifecycle NAME: create, start, check running, delete --force; rc and output under $TESTDIR/w-NAME.
lifecycle() {
	local n=$1 dir id=$TEST_ID-$1 w=$TESTDIR/w-$1 rc=0
	dir=$(bundle_for "$n")
	{
		RCPP_MARK=$id timeout -s KILL "$HANG" "$RUNTIME" --root "$ROOT" create --bundle "$dir" "$id" &&
			timeout -s KILL "$HANG" "$RUNTIME" --root "$ROOT" start "$id" &&
			[[ $(timeout -s KILL "$HANG" "$RUNTIME" --root "$ROOT" state "$id" | json_get 'j["status"]') == running ]] &&
			timeout -s KILL "$HANG" "$RUNTIME" --root "$ROOT" delete --force "$id"
	} </dev/null >"$w.out" 2>&1 3>&- || rc=$?
	echo "$rc" >"$w.rc"
}

@test "50 parallel create/start/delete of distinct ids leave nothing behind" {
	local n=${RELIABILITY_PARALLEL:-50} i bad=0
	for ((i = 0; i < n; i++)); do bundle_for "p$i" >/dev/null; done
	local t0=$SECONDS
	for ((i = 0; i < n; i++)); do lifecycle "p$i" & done
	wait
	echo "# $n lifecycles in $((SECONDS - t0))s" >&3
	for ((i = 0; i < n; i++)); do
		if [[ $(cat "$TESTDIR/w-p$i.rc") != 0 ]]; then
			echo "container p$i: status $(cat "$TESTDIR/w-p$i.rc"): $(cat "$TESTDIR/w-p$i.out")" >&2
			bad=$((bad + 1))
		fi
	done
	((bad == 0)) || fail "$bad of $n lifecycles failed"
	run rt list -q
	assert_status 0
	assert_output ""
	for ((i = 0; i < n; i++)); do
		wait_procs_gone "$TEST_ID-p$i" 20
		assert_gone "$TEST_ID-p$i" "$TEST_ID-p$i"
	done
}

@test "two deletes at once: one wins, the other fails cleanly or finds nothing" {
	local round pids=()
	for round in 1 2 3 4 5; do
		run rt_marked "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
		assert_status 0
		call "$TESTDIR/d1" delete --force "$ID" &
		call "$TESTDIR/d2" delete --force "$ID" &
		wait
		check_call "$TESTDIR/d1"
		check_call "$TESTDIR/d2"
		local r1 r2
		r1=$(cat "$TESTDIR/d1.rc") r2=$(cat "$TESTDIR/d2.rc")
		[[ $r1 == 0 || $r2 == 0 ]] || fail "round $round: neither delete succeeded ($r1, $r2)"
		wait_procs_gone "$ID" 50
		assert_gone "$ID" "$TEST_ID"
	done
}

@test "two creates of one id at once: exactly one wins, the loser says why" {
	local round pids=()
	for round in 1 2 3 4 5; do
		RCPP_MARK=$ID call "$TESTDIR/c1" create --bundle "$BUNDLE" "$ID" &
		pids+=($!)
		RCPP_MARK=$ID call "$TESTDIR/c2" create --bundle "$BUNDLE" "$ID" &
		pids+=($!)
		wait_all "${pids[@]}"
		pids=()
		check_call "$TESTDIR/c1"
		check_call "$TESTDIR/c2"
		local r1 r2
		r1=$(cat "$TESTDIR/c1.rc") r2=$(cat "$TESTDIR/c2.rc")
		if ! { [[ $r1 == 0 && $r2 != 0 ]] || [[ $r1 != 0 && $r2 == 0 ]]; }; then
			fail "round $round: create statuses $r1 and $r2 ($(cat "$TESTDIR/c1.out") / $(cat "$TESTDIR/c2.out"))"
		fi
		[[ $(status_of "$ID") == created ]] || fail "round $round: status $(status_of "$ID") after the race"
		run rt delete --force "$ID"
		assert_status 0
		wait_procs_gone "$ID" 50
		assert_gone "$ID" "$TEST_ID"
	done
}

@test "two starts at once: exactly one wins, the loser says why" {
	local round pids=()
	for round in 1 2 3; do
		run rt_marked "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
		assert_status 0
		call "$TESTDIR/s1" start "$ID" &
		pids+=($!)
		call "$TESTDIR/s2" start "$ID" &
		pids+=($!)
		wait_all "${pids[@]}"
		pids=()
		check_call "$TESTDIR/s1"
		check_call "$TESTDIR/s2"
		local r1 r2
		r1=$(cat "$TESTDIR/s1.rc") r2=$(cat "$TESTDIR/s2.rc")
		if ! { [[ $r1 == 0 && $r2 != 0 ]] || [[ $r1 != 0 && $r2 == 0 ]]; }; then
			fail "round $round: start statuses $r1 and $r2 ($(cat "$TESTDIR/s1.out") / $(cat "$TESTDIR/s2.out"))"
		fi
		wait_status "$ID" running
		run rt delete --force "$ID"
		assert_status 0
		wait_procs_gone "$ID" 50
		assert_gone "$ID" "$TEST_ID"
	done
}

@test "start, kill and delete at once on one id: no crash, no hang, no leak" {
	local round pids=()
	for round in 1 2 3 4 5; do
		run rt_marked "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
		assert_status 0
		call "$TESTDIR/s" start "$ID" &
		pids+=($!)
		call "$TESTDIR/k" kill "$ID" KILL &
		pids+=($!)
		call "$TESTDIR/d" delete "$ID" &
		pids+=($!)
		wait_all "${pids[@]}"
		pids=()
		check_call "$TESTDIR/s"
		check_call "$TESTDIR/k"
		check_call "$TESTDIR/d"
		# whatever happened, state answers with valid JSON or says the container is gone
		run rt state "$ID"
		no_crash
		if ((status == 0)); then
			json_get 'j["status"]' <<<"$output" >/dev/null || fail "state is not JSON: $output"
		fi
		run rt delete --force "$ID"
		no_crash
		wait_procs_gone "$ID" 50
		assert_gone "$ID" "$TEST_ID"
	done
}

@test "list and state during a storm of creates and deletes never crash" {
	local i
	for i in 0 1 2 3 4 5 6 7; do bundle_for "s$i" >/dev/null; done
	(
		for round in 1 2 3; do
			for i in 0 1 2 3 4 5 6 7; do lifecycle "s$i" & done
			wait
		done
	) &
	local storm=$!
	local bad=0
	while kill -0 "$storm" 2>/dev/null; do
		call "$TESTDIR/l" list --format json
		check_call "$TESTDIR/l" || bad=$((bad + 1))
		# an empty list is `null`, as runc prints it
		[[ $(cat "$TESTDIR/l.rc") == 0 && $(json_get 'j is None or isinstance(j, list)' <"$TESTDIR/l.out" 2>&1) != true ]] && {
			echo "list output is not JSON: $(cat "$TESTDIR/l.out")" >&2
			bad=$((bad + 1))
		}
		call "$TESTDIR/st" state "$TEST_ID-s3"
		check_call "$TESTDIR/st" || bad=$((bad + 1))
	done
	wait "$storm"
	((bad == 0)) || fail "$bad list/state calls misbehaved"
	for i in 0 1 2 3 4 5 6 7; do
		[[ $(cat "$TESTDIR/w-s$i.rc") == 0 ]] || fail "lifecycle s$i: $(cat "$TESTDIR/w-s$i.out")"
		assert_gone "$TEST_ID-s$i" "$TEST_ID-s$i"
	done
}
