#!/usr/bin/env bats
# --restart policies kept by the supervisor; start, restart.

load helpers

restarts_of() { mgr inspect --format '{{.RestartCount}}' "$1"; }

@test "restart on-failure:2: restarted twice with back-off, log appended, events per exit" {
	local t0
	t0=$(date +%s)
	mgr_bg --name mgr-r1 --restart on-failure:2 "$ROOTFS" sh -c 'echo run; exit 3'
	wait_for '[[ $(restarts_of mgr-r1) == 2 && $(state_of mgr-r1) == exited ]]' 100
	sleep 0.5
	assert_eq "$(restarts_of mgr-r1)" 2 "no third restart"
	assert_eq "$(state_of mgr-r1)" exited
	run mgr inspect --format '{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.Id}}' mgr-r1
	assert_output "3 on-failure:2 $CID"
	run mgr logs mgr-r1
	assert_output "$(printf 'run\nrun\nrun')"
	run mgr events --since "$t0" --until "$(($(date +%s) + 1))" --filter container=mgr-r1 --format json
	assert_eq "$(grep -c '"action":"die"' <<<"$output")" 3 "die events"
	assert_eq "$(grep -c '"action":"restart"' <<<"$output")" 2 "restart events"
	assert_eq "$(grep -c '"action":"start"' <<<"$output")" 3 "start events"
	# the same supervisor, gone now
	wait_for '[[ $(mgr inspect --format "{{.State.SupervisorPid}}" mgr-r1) == 0 ]]' 30
}

@test "restart always: a clean exit restarts too; stop ends it, and so does kill" {
	mgr_bg --name mgr-r2 --restart always "$ROOTFS" sh -c 'sleep 0.3; exit 0'
	wait_for '[[ $(restarts_of mgr-r2) -ge 2 ]]' 100
	run mgr stop -t 1 mgr-r2
	assert_status 0
	wait_for '[[ $(state_of mgr-r2) == exited ]]' 50
	local n
	n=$(restarts_of mgr-r2)
	sleep 1
	assert_eq "$(restarts_of mgr-r2)" "$n" "no restart after stop"
	assert_eq "$(state_of mgr-r2)" exited

	mgr_bg --name mgr-r3 --restart unless-stopped "$ROOTFS" sleep 100
	run mgr kill mgr-r3
	assert_status 0
	wait_for '[[ $(state_of mgr-r3) == exited ]]' 50
	sleep 0.5
	assert_eq "$(restarts_of mgr-r3)" 0 "killed by the user: not restarted"
	# a signal that is not a stop does not end the policy
	mgr_bg --name mgr-r4 --restart always "$ROOTFS" sh -c 'trap "exit 5" USR1; while :; do sleep 0.1; done'
	local pid
	pid=$(mgr inspect --format '{{.State.Pid}}' mgr-r4)
	mgr kill -s USR1 mgr-r4 >/dev/null
	wait_for '[[ $(restarts_of mgr-r4) == 1 && $(state_of mgr-r4) == running ]]' 50
	[[ $(mgr inspect --format '{{.State.Pid}}' mgr-r4) != "$pid" ]] || fail "same pid after restart"
}

@test "restart: rm -f during the back-off removes it and its supervisor" {
	mgr_bg --name mgr-r5 --restart always "$ROOTFS" false
	# the back-off doubles from 100 ms: after a few exits it waits long enough to be seen
	wait_for '[[ $(restarts_of mgr-r5) -ge 4 && $(state_of mgr-r5) == restarting ]]' 100
	run mgr ps --filter status=restarting --format '{{.Names}} {{.Status}}'
	[[ $output == "mgr-r5 Restarting (1) "* ]] || fail "ps: $output"
	run mgr rm mgr-r5
	assert_status 1
	assert_contains "$output" "container is restarting"
	run mgr rm -f mgr-r5
	assert_status 0
	run mgr ps -aq
	assert_output ""
}

@test "restart: bad policies are 125 with docker's messages and leave nothing" {
	run mgr_run --restart foo "$ROOTFS" true
	assert_status 125
	assert_output "Error: invalid restart policy: unknown policy 'foo'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"
	run mgr_run --restart on-failure:-1 "$ROOTFS" true
	assert_status 125
	assert_output "Error: invalid restart policy: maximum retry count cannot be negative"
	run mgr_run --restart always:3 "$ROOTFS" true
	assert_status 125
	assert_output "Error: invalid restart policy: maximum retry count can only be used with 'on-failure'"
	run mgr_run --restart always --rm "$ROOTFS" true
	assert_status 125
	assert_output "Error: Conflicting options: --restart and --rm"
	run mgr_run --restart no --rm "$ROOTFS" true
	assert_status 0
	run mgr ps -aq
	assert_output ""
}

@test "start -a, start, restart: same id, name and log, a fresh init" {
	run mgr_run --name mgr-s1 "$ROOTFS" sh -c 'echo hello; exit 4'
	assert_status 4
	local id
	id=$(mgr inspect --format '{{.Id}}' mgr-s1)
	run mgr start -a mgr-s1
	assert_status 4
	assert_output hello
	run mgr logs mgr-s1
	assert_output "$(printf 'hello\nhello')"
	assert_eq "$(mgr inspect --format '{{.Id}} {{.Name}}' mgr-s1)" "$id mgr-s1"
	run mgr start mgr-s1
	assert_output mgr-s1
	wait_for '[[ $(state_of mgr-s1) == exited ]]'
	assert_eq "$(mgr logs mgr-s1 | wc -l)" 3 "log lines"

	mgr_bg --name mgr-s2 "$ROOTFS" sleep 100
	local pid
	pid=$(mgr inspect --format '{{.State.Pid}}' mgr-s2)
	run mgr restart -t 1 mgr-s2
	assert_status 0
	assert_output mgr-s2
	assert_eq "$(state_of mgr-s2)" running
	[[ $(mgr inspect --format '{{.State.Pid}}' mgr-s2) != "$pid" ]] || fail "same pid after restart"
	run mgr start mgr-s2
	assert_status 0
	run mgr start nosuch
	assert_status 1
}

@test "attach: new output until the exit, its code; stdin of a -d -i container; stopped ones refused" {
	mgr_bg --name mgr-t1 "$ROOTFS" sh -c 'echo early; sleep 1.5; echo late; exit 3'
	wait_for '[[ $(mgr logs mgr-t1) == early ]]'
	run mgr attach mgr-t1
	assert_status 3
	assert_output late
	run mgr attach mgr-t1
	assert_status 1
	assert_output "Error: You cannot attach to a stopped container, start it first"

	mgr_bg --name mgr-t2 -i "$ROOTFS" sh -c 'while read l; do echo "got $l"; done'
	mkfifo "$TESTDIR/in"
	"$MANAGER" --root "$MROOT" attach mgr-t2 <"$TESTDIR/in" >"$TESTDIR/out" 2>&1 &
	local client=$!
	track_bg $client
	exec 7>"$TESTDIR/in"
	echo one >&7
	wait_for 'grep -q "got one" "$TESTDIR/out"'
	exec 7>&-
	# our EOF does not close its stdin (docker's attach without --stdin-once)
	sleep 0.3
	assert_eq "$(state_of mgr-t2)" running
	mgr stop -t 1 mgr-t2 >/dev/null
	local rc=0
	wait $client || rc=$?
	assert_eq "$rc" 137 "attach returns the exit code"
	assert_eq "$(cat "$TESTDIR/out")" "got one"
}
