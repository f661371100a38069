#!/usr/bin/env bats
# checkpoint / restore with CRIU (issue 15). Runs inside one boot of the v2 guest (run.sh here):
# CRIU 3.17 cannot work on the host's newer kernel. Each test also passes with
# RUNTIME=/usr/sbin/runc in the same guest.
#
# The counter writes to a file in the rootfs and points its stdio at the container's own
# /dev/null: CRIU then needs nothing outside the container (a descriptor on a host file
# cannot be dumped); the pipe test covers stdio that comes from outside.

load ../lib/helpers

setup() {
	command -v criu >/dev/null || skip "criu is not installed"
	criu check >/dev/null 2>&1 || skip "criu check fails on this kernel ($(uname -r)): run through integration/criu/run.sh"
	setup_bundle
	cfg_set 'c["process"]["terminal"] = False'
	# the counter: one line a tick in /count, the number goes on across a restore
	cfg_sh 'exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >>/count; sleep 0.2; done'
}

teardown() {
	teardown_bundle
}

count() {
	tail -n 1 "$BUNDLE/rootfs/count" 2>/dev/null || echo 0
}

# wait_count N: until the counter has passed N (10 s at most)
wait_count() {
	local i
	for ((i = 0; i < 100; i++)); do
		(($(count) > $1)) && return 0
		sleep 0.1
	done
	echo "counter stuck at $(count), wanted more than $1" >&2
	return 1
}

start_counter() {
	run rt_bg run -d "${1:-$TEST_ID}"
	assert_status 0
	wait_count 2
}

@test "criu: checkpoint stops the container, restore (new id) continues the counter" {
	start_counter
	run rt checkpoint --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status == 0 ]] || { cat "$TESTDIR/img/dump.log" | tail -20; fail "checkpoint: $output"; }
	[[ -f $TESTDIR/img/descriptors.json ]] || fail "no descriptors.json in the image"
	# the checkpointed container is gone (runc deletes it)
	run rt state "$TEST_ID"
	[[ $status != 0 ]] || fail "the container is still there after checkpoint: $output"
	local before
	before=$(count)
	sleep 0.5
	assert_eq "$(count)" "$before"

	run rt_bg restore -d --image-path "$TESTDIR/img" --pid-file "$TESTDIR/pid" "$TEST_ID-r"
	[[ $status == 0 ]] || { tail -20 "$TESTDIR/img/restore.log"; fail "restore: $output"; }
	wait_status "$TEST_ID-r" running
	wait_count $((before + 2))
	# it went on from where it was, not from 1
	run grep -c '^1$' "$BUNDLE/rootfs/count"
	assert_output 1
	assert_eq "$(cat "$TESTDIR/pid")" "$(state_get "$TEST_ID-r" pid)"
	run rt ps "$TEST_ID-r"
	assert_status 0
	assert_contains "$output" sleep
	run rt kill "$TEST_ID-r" KILL
	assert_status 0
	wait_status "$TEST_ID-r" stopped
	run rt delete "$TEST_ID-r"
	assert_status 0
}

@test "criu: checkpoint --leave-running keeps it running" {
	start_counter
	run rt checkpoint --leave-running --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status == 0 ]] || { tail -20 "$TESTDIR/img/dump.log"; fail "checkpoint: $output"; }
	assert_eq "$(status_of "$TEST_ID")" running
	local n
	n=$(count)
	wait_count $((n + 1))
}

@test "criu: pre-dump then dump with --parent-path, restore" {
	start_counter
	run rt checkpoint --pre-dump --image-path "$TESTDIR/parent" "$TEST_ID"
	[[ $status == 0 ]] || { tail -20 "$TESTDIR/parent/pre-dump.log"; fail "pre-dump: $output"; }
	assert_eq "$(status_of "$TEST_ID")" running
	run rt checkpoint --parent-path ../parent --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status == 0 ]] || { tail -20 "$TESTDIR/img/dump.log"; fail "dump: $output"; }
	local before
	before=$(count)
	run rt_bg restore -d --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status == 0 ]] || { tail -20 "$TESTDIR/img/restore.log"; fail "restore: $output"; }
	wait_count $((before + 1))
}

@test "criu: a bad --parent-path is refused before CRIU runs" {
	start_counter
	run rt checkpoint --parent-path ../nothing --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status != 0 ]] || fail "accepted a missing parent"
	assert_contains "$output" "invalid --parent-path"
	[[ ! -e $TESTDIR/img/dump.log ]] || fail "CRIU ran"
	run rt checkpoint --parent-path /abs --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status != 0 ]] || fail "accepted an absolute parent"
	assert_contains "$output" "--parent-path must be relative"
	assert_eq "$(status_of "$TEST_ID")" running
}

@test "criu: a created container cannot be checkpointed; bad flags" {
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt checkpoint --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status != 0 ]] || fail "checkpointed a created container"
	assert_contains "$output" "cannot be checkpointed in created state"
	run rt checkpoint --manage-cgroups-mode bogus --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status != 0 ]] || fail "accepted a bad cgroups mode"
	run rt checkpoint --image-path "$TESTDIR/img" nosuch
	[[ $status != 0 ]] || fail "checkpointed a missing container"
	assert_contains "$output" "does not exist"
}

@test "criu: a failed restore leaves nothing behind" {
	mkdir -p "$TESTDIR/empty"
	echo '[]' >"$TESTDIR/empty/descriptors.json"
	run rt_bg restore -d --image-path "$TESTDIR/empty" "$TEST_ID"
	[[ $status != 0 ]] || fail "restored from an empty image"
	run rt state "$TEST_ID"
	[[ $status != 0 ]] || fail "a container was left: $output"
	# teardown checks for cgroups, state dirs and mounts left
}

@test "criu: missing criu is named in the error" {
	start_counter
	run rt --criu /nonexistent/criu checkpoint --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status != 0 ]] || fail "checkpoint without criu succeeded"
	assert_contains "$output" "criu"
	assert_eq "$(status_of "$TEST_ID")" running
}

@test "criu: external netns and an established TCP connection (--tcp-established)" {
	ip netns add "$TEST_ID" || skip "ip netns add failed"
	ip -n "$TEST_ID" link set lo up
	cfg_set 'ns("network")["path"] = "/var/run/netns/'"$TEST_ID"'"'
	# a server and a client in the container, the client writes what it gets back
	cfg_sh 'exec </dev/null >/dev/null 2>&1; nc -lk -p 5555 -e cat & sleep 0.5; i=0; (while :; do i=$((i+1)); echo $i; sleep 0.2; done) | nc 127.0.0.1 5555 >>/count'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	wait_count 2 || { ip netns del "$TEST_ID"; false; }
	run rt checkpoint --tcp-established --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status == 0 ]] || { tail -20 "$TESTDIR/img/dump.log"; ip netns del "$TEST_ID"; fail "checkpoint: $output"; }
	local before
	before=$(count)
	run rt_bg restore -d --tcp-established --image-path "$TESTDIR/img" "$TEST_ID"
	[[ $status == 0 ]] || { tail -20 "$TESTDIR/img/restore.log"; ip netns del "$TEST_ID"; fail "restore: $output"; }
	wait_count $((before + 2)) || { ip netns del "$TEST_ID"; false; }
	rt delete -f "$TEST_ID"
	ip netns del "$TEST_ID"
}
