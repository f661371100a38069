#!/usr/bin/env bats
# pause, unpause: the container's processes are frozen and thawed.

load helpers

@test "pause: the container stops making progress until unpause; ps and inspect say so" {
	mgr_bg --name mgr-p "$ROOTFS" sh -c 'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done'
	wait_for '[[ $(mgr logs mgr-p | wc -l) -ge 2 ]]'
	run mgr pause mgr-p
	assert_status 0
	assert_output mgr-p
	assert_eq "$(state_of mgr-p)" paused
	assert_match "$(mgr ps | sed -n 2p)" 'Up .* \(Paused\) +mgr-p$' "ps row"
	local n1 n2
	sleep 0.3
	n1=$(mgr logs mgr-p | wc -l)
	sleep 0.6
	n2=$(mgr logs mgr-p | wc -l)
	assert_eq "$n2" "$n1" "log lines while paused"
	# a paused container takes no exec and no kill; pausing it again is an error
	run mgr exec mgr-p true
	assert_status 125
	run mgr kill mgr-p
	assert_status 1
	assert_contains "$output" "paused"
	run mgr pause mgr-p
	assert_status 1
	run mgr unpause mgr-p
	assert_status 0
	assert_eq "$(state_of mgr-p)" running
	wait_for '[[ $(mgr logs mgr-p | wc -l) -gt '"$n2"' ]]'
	run mgr unpause mgr-p
	assert_status 1
	run mgr events --since 1m --until "$(($(date +%s) + 1))" --filter event=pause --filter event=unpause
	assert_eq "$(awk '{print $3}' <<<"$output" | tr '\n' ' ')" "pause unpause " "events"
}

@test "pause: stop and rm -f work on a paused container" {
	mgr_bg --name mgr-p2 "$ROOTFS" sh -c 'trap "exit 143" TERM; while :; do sleep 0.1; done'
	mgr pause mgr-p2 >/dev/null
	run mgr stop -t 5 mgr-p2
	assert_status 0
	assert_eq "$(mgr inspect --format '{{.State.ExitCode}}' mgr-p2)" 143
	mgr_bg --name mgr-p3 "$ROOTFS" sleep 100
	mgr pause mgr-p3 >/dev/null
	run mgr rm -f mgr-p3
	assert_status 0
	run mgr ps -aq --no-trunc
	assert_not_contains "$output" "$CID"
}
