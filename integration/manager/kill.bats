#!/usr/bin/env bats
# kill: a signal to the container's init (default KILL).

load helpers

@test "kill: SIGKILL by default (exit 137); -s delivers another signal" {
	mgr_bg --name mgr-k "$ROOTFS" sh -c 'trap "echo got-USR1" USR1; echo ready; while :; do sleep 0.1; done'
	wait_for '[[ $(mgr logs mgr-k) == ready ]]'
	run mgr kill -s USR1 mgr-k
	assert_status 0
	assert_output mgr-k
	wait_for '[[ $(mgr logs --tail 1 mgr-k) == got-USR1 ]]'
	assert_eq "$(state_of mgr-k)" running
	run mgr kill mgr-k
	assert_status 0
	wait_for '[[ $(state_of mgr-k) == exited ]]'
	assert_eq "$(mgr inspect --format '{{.State.ExitCode}}' mgr-k)" 137
}

@test "kill: a container that is not running, or a bad signal, is an error" {
	run mgr_run --name mgr-k2 "$ROOTFS" true
	run mgr kill mgr-k2
	assert_status 1
	assert_contains "$output" "is not running"
	mgr_bg --name mgr-k3 "$ROOTFS" sleep 100
	run mgr kill -s NOSUCHSIG mgr-k3
	assert_status 1
	assert_contains "$output" "invalid signal"
	assert_eq "$(state_of mgr-k3)" running
}
