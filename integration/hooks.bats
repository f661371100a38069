#!/usr/bin/env bats
# OCI hooks: which run when, in which namespace, with what state on stdin,
# and what a failing or hanging hook does to the container.

load lib/helpers

HOOKS="prestart createRuntime createContainer startContainer poststart poststop"

setup() {
	setup_bundle
	# Hook output lands in $HOOKDIR on the host. startContainer runs inside
	# the container (its path is resolved there too), so it writes through
	# a bind mount of $HOOKDIR at /hooklog; the other hooks write to the host
	# path (createContainer runs in the container's mount namespace before
	# pivot_root, where host paths still resolve).
	HOOKDIR=$TESTDIR/hooklog
	mkdir -p "$HOOKDIR"
	cfg_mount /hooklog bind "$HOOKDIR" rbind rw
}

teardown() {
	teardown_bundle
}

# hook_dir NAME: where hook NAME sees $HOOKDIR.
hook_dir() {
	if [[ $1 == startContainer ]]; then echo /hooklog; else echo "$HOOKDIR"; fi
}

# set_hooks [FAIL_HOOK [EXIT_CODE]]: installs every hook; each appends its
# name to hooks.log, saves its stdin to NAME.json and its mount namespace
# to NAME.mntns. FAIL_HOOK exits with EXIT_CODE (default 7) after logging.
set_hooks() {
	local fail=${1:-} code=${2:-7} h d script js="{"
	for h in $HOOKS; do
		d=$(hook_dir "$h")
		script="echo $h >> $d/hooks.log; cat > $d/$h.json; readlink /proc/self/ns/mnt > $d/$h.mntns"
		[[ $h == "$fail" ]] && script+="; echo $h-failed >&2; exit $code"
		js+="\"$h\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"$script\"]}],"
	done
	js="${js%,}}"
	printf '%s\n' "$js" >"$TESTDIR/hooks.json"
	cfg_set 'c["hooks"] = json.load(open("'"$TESTDIR"'/hooks.json"))'
}

# hook_log: the hooks that ran so far, space separated.
hook_log() {
	[[ -f $HOOKDIR/hooks.log ]] && echo $(cat "$HOOKDIR/hooks.log")
	return 0
}

# hook_log_without_poststart: same, without poststart (whose position
# differs between runc 1.1 and the OCI spec).
hook_log_without_poststart() {
	[[ -f $HOOKDIR/hooks.log ]] && echo $(grep -vx poststart "$HOOKDIR/hooks.log")
	return 0
}

@test "hooks: prestart, createRuntime, createContainer at create; startContainer at start; poststop at delete" {
	set_hooks
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	assert_eq "$(hook_log_without_poststart)" "prestart createRuntime createContainer" "hooks after create"

	run rt start "$TEST_ID"
	assert_status 0
	assert_eq "$(hook_log_without_poststart)" "prestart createRuntime createContainer startContainer" "hooks after start"
	assert_eq "$(grep -cx poststart "$HOOKDIR/hooks.log")" 1 "poststart runs once"

	run rt kill "$TEST_ID" KILL
	assert_status 0
	wait_status "$TEST_ID" stopped
	assert_eq "$(hook_log_without_poststart)" "prestart createRuntime createContainer startContainer" "hooks after kill"

	run rt delete "$TEST_ID"
	assert_status 0
	assert_eq "$(hook_log_without_poststart)" "prestart createRuntime createContainer startContainer poststop" "hooks after delete"
}

@test "hooks: exact OCI order, poststart after start (create/start/delete)" {
	if is_go_runc_before_1_2; then
		skip "runc < 1.2 runs poststart hooks during create, before startContainer (fixed in runc 1.2)"
	fi
	set_hooks
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	assert_eq "$(hook_log)" "prestart createRuntime createContainer" "hooks after create"
	run rt start "$TEST_ID"
	assert_status 0
	assert_eq "$(hook_log)" "prestart createRuntime createContainer startContainer poststart" "hooks after start"
	run rt delete --force "$TEST_ID"
	assert_status 0
	assert_eq "$(hook_log)" "prestart createRuntime createContainer startContainer poststart poststop" "hooks after delete"
}

@test "hooks: exact OCI order with run" {
	if is_go_runc_before_1_2; then
		skip "runc < 1.2 runs poststart hooks during create, before startContainer (fixed in runc 1.2)"
	fi
	set_hooks
	cfg_args true
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(hook_log)" "prestart createRuntime createContainer startContainer poststart poststop" "hooks"
}

