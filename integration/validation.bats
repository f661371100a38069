#!/usr/bin/env bats
# Integers from the caller that have a sentinel meaning to a syscall: (uid_t)-1 is "leave
# unchanged" to setresuid (the runtime's root), -1 fds, out-of-range oomScoreAdj. Each is
# refused before anything runs, with an error naming the field, and nothing is left behind.

load lib/helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

start_long() {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" running
}

# refused_run: `run` fails, the process never printed its ids, nothing is left.
refused_run() {
	run rt run "$TEST_ID"
	[[ $status -ne 0 ]] || fail "run succeeded: $output"
	assert_not_contains "$output" "ID="
	assert_eq "$(status_of "$TEST_ID")" "absent" "container after the refused run"
}

@test "process.user.uid/gid 4294967295 are refused, never run as root" {
	cfg_sh 'echo ID=$(id -u):$(id -g)'
	cfg_set 'c["process"]["user"] = {"uid": 4294967295, "gid": 4294967295}'
	refused_run
	assert_contains "$output" "0-2147483647"
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 2147483648}'
	refused_run
	assert_contains "$output" "0-2147483647"
	# the top of the range is an ordinary id
	cfg_set 'c["process"]["user"] = {"uid": 2147483647, "gid": 2147483647}'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "ID=2147483647:2147483647"
}

@test "process.user.additionalGids 4294967295 is refused" {
	cfg_sh 'echo ID=$(id -G)'
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 4294967295]}'
	refused_run
	assert_contains "$output" "0-2147483647"
}

@test "exec --user and --additional-gids outside 0-2147483647 are refused (exit 255), never root" {
	start_long
	run rt exec --user 4294967295:4294967295 "$TEST_ID" sh -c 'echo ID=$(id -u):$(id -g)'
	assert_status 255
	assert_not_contains "$output" "ID="
	assert_contains "$output" "0-2147483647"
	run rt exec --user 1000:4294967295 "$TEST_ID" sh -c 'echo ID=$(id -u):$(id -g)'
	assert_status 255
	assert_not_contains "$output" "ID="
	run rt exec --user 1000:1000 --additional-gids 4294967295 "$TEST_ID" sh -c 'echo ID=$(id -G)'
	assert_status 255
	assert_not_contains "$output" "ID="
	run rt exec --user 2147483647:2147483647 "$TEST_ID" sh -c 'echo ID=$(id -u):$(id -g)'
	assert_status 0
	assert_output "ID=2147483647:2147483647"
}

@test "exec --process with uid 4294967295 is refused (exit 255), never root" {
	start_long
	cat >"$TESTDIR/process.json" <<'JSON'
{"args": ["sh", "-c", "echo ID=$(id -u):$(id -g)"], "cwd": "/", "env": ["PATH=/bin:/usr/bin"],
 "user": {"uid": 4294967295, "gid": 4294967295}}
JSON
	run rt exec --process "$TESTDIR/process.json" "$TEST_ID"
	assert_status 255
	assert_not_contains "$output" "ID="
	assert_contains "$output" "0-2147483647"
}

@test "--preserve-fds -1 is refused by run and exec" {
	# runc 1.1.5 takes -1 as 0 (its loop over the extra fds runs no time); here 3 + -1 would
	# close stderr as well, so it is refused (docs/compat.md).
	is_go_runc_before_1_2 && skip "runc 1.1 accepts --preserve-fds -1 as 0 (docs/compat.md)"
	cfg_args true
	run rt run --preserve-fds -1 "$TEST_ID"
	[[ $status -ne 0 ]] || fail "run --preserve-fds -1 succeeded"
	assert_contains "$output" "preserve"
	assert_eq "$(status_of "$TEST_ID")" "absent" "container after the refused run"
	start_long
	run rt exec --preserve-fds -1 "$TEST_ID" true
	[[ $status -ne 0 ]] || fail "exec --preserve-fds -1 succeeded"
	assert_contains "$output" "preserve"
}

@test "process.oomScoreAdj outside -1000..1000 is refused naming the field" {
	cfg_sh 'echo ID=$(cat /proc/self/oom_score_adj)'
	cfg_set 'c["process"]["oomScoreAdj"] = 1001'
	refused_run
	assert_contains "$output" "oom"
}

# corrupt_state_test CONTENT: a created container whose state.json is replaced by CONTENT
# still shows in `list` (stopped) and `delete --force` kills its init and removes it all.
corrupt_state_test() {
	local pid
	cfg_args sleep 1000
	run rt_bg create "$TEST_ID"
	assert_status 0
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	pid_alive "$pid" || fail "init $pid not running"
	printf '%s' "$1" >"$ROOT/$TEST_ID/state.json"
	run rt list
	assert_status 0
	assert_contains "$output" "$TEST_ID"
	assert_match "$(grep "^$TEST_ID " <<<"$output")" "stopped"
	run rt list -q
	assert_output "$TEST_ID"
	run rt delete --force "$TEST_ID"
	assert_status 0
	local i
	for ((i = 0; i < 50; i++)); do pid_alive "$pid" || break; sleep 0.1; done
	pid_alive "$pid" && fail "init $pid still alive after delete --force"
	[[ ! -e $ROOT/$TEST_ID ]] || fail "state dir left: $(ls -A "$ROOT/$TEST_ID")"
	assert_eq "$(test_cgroup_dirs)" "" "cgroup dirs left"
}

corrupt_state_skip() {
	is_go_runc_before_1_2 && skip "runc 1.1.5: list hides the container, delete --force fails and leaves the init (docs/compat.md)"
	return 0
}

@test "corrupt state.json (truncated): list shows it stopped, delete --force kills and cleans up" {
	corrupt_state_skip
	corrupt_state_test '{"id": "x", "in'
}

@test "corrupt state.json (empty or garbage): list shows it stopped, delete --force kills and cleans up" {
	corrupt_state_skip
	corrupt_state_test ''
}

@test "corrupt state.json (garbage JSON of the wrong shape): delete --force kills and cleans up" {
	corrupt_state_skip
	corrupt_state_test '[1, 2, "garbage"]'
}
