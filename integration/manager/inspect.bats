#!/usr/bin/env bats
# inspect: a JSON array; --format picks one value.

load helpers

@test "inspect: JSON with id, name, state, command, log path" {
	mgr_bg --name mgr-i "$ROOTFS" sleep 100
	run mgr_run --name mgr-i2 "$ROOTFS" sh -c 'exit 7'
	run mgr inspect mgr-i mgr-i2
	assert_status 0
	json_get '[len(j), j[0]["Id"], j[0]["Name"], j[0]["Path"], j[0]["Args"], j[0]["State"]["Status"], j[0]["State"]["Running"], j[0]["State"]["Pid"] > 0, j[1]["State"]["Status"], j[1]["State"]["ExitCode"], j[1]["State"]["Running"]]' <<<"$output" >"$TESTDIR/j"
	assert_eq "$(cat "$TESTDIR/j")" "[2, \"$CID\", \"mgr-i\", \"sleep\", [\"100\"], \"running\", true, true, \"exited\", 7, false]"
	json_get 'j[0]["LogPath"]' <<<"$output" >"$TESTDIR/p"
	assert_eq "$(cat "$TESTDIR/p")" "$MROOT/$CID/container.log" "LogPath"
	# the init pid is the real process
	local pid
	pid=$(mgr inspect --format '{{.State.Pid}}' mgr-i)
	assert_eq "$(tr '\0' ' ' </proc/"$pid"/cmdline)" "sleep 100 " "pid"
}

@test "inspect --format: one value; unknown containers and paths are errors" {
	mgr_bg --name mgr-i3 "$ROOTFS" sleep 100
	run mgr inspect --format '{{.State.Status}}' mgr-i3
	assert_output running
	run mgr inspect -f '{{ .Name }}' "${CID:0:12}"
	assert_output mgr-i3
	run mgr inspect --format '{{.No.Such}}' mgr-i3
	assert_status 1
	run mgr inspect mgr-nothere
	assert_status 1
	assert_contains "$output" "no such container: mgr-nothere"
}
