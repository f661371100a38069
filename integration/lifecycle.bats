#!/usr/bin/env bats
# Container lifecycle: run, create/start/kill/delete, state, list, and the
# error paths of those commands.

load lib/helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# no_state_left: the root holds no container state directory.
no_state_left() {
	if [[ -d $ROOT ]]; then
		local left
		left=$(find "$ROOT" -mindepth 1 -maxdepth 1 -type d -printf '%f ')
		[[ -z $left ]] || fail "state left in $ROOT: $left"
	fi
}

@test "run: prints the container's output and exits 0" {
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "hello"
	# run without --keep removes the container
	run rt state "$TEST_ID"
	assert_status 1
	assert_contains "$output" "container does not exist"
}

@test "run: propagates the exit code of the container process" {
	cfg_sh 'echo bye; exit 3'
	run rt run "$TEST_ID"
	assert_status 3
	assert_output "bye"

	cfg_sh 'exit 255'
	run rt run "$TEST_ID"
	assert_status 255
}

@test "run: a container killed with SIGKILL makes run exit 128+9" {
	cfg_args sleep 100
	(
		for _ in $(seq 50); do
			[[ $(status_of "$TEST_ID") == running ]] && break
			sleep 0.1
		done
		"$RUNTIME" --root "$ROOT" kill "$TEST_ID" KILL
	) 3>&- &
	local killer=$!
	SECONDS=0
	run rt run "$TEST_ID"
	wait "$killer"
	assert_status 137
	[[ $SECONDS -lt 20 ]] || fail "run took ${SECONDS}s"
}

@test "create: state is 'created' with id, pid, bundle, rootfs, created and ociVersion" {
	cfg_sh 'touch /tmp/started; exec sleep 100'
	local before
	before=$(date -u +%s)
	run rt_bg create "$TEST_ID"
	assert_status 0

	run rt state "$TEST_ID"
	assert_status 0
	local js=$output
	assert_eq "$(json_get 'j["id"]' <<<"$js")" "$TEST_ID" id
	assert_eq "$(json_get 'j["status"]' <<<"$js")" created status
	assert_eq "$(json_get 'j["bundle"]' <<<"$js")" "$BUNDLE" bundle
	assert_eq "$(json_get 'j["rootfs"]' <<<"$js")" "$BUNDLE/rootfs" rootfs
	assert_match "$(json_get 'j["ociVersion"]' <<<"$js")" '^1\.[0-9]+\.[0-9]+' ociVersion
	local pid
	pid=$(json_get 'j["pid"]' <<<"$js")
	assert_match "$pid" '^[1-9][0-9]*$' pid
	pid_alive "$pid" || fail "init pid $pid is not alive"

	# created: an RFC 3339 timestamp (UTC) within a few seconds of now
	local created
	created=$(json_get 'j["created"]' <<<"$js")
	assert_match "$created" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' created
	local ts
	ts=$(date -u -d "$created" +%s)
	[[ $ts -ge $((before - 1)) && $ts -le $(($(date -u +%s) + 1)) ]] ||
		fail "created $created is not between $before and now"

	# The user process has not run yet.
	sleep 0.3
	[[ ! -e $BUNDLE/rootfs/tmp/started ]] || fail "user process ran before start"
}

@test "create, start, kill, delete: status goes created -> running -> stopped -> gone" {
	cfg_sh 'touch /tmp/started; exec sleep 100'
	run rt_bg create "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" created

	run rt start "$TEST_ID"
	assert_status 0
	assert_output ""
	assert_eq "$(status_of "$TEST_ID")" running
	for _ in $(seq 50); do
		[[ -e $BUNDLE/rootfs/tmp/started ]] && break
		sleep 0.1
	done
	[[ -e $BUNDLE/rootfs/tmp/started ]] || fail "user process did not run after start"
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')

	run rt kill "$TEST_ID" KILL
	assert_status 0
	wait_status "$TEST_ID" stopped
	! pid_alive "$pid" || fail "pid $pid still alive after kill"
	# a stopped container reports pid 0
	assert_eq "$(state_get "$TEST_ID" 'j["pid"]')" 0 "pid of stopped container"

	run rt delete "$TEST_ID"
	assert_status 0
	assert_output ""

	run rt state "$TEST_ID"
	assert_status 1
	assert_contains "$output" "container does not exist"
	no_state_left
}

