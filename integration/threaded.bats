#!/usr/bin/env bats
# Multi-threaded embedders (issue 16 item 4, docs/threads.md): the kernel facts that make a
# launch need a single-threaded caller, and lc::RemoteRuntime's helper serving several
# threads at once. The programs are built with the project (tests/threaded/).

load lib/helpers

THREADED_DIR=${THREADED_DIR:-$PROJECT_DIR/build/tests/threaded}

setup() {
	[[ -x $THREADED_DIR/threaded-embedder ]] || skip "build tests/threaded first (THREADED_DIR=$THREADED_DIR)"
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "threaded probe: setns into user, mount and time namespaces fails with a second thread; dumpable, cwd and umask are process-wide" {
	run "$THREADED_DIR/threaded-probe"
	[[ $status -eq 77 ]] && skip "$output"
	echo "$output"
	assert_status 0
	assert_contains "$output" "ok: threaded: setns(CLONE_NEWUSER) fails with EINVAL"
	assert_contains "$output" "ok: threaded: setns(CLONE_NEWTIME) fails with EUSERS"
}

@test "helper: 4 threads each create, start, exec into, read stats of and delete a container at once" {
	run "$THREADED_DIR/threaded-embedder" "$BUNDLE/rootfs" "$ROOT" 4 "$TEST_ID" "$CGROUP_PARENT"
	echo "$output"
	assert_status 0
	assert_contains "$output" "0 failures"
	assert_not_contains "$output" "FAIL"
	# every thread got to its end, and the terminal exec (thread 0) ran
	local i
	for i in 0 1 2 3; do
		assert_contains "$output" "ok: $TEST_ID-$i exec output"
		assert_contains "$output" "ok: $TEST_ID-$i no longer loads"
	done
	assert_contains "$output" "ok: $TEST_ID-0 output through the pty"
	assert_contains "$output" "ok: $TEST_ID-1 create gives the pty master"
	local helper
	helper=$(sed -n 's/^helper \([0-9]*\)$/\1/p' <<<"$output")
	[[ -n $helper ]] || fail "no helper pid printed"
	! kill -0 "$helper" 2>/dev/null || fail "helper $helper still runs"
}

@test "helper: exits when its embedder is killed; the container it started stays until deleted" {
	run "$THREADED_DIR/threaded-embedder" --die "$BUNDLE/rootfs" "$ROOT" "$TEST_ID" "$CGROUP_PARENT"
	assert_status 137
	local helper init
	read -r _ helper _ init <<<"$output"
	[[ $helper =~ ^[0-9]+$ && $init =~ ^[0-9]+$ ]] || fail "unexpected output: $output"
	local tries=0
	while kill -0 "$helper" 2>/dev/null && ((tries < 50)); do
		sleep 0.1
		tries=$((tries + 1))
	done
	! kill -0 "$helper" 2>/dev/null || fail "helper $helper outlived its embedder"
	kill -0 "$init" || fail "the container's init $init died with the helper"
	assert_eq "$(status_of "$TEST_ID")" running
	run rt delete --force "$TEST_ID"
	assert_status 0
}

@test "helper: joining a time namespace fails in the library from a threaded caller (EUSERS) and works through the helper" {
	[[ -e /proc/self/ns/time ]] || skip "the kernel has no time namespaces"
	command -v unshare >/dev/null || skip "no unshare(1)"
	unshare --time --fork sleep 100 </dev/null >/dev/null 2>&1 &
	local holder=$! member="" tries=0
	while [[ -z $member ]] && ((tries < 50)); do
		member=$(pgrep -P "$holder" sleep || true)
		sleep 0.1
		tries=$((tries + 1))
	done
	[[ -n $member ]] || { kill "$holder"; skip "unshare --time did not start"; }
	run "$THREADED_DIR/threaded-embedder" --timens "$BUNDLE/rootfs" "$ROOT" "$TEST_ID" "$CGROUP_PARENT" "/proc/$member/ns/time"
	kill "$holder" "$member" 2>/dev/null || true
	echo "$output"
	assert_status 0
	assert_contains "$output" "direct: unable to start container process: setns: too many users"
	assert_contains "$output" "helper: created"
}
