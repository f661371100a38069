#!/usr/bin/env bats
# stop: TERM, a grace period, then KILL; exit codes 143 and 137 as docker reports them.

load helpers

@test "stop: a process that handles TERM exits within the grace period (exit 143)" {
	mgr_bg --name mgr-st "$ROOTFS" sh -c 'trap "echo got-TERM; exit 143" TERM; echo ready; while :; do sleep 0.1; done'
	wait_for '[[ $(mgr logs mgr-st) == ready ]]'
	SECONDS=0
	run mgr stop -t 10 mgr-st
	assert_status 0
	assert_output mgr-st
	[[ $SECONDS -lt 8 ]] || fail "stop took ${SECONDS}s for a process that handles TERM"
	assert_eq "$(mgr inspect --format '{{.State.ExitCode}}' mgr-st)" 143
	assert_eq "$(mgr logs --tail 1 mgr-st)" got-TERM
	run mgr ps -a
	assert_contains "$output" "Exited (143)"
}

@test "stop -t 1: a process that ignores TERM is killed after the grace period (exit 137)" {
	# the init of a pid namespace gets no TERM it has no handler for
	mgr_bg --name mgr-st2 "$ROOTFS" sleep 100
	SECONDS=0
	run mgr stop -t 1 mgr-st2
	assert_status 0
	[[ $SECONDS -ge 1 && $SECONDS -lt 10 ]] || fail "stop -t 1 took ${SECONDS}s"
	assert_eq "$(mgr inspect --format '{{.State.ExitCode}}' mgr-st2)" 137
	assert_eq "$(state_of mgr-st2)" exited
	# stopping a stopped container is fine; an unknown one is not
	run mgr stop mgr-st2
	assert_status 0
	run mgr stop mgr-nothere
	assert_status 1
}