@test "kill: signal by number (9) and by SIG-prefixed name (SIGKILL)" {
	cfg_args sleep 100
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" running
	run rt kill "$TEST_ID" 9
	assert_status 0
	wait_status "$TEST_ID" stopped
	run rt delete "$TEST_ID"
	assert_status 0

	run rt_bg run -d "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" running
	run rt kill "$TEST_ID" SIGKILL
	assert_status 0
	wait_status "$TEST_ID" stopped
}

@test "kill: the default signal is SIGTERM" {
	# pid 1 only gets signals it has a handler for, so trap TERM.
	cfg_sh 'trap "echo got-TERM > /tmp/sig; exit 0" TERM; echo ready > /tmp/ready; while :; do sleep 0.1; done'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	for _ in $(seq 50); do
		[[ -e $BUNDLE/rootfs/tmp/ready ]] && break
		sleep 0.1
	done
	run rt kill "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" stopped
	assert_eq "$(cat "$BUNDLE/rootfs/tmp/sig")" got-TERM "signal the container saw"
}

@test "kill: an unknown signal name is an error" {
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt kill "$TEST_ID" NOSUCHSIG
	assert_status 1
	assert_contains "$output" "NOSUCHSIG"
	assert_one_error_line
	assert_eq "$(status_of "$TEST_ID")" created
}

@test "kill ID 0 and kill -a ID 0: signal 0 probes liveness; a stopped container is 'not running'" {
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt kill "$TEST_ID" 0
	assert_status 0
	run rt_bg start "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" running
	local form
	for form in "kill $TEST_ID 0" "kill -a $TEST_ID 0" "kill --all $TEST_ID 0" "kill $TEST_ID 0 --all"; do
		# shellcheck disable=SC2086
		run rt $form
		assert_status 0
		assert_eq "$output" "" "output of $form"
	done
	assert_eq "$(status_of "$TEST_ID")" running "signal 0 signals nothing"
	run rt kill "$TEST_ID" KILL
	assert_status 0
	wait_status "$TEST_ID" stopped
	run rt kill "$TEST_ID" 0
	assert_status 1
	assert_contains "$output" "container not running"
}

@test "kill: a created container can be killed, then deleted" {
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt kill "$TEST_ID" KILL
	assert_status 0
	wait_status "$TEST_ID" stopped
	run rt delete "$TEST_ID"
	assert_status 0
	no_state_left
}

@test "create --pid-file: written at create with the init pid" {
	cfg_args sleep 100
	run rt_bg create --pid-file "$TESTDIR/init.pid" "$TEST_ID"
	assert_status 0
	[[ -f $TESTDIR/init.pid ]] || fail "pid file not written"
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	assert_eq "$(cat "$TESTDIR/init.pid")" "$pid" "pid file content"
	# created 0666 under the caller's umask, as runc creates it
	assert_eq "$(stat -c %a "$TESTDIR/init.pid")" "$(printf '%o' $((0666 & ~$(umask))))" "pid file mode"

	# a relative path is relative to the current directory
	local b2
	b2=$(new_bundle second)
	cfg_set 'c["process"]["args"] = ["sleep", "100"]' "$b2/config.json"
	run rt_bg run -d --bundle "$b2" --pid-file rel.pid "$TEST_ID-2"
	assert_status 0
	[[ -f $BUNDLE/rel.pid ]] || fail "relative pid file not written in cwd"
	assert_eq "$(cat "$BUNDLE/rel.pid")" "$(state_get "$TEST_ID-2" 'j["pid"]')" "relative pid file content"
}