@test "hooks: run runs every hook exactly once" {
	set_hooks
	cfg_args true
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(tr ' ' '\n' <<<"$(hook_log)" | sort | tr '\n' ' ')" "createContainer createRuntime poststart poststop prestart startContainer " "hooks"
	assert_eq "$(hook_log_without_poststart)" "prestart createRuntime createContainer startContainer poststop" "order"
}

@test "hooks: startContainer runs before the user process" {
	set_hooks
	cfg_sh 'grep -qx startContainer /hooklog/hooks.log && echo startContainer-seen || echo startContainer-missing'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "startContainer-seen"
}

@test "hooks: the state on stdin has id, pid, status and bundle" {
	set_hooks
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	local initpid
	initpid=$(state_get "$TEST_ID" 'j["pid"]')
	run rt start "$TEST_ID"
	assert_status 0
	run rt delete --force "$TEST_ID"
	assert_status 0

	local h f
	for h in $HOOKS; do
		f=$HOOKDIR/$h.json
		[[ -s $f ]] || fail "hook $h got no state on stdin"
		assert_eq "$(json_get 'j["id"]' "$f")" "$TEST_ID" "$h: id"
		assert_eq "$(json_get 'j["bundle"]' "$f")" "$BUNDLE" "$h: bundle"
		assert_match "$(json_get 'j["ociVersion"]' "$f")" '^1\.[0-9]+\.[0-9]+' "$h: ociVersion"
	done
	# runtime-namespace hooks see the init's pid as the host sees it
	for h in prestart createRuntime poststart; do
		assert_eq "$(json_get 'j["pid"]' "$HOOKDIR/$h.json")" "$initpid" "$h: pid"
	done
	# hooks that run inside the container get some positive pid (runc: 1,
	# the pid as seen from the container's pid namespace)
	for h in createContainer startContainer; do
		assert_match "$(json_get 'j["pid"]' "$HOOKDIR/$h.json")" '^[1-9][0-9]*$' "$h: pid"
	done
	for h in prestart createRuntime createContainer; do
		assert_eq "$(json_get 'j["status"]' "$HOOKDIR/$h.json")" creating "$h: status"
	done
	assert_eq "$(json_get 'j["status"]' "$HOOKDIR/startContainer.json")" created "startContainer: status"
	assert_match "$(json_get 'j["status"]' "$HOOKDIR/poststart.json")" '^(created|running)$' "poststart: status"
	assert_eq "$(json_get 'j["status"]' "$HOOKDIR/poststop.json")" stopped "poststop: status"
	assert_eq "$(json_get 'j.get("pid", 0)' "$HOOKDIR/poststop.json")" 0 "poststop: pid"
}

@test "hooks: createContainer and startContainer run in the container's mount namespace, the others in the runtime's" {
	set_hooks
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	local initpid ctr_ns host_ns
	initpid=$(state_get "$TEST_ID" 'j["pid"]')
	ctr_ns=$(readlink "/proc/$initpid/ns/mnt")
	host_ns=$(readlink /proc/self/ns/mnt)
	[[ $ctr_ns != "$host_ns" ]] || fail "container shares the host mount namespace"
	run rt start "$TEST_ID"
	assert_status 0
	run rt delete --force "$TEST_ID"
	assert_status 0

	local h
	for h in prestart createRuntime poststart poststop; do
		assert_eq "$(cat "$HOOKDIR/$h.mntns")" "$host_ns" "$h mount namespace"
	done
	for h in createContainer startContainer; do
		assert_eq "$(cat "$HOOKDIR/$h.mntns")" "$ctr_ns" "$h mount namespace"
	done
}

@test "hooks: args and env are passed as configured, nothing else leaks in" {
	cfg_set 'c["hooks"] = {"prestart": [{"path": "/bin/sh",
	    "args": ["sh", "-c", "echo \"$0|$1|$HOOKVAR|${RCPP_LEAK:-unset}\" > '"$HOOKDIR"'/args", "arg-zero", "arg one"],
	    "env": ["HOOKVAR=hook value"]}]}'
	RCPP_LEAK=leaked run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(cat "$HOOKDIR/args")" "arg-zero|arg one|hook value|unset" "hook args and env"
}

