#!/usr/bin/env bats
# top: the container's processes (host pids) with their command lines.

load helpers

@test "top: lists the init and its children with host pids" {
	mgr_bg --name mgr-top "$ROOTFS" sh -c 'sleep 100 & exec sleep 200'
	wait_for '[[ $(mgr top mgr-top | grep -cE "[0-9] +sleep [12]00$") -eq 2 ]]'
	run mgr top mgr-top
	assert_status 0
	assert_match "$(head -1 <<<"$output")" '^UID +PID +PPID +STIME +TIME +CMD$' "header"
	local init
	init=$(mgr inspect --format '{{.State.Pid}}' mgr-top)
	assert_match "$output" $'\n'"root +$init +[0-9]+ +[0-9:]+ +[0-9:]+ +sleep 200" "init row"
	assert_match "$output" $'\n'"root +[0-9]+ +$init +[0-9:]+ +[0-9:]+ +sleep 100" "child row"
	# host pids: the init's cmdline on the host is the same process
	assert_eq "$(tr '\0' ' ' </proc/"$init"/cmdline)" "sleep 200 " "host pid"
}

@test "top: a container that is not running is an error" {
	run mgr_run --name mgr-top2 "$ROOTFS" true
	run mgr top mgr-top2
	assert_status 1
	assert_contains "$output" "is not running"
	run mgr top mgr-nothere
	assert_status 1
	assert_contains "$output" "no such container"
}