@test "list: table, json and quiet formats" {
	cfg_args sleep 100
	local b2
	b2=$(new_bundle second)
	cfg_set 'c["process"]["args"] = ["sleep", "100"]' "$b2/config.json"

	run rt_bg create "$TEST_ID-a"
	assert_status 0
	run rt_bg run -d --bundle "$b2" "$TEST_ID-b"
	assert_status 0
	wait_status "$TEST_ID-b" running
	local pa pb
	pa=$(state_get "$TEST_ID-a" 'j["pid"]')
	pb=$(state_get "$TEST_ID-b" 'j["pid"]')

	run rt list
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${#lines[@]}" 3 "number of lines"
	assert_eq "$(echo ${lines[0]})" "ID PID STATUS BUNDLE CREATED OWNER" header
	local row
	row=$(printf '%s\n' "${lines[@]:1}" | awk -v id="$TEST_ID-a" '$1 == id { print $1, $2, $3, $4, $6 }')
	assert_eq "$row" "$TEST_ID-a $pa created $BUNDLE root" "row a"
	row=$(printf '%s\n' "${lines[@]:1}" | awk -v id="$TEST_ID-b" '$1 == id { print $1, $2, $3, $4, $6 }')
	assert_eq "$row" "$TEST_ID-b $pb running $b2 root" "row b"

	run rt list --format json
	assert_status 0
	local js=$output
	assert_eq "$(json_get 'len(j)' <<<"$js")" 2 "json entries"
	assert_eq "$(json_get '" ".join(sorted(x["id"] + ":" + x["status"] + ":" + str(x["pid"]) + ":" + x["bundle"] for x in j))' <<<"$js")" \
		"$TEST_ID-a:created:$pa:$BUNDLE $TEST_ID-b:running:$pb:$b2" "json list"
	assert_eq "$(json_get 'sorted(set(k for x in j for k in ("ociVersion", "created", "rootfs", "owner") if k in x)) == ["created", "ociVersion", "owner", "rootfs"] and all(x["owner"] == "root" for x in j)' <<<"$js")" true "json keys and owner"

	run rt list -f json
	assert_status 0
	assert_eq "$(json_get 'len(j)' <<<"$output")" 2 "json entries (-f)"

	run rt list -q
	assert_status 0
	assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$TEST_ID-a $TEST_ID-b " "quiet list"
}

@test "list: no containers" {
	run rt list
	assert_status 0
	assert_eq "$(echo $output)" "ID PID STATUS BUNDLE CREATED OWNER" "empty table"

	run rt list -q
	assert_status 0
	assert_output ""

	# runc prints `null` (a Go nil slice); `[]` is the other sane answer.
	run rt list --format json
	assert_status 0
	[[ $output == null || $output == "[]" ]] || fail "empty json list: '$output'"
}

@test "delete: a created, never started container" {
	cfg_sh 'touch /tmp/started; exec sleep 100'
	run rt_bg create "$TEST_ID"
	assert_status 0
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')

	run rt delete "$TEST_ID"
	assert_status 0
	run rt state "$TEST_ID"
	assert_status 1
	assert_contains "$output" "container does not exist"
	for _ in $(seq 20); do pid_alive "$pid" || break; sleep 0.1; done
	! pid_alive "$pid" || fail "init $pid survived delete"
	[[ ! -e $BUNDLE/rootfs/tmp/started ]] || fail "user process ran"
	no_state_left
}

@test "run --detach: returns at once, the container keeps running" {
	cfg_sh 'echo detached-output; exec sleep 100'
	SECONDS=0
	run rt_bg run --detach "$TEST_ID"
	assert_status 0
	[[ $SECONDS -lt 10 ]] || fail "run --detach took ${SECONDS}s"
	assert_eq "$(status_of "$TEST_ID")" running
	for _ in $(seq 30); do
		[[ $(bg_log "$TEST_ID") == *detached-output* ]] && break
		sleep 0.1
	done
	assert_eq "$(bg_log "$TEST_ID")" detached-output "container output"
}

@test "run --keep: the stopped container stays until deleted" {
	"$RUNTIME" run --help 2>&1 | grep -q -- '--keep' || skip "runtime has no run --keep"
	cfg_sh 'exit 3'
	run rt run --keep "$TEST_ID"
	assert_status 3
	assert_eq "$(status_of "$TEST_ID")" stopped
	assert_eq "$(state_get "$TEST_ID" 'j["pid"]')" 0 "pid of stopped container"
	run rt delete "$TEST_ID"
	assert_status 0
	run rt state "$TEST_ID"
	assert_status 1
	no_state_left
}

@test "unknown id: state, start, kill, delete fail with 'container does not exist'" {
	local cmd
	for cmd in state start kill delete; do
		run rt "$cmd" nosuchcontainer
		assert_status 1
		assert_contains "$output" "container does not exist"
		assert_one_error_line
	done
	run rt kill nosuchcontainer KILL
	assert_status 1
	assert_contains "$output" "container does not exist"
}

@test "unknown id: delete --force succeeds silently" {
	run rt delete --force nosuchcontainer
	assert_status 0
	assert_output ""
	run rt delete -f nosuchcontainer
	assert_status 0
	assert_output ""
}

@test "start: a running container cannot be started again" {
	cfg_args sleep 100
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	run rt start "$TEST_ID"
	assert_status 1
	assert_contains "$output" "running"
	assert_one_error_line
	assert_eq "$(status_of "$TEST_ID")" running
	assert_eq "$(state_get "$TEST_ID" 'j["pid"]')" "$pid" "pid after failed start"
}

@test "start: a stopped container cannot be started" {
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt kill "$TEST_ID" KILL
	assert_status 0
	wait_status "$TEST_ID" stopped
	run rt start "$TEST_ID"
	assert_status 1
	assert_contains "$output" "stopped"
	assert_one_error_line
}

@test "delete: a running container needs --force" {
	cfg_args sleep 100
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')

	run rt delete "$TEST_ID"
	assert_status 1
	assert_contains "$output" "running"
	assert_one_error_line
	assert_eq "$(status_of "$TEST_ID")" running
	pid_alive "$pid" || fail "container died after a refused delete"

	run rt delete --force "$TEST_ID"
	assert_status 0
	run rt state "$TEST_ID"
	assert_status 1
	assert_contains "$output" "container does not exist"
	for _ in $(seq 20); do pid_alive "$pid" || break; sleep 0.1; done
	! pid_alive "$pid" || fail "pid $pid survived delete --force"
	no_state_left
}

@test "create: an existing id is refused and the first container is untouched" {
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')

	local b2
	b2=$(new_bundle second)
	run rt_bg create --bundle "$b2" "$TEST_ID"
	assert_status 1
	assert_contains "$output" "already exists"
	assert_one_error_line

	assert_eq "$(status_of "$TEST_ID")" created
	assert_eq "$(state_get "$TEST_ID" 'j["pid"]')" "$pid" "pid"
	assert_eq "$(state_get "$TEST_ID" 'j["bundle"]')" "$BUNDLE" "bundle"
	pid_alive "$pid" || fail "first container's init died"
	run rt start "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" running
}

@test "create: illegal container ids are refused, nothing is created" {
	local id
	for id in "" "a/b" ".." "." "a b"; do
		run rt_bg create "$id"
		assert_status 1
		assert_one_error_line
		no_state_left
	done
	run rt list -q
	assert_status 0
	assert_output ""
}

@test "create: missing config.json" {
	rm "$BUNDLE/config.json"
	run rt_bg create "$TEST_ID"
	assert_status 1
	assert_contains "$output" "config.json"
	assert_one_error_line
	no_state_left
}

@test "create: malformed config.json" {
	printf '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
	run rt_bg create "$TEST_ID"
	assert_status 1
	assert_one_error_line
	no_state_left
}

@test "create: empty process.args" {
	cfg_set 'c["process"]["args"] = []'
	run rt_bg create "$TEST_ID"
	assert_status 1
	assert_contains "$output" "args must not be empty"
	assert_one_error_line
	no_state_left
}

@test "create: missing rootfs" {
	rm -rf "$BUNDLE/rootfs"
	run rt_bg create "$TEST_ID"
	assert_status 1
	assert_contains "$output" "rootfs"
	assert_one_error_line
	no_state_left

	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "rootfs"
	assert_one_error_line
	no_state_left
}

@test "create: process.args naming a missing executable" {
	cfg_args /nonexistent
	run rt_bg create "$TEST_ID"
	assert_status 1
	assert_contains "$output" "/nonexistent"
	assert_one_error_line
	no_state_left
}

@test "--bundle VALUE, --bundle=VALUE, -b VALUE and --root=VALUE" {
	cd "$TESTDIR"
	run rt run --bundle "$BUNDLE" "$TEST_ID"
	assert_status 0
	assert_output hello
	run rt run --bundle="$BUNDLE" "$TEST_ID"
	assert_status 0
	assert_output hello
	run rt run -b "$BUNDLE" "$TEST_ID"
	assert_status 0
	assert_output hello

	cfg_args sleep 100
	local root2=$TESTDIR/root2
	"$RUNTIME" --root="$root2" create --bundle="$BUNDLE" "$TEST_ID" </dev/null >"$TESTDIR/out" 2>&1 3>&- ||
		fail "create with --root=: $(cat "$TESTDIR/out")"
	run "$RUNTIME" --root="$root2" state "$TEST_ID"
	local st=$status js=$output
	# the container must not be visible in the default --root of this test
	run rt state "$TEST_ID"
	local other=$status
	"$RUNTIME" --root "$root2" delete --force "$TEST_ID" >/dev/null 2>&1
	[[ $st -eq 0 ]] || fail "state with --root=: $js"
	assert_eq "$(json_get 'j["status"]' <<<"$js")" created status
	assert_eq "$other" 1 "state in the other root"
	[[ -z $(find "$root2" -mindepth 1 -maxdepth 1 -type d) ]] || fail "state left in $root2"
}