@test "hooks: a failing prestart hook fails create and leaves nothing behind" {
	set_hooks prestart
	cfg_sh 'touch /tmp/started; exec sleep 100'
	run rt_bg create "$TEST_ID"
	assert_status 1
	assert_contains "$output" "prestart-failed"
	assert_one_error_line
	# nothing after the failing hook ran, except poststop (the lifecycle
	# continues with delete)
	assert_eq "$(hook_log)" "prestart poststop" hooks
	run rt state "$TEST_ID"
	assert_status 1
	assert_contains "$output" "container does not exist"
	[[ -z $(find "$ROOT" -mindepth 1 -maxdepth 1 -type d 2>/dev/null) ]] || fail "state left in $ROOT"
	[[ ! -e $BUNDLE/rootfs/tmp/started ]] || fail "the user process ran"
}

@test "hooks: a failing createRuntime or createContainer hook fails create" {
	local h expected
	for h in createRuntime createContainer; do
		rm -f "$HOOKDIR"/*
		set_hooks "$h" 5
		cfg_args sleep 100
		run rt_bg create "$TEST_ID"
		assert_status 1
		assert_contains "$output" "$h-failed"
		assert_one_error_line
		case $h in
		createRuntime) expected="prestart createRuntime poststop" ;;
		createContainer) expected="prestart createRuntime createContainer poststop" ;;
		esac
		assert_eq "$(hook_log)" "$expected" "hooks when $h fails"
		run rt state "$TEST_ID"
		assert_status 1
	done
}

@test "hooks: a hook that outlives its timeout fails create" {
	cfg_set 'c["hooks"] = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo $$ > '"$HOOKDIR"'/hook.pid; exec sleep 20"], "timeout": 1}]}'
	cfg_args sleep 100
	SECONDS=0
	run rt_bg create "$TEST_ID"
	local took=$SECONDS
	assert_status 1
	assert_contains "$output" "timeout"
	assert_one_error_line
	[[ $took -le 5 ]] || fail "create took ${took}s with a 1s hook timeout"
	run rt state "$TEST_ID"
	assert_status 1
	local hookpid
	hookpid=$(cat "$HOOKDIR/hook.pid")
	if pid_alive "$hookpid"; then
		kill -9 "$hookpid"
		fail "the timed-out hook (pid $hookpid) is still running"
	fi
}

@test "hooks: a failing poststop hook does not stop delete" {
	cfg_set 'c["hooks"] = {"poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "echo poststop-failed >&2; exit 2"]}]}'
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt kill "$TEST_ID" KILL
	assert_status 0
	wait_status "$TEST_ID" stopped
	run rt delete "$TEST_ID"
	assert_status 0
	run rt state "$TEST_ID"
	assert_status 1
	assert_contains "$output" "container does not exist"
}

@test "hooks: a failing poststop hook logs a warning and the remaining poststop hooks still run (delete and run)" {
	cfg_set 'c["hooks"] = {"poststop": [
		{"path": "/bin/sh", "args": ["sh", "-c", "echo first >> '"$HOOKDIR"'/poststop.log; echo first-failed >&2; exit 3"]},
		{"path": "/bin/sh", "args": ["sh", "-c", "echo second >> '"$HOOKDIR"'/poststop.log; exit 4"]},
		{"path": "/bin/sh", "args": ["sh", "-c", "echo third >> '"$HOOKDIR"'/poststop.log"]}]}'
	cfg_args true
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt start "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" stopped
	run rt delete "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" absent
	if is_go_runc_before_1_2; then
		# runc 1.1 stops at the first failure, logged at error level; the delete succeeds
		assert_eq "$(echo $(cat "$HOOKDIR/poststop.log"))" "first" "poststop hooks that ran"
		return
	fi
	assert_eq "$(echo $(cat "$HOOKDIR/poststop.log"))" "first second third" "poststop hooks that ran"
	# one warning per failed hook, with runc's "error running ... hook #N" and the hook's output
	assert_eq "$(grep -c 'level=warning' <<<"$output")" 2 "warnings ($output)"
	assert_contains "$output" "error running poststop hook #0"
	assert_contains "$output" "first-failed"
	assert_contains "$output" "error running poststop hook #1"
	assert_not_contains "$output" "level=error"

	# the same when run deletes the container it ran
	rm -f "$HOOKDIR/poststop.log"
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $(cat "$HOOKDIR/poststop.log"))" "first second third" "poststop hooks after run"
	assert_eq "$(grep -c 'level=warning' <<<"$output")" 2 "warnings after run ($output)"
	assert_eq "$(status_of "$TEST_ID")" absent
}
