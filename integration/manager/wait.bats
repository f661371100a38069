#!/usr/bin/env bats
# wait: blocks until containers exit, prints their exit codes.

load helpers

@test "wait: returns when the container exits, with its code; at once for an exited one" {
	mgr_bg --name mgr-w1 "$ROOTFS" sh -c 'sleep 0.8; exit 5'
	run mgr wait mgr-w1
	assert_status 0
	assert_output 5
	assert_eq "$(state_of mgr-w1)" exited
	run mgr_run --name mgr-w2 "$ROOTFS" sh -c 'exit 9'
	run mgr wait mgr-w1 mgr-w2
	assert_output "$(printf '5\n9')"
	run mgr wait mgr-nothere
	assert_status 1
	assert_contains "$output" "no such container"
}

@test "wait: a container killed while waited for gives 137" {
	mgr_bg --name mgr-w3 "$ROOTFS" sleep 100
	"$MANAGER" --root "$MROOT" wait mgr-w3 >"$TESTDIR/code" 2>&1 3>&- &
	local waiter=$!
	track_bg "$waiter"
	sleep 0.3
	pid_alive "$waiter" || fail "wait returned while the container runs"
	mgr kill mgr-w3 >/dev/null
	wait "$waiter"
	assert_eq "$(cat "$TESTDIR/code")" 137 "code"
}
