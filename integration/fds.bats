#!/usr/bin/env bats
# File descriptors: --preserve-fds, LISTEN_FDS/LISTEN_PID (socket
# activation) and the stdio the container inherits from the runtime.

load lib/helpers

setup() {
	setup_bundle
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	echo five >"$TESTDIR/f5"
}

teardown() {
	teardown_bundle
}

# activated N CMD...: CMD with LISTEN_FDS=N and LISTEN_PID set to CMD's own
# pid, as systemd hands them over (sd_listen_fds(3) and runc check that
# LISTEN_PID is the pid of the process reading it).
activated() {
	local n=$1
	shift
	LISTEN_FDS=$n sh -c 'LISTEN_PID=$$ exec "$@"' sh "$@"
}

# The process's open fds, listed by ls exec'd in its place (a redirection in
# the shell would show up as ash's saved fd 10). ls opens the directory with
# the lowest free fd, so the last number in the listing is ls's own; any
# leaked fd moves it up. Prints "0 1 2 ... " on one line.
LIST_FDS='exec ls /proc/self/fd | tr "\n" " "'

@test "run --preserve-fds 2: fds 3 and 4 are passed, nothing else" {
	cfg_sh "cat <&3; cat <&4; $LIST_FDS"
	run rt run --preserve-fds 2 "$TEST_ID" 3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5" 6<"$TESTDIR/f5"
	assert_status 0
	assert_output "three
four
0 1 2 3 4 5 "
}

@test "run --preserve-fds 0 and no flag: only stdio" {
	cfg_sh "$LIST_FDS"
	run rt run --preserve-fds 0 "$TEST_ID" 3<"$TESTDIR/f3"
	assert_status 0
	assert_output "0 1 2 3 "
}

@test "create --preserve-fds 1: the fd reaches the process started later" {
	cfg_sh "cat <&3 >/tmp/got3; $LIST_FDS >/tmp/list; sleep 1000"
	# not rt_bg: it closes fd 3
	"$RUNTIME" --root "$ROOT" create --preserve-fds 1 "$TEST_ID" 3<"$TESTDIR/f3" \
		</dev/null >"$TESTDIR/create.out" 2>&1 || fail "create failed: $(cat "$TESTDIR/create.out")"
	run rt start "$TEST_ID"
	assert_status 0
	for _ in $(seq 50); do
		[[ -s $BUNDLE/rootfs/tmp/list ]] && break
		sleep 0.1
	done
	assert_eq "$(cat "$BUNDLE/rootfs/tmp/got3")" three "fd 3 content"
	assert_eq "$(cat "$BUNDLE/rootfs/tmp/list")" "0 1 2 3 4 " "fds"
}

@test "exec --preserve-fds 1: fd 3 reaches the exec'd process, not fd 4" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt exec --preserve-fds 1 "$TEST_ID" sh -c "cat <&3; $LIST_FDS" 3<"$TESTDIR/f3" 4<"$TESTDIR/f4"
	assert_status 0
	assert_output "three
0 1 2 3 4 "
}

@test "LISTEN_FDS=2: the process sees LISTEN_FDS=2, LISTEN_PID=its own pid and fds 3, 4" {
	cfg_sh "echo \"fds=\$LISTEN_FDS pid=\$LISTEN_PID self=\$\$\"; cat <&3; cat <&4; $LIST_FDS"
	run activated 2 "$RUNTIME" --root "$ROOT" run "$TEST_ID" \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5"
	assert_status 0
	assert_output "fds=2 pid=1 self=1
three
four
0 1 2 3 4 5 "
}

@test "LISTEN_FDS on create: passed to the init that start releases" {
	cfg_sh "echo \"\$LISTEN_FDS \$LISTEN_PID\" >/tmp/env; cat <&3 >/tmp/got3; $LIST_FDS >/tmp/list; sleep 1000"
	activated 1 "$RUNTIME" --root "$ROOT" create "$TEST_ID" \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4" </dev/null >"$TESTDIR/create.out" 2>&1 ||
		fail "create failed: $(cat "$TESTDIR/create.out")"
	run rt start "$TEST_ID"
	assert_status 0
	for _ in $(seq 50); do
		[[ -s $BUNDLE/rootfs/tmp/list ]] && break
		sleep 0.1
	done
	assert_eq "$(cat "$BUNDLE/rootfs/tmp/env")" "1 1" "LISTEN_FDS LISTEN_PID"
	assert_eq "$(cat "$BUNDLE/rootfs/tmp/got3")" three "fd 3"
	assert_eq "$(cat "$BUNDLE/rootfs/tmp/list")" "0 1 2 3 4 " "fds"
}

@test "LISTEN_FDS with --preserve-fds: the preserved fds come after the listen fds" {
	cfg_sh "echo \$LISTEN_FDS; cat <&3; cat <&4; $LIST_FDS"
	run activated 1 "$RUNTIME" --root "$ROOT" run --preserve-fds 1 "$TEST_ID" \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f5"
	assert_status 0
	assert_output "1
three
four
0 1 2 3 4 5 "
}

@test "LISTEN_PID of another process: no fds and no LISTEN_* for the container (as runc)" {
	cfg_sh "echo \"[\${LISTEN_FDS-unset}] [\${LISTEN_PID-unset}]\"; $LIST_FDS"
	run env LISTEN_FDS=1 LISTEN_PID=1 "$RUNTIME" --root "$ROOT" run "$TEST_ID" 3<"$TESTDIR/f3"
	assert_status 0
	assert_output "[unset] [unset]
0 1 2 3 "
}

@test "no LISTEN_FDS in the caller's env: none in the container's" {
	cfg_sh 'echo "[${LISTEN_FDS-unset}] [${LISTEN_PID-unset}]"'
	run env -u LISTEN_FDS -u LISTEN_PID "$RUNTIME" --root "$ROOT" run "$TEST_ID" 3<"$TESTDIR/f3"
	assert_status 0
	assert_output "[unset] [unset]"
}

# runc 1.1 gives a foreground `run` without a tty new pipes of its own (and
# copies); a detached container (create, run -d: what the shims and conmon
# use) gets the caller's stdio itself. These tests use create + start.

@test "stdio: a pipe given to create is the container's stdout (the same pipe)" {
	cfg_sh 'readlink /proc/self/fd/1; echo through-pipe'
	local out
	out=$({
		"$RUNTIME" --root "$ROOT" create "$TEST_ID" </dev/null 2>"$TESTDIR/err" 3>&- &&
			"$RUNTIME" --root "$ROOT" start "$TEST_ID" </dev/null >/dev/null 2>>"$TESTDIR/err" 3>&-
	} | { readlink /proc/self/fd/0; timeout 20 cat; })
	local lines
	mapfile -t lines <<<"$out"
	assert_match "${lines[0]}" '^pipe:\[[0-9]+\]$' "reader's stdin"
	assert_eq "${lines[1]}" "${lines[0]}" "container's stdout"
	assert_eq "${lines[2]}" through-pipe "data"
	assert_eq "$(cat "$TESTDIR/err")" "" stderr
}

@test "stdio: /dev/null given to create is the container's stdin (char 1:3), reads EOF" {
	cfg_sh 'stat -L -c "%F %t:%T" /proc/self/fd/0; cat; echo eof-ok'
	"$RUNTIME" --root "$ROOT" create "$TEST_ID" </dev/null >"$TESTDIR/out" 2>&1 3>&- ||
		fail "create failed: $(cat "$TESTDIR/out")"
	run rt start "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" stopped
	assert_eq "$(cat "$TESTDIR/out")" $'character special file 1:3\neof-ok' output
}

@test "stdio: run in the foreground without a tty: pipe and /dev/null reach the process" {
	cfg_sh 'cat; echo through-pipe'
	local out
	out=$("$RUNTIME" --root "$ROOT" run "$TEST_ID" </dev/null 2>&1 3>&- | cat)
	assert_eq "$out" through-pipe output
}

@test "stdio: files — stdin read, stdout and stderr written, O_APPEND kept" {
	cfg_sh 'cat; echo to-stdout; echo to-stderr >&2'
	echo from-stdin-file >"$TESTDIR/in"
	echo first >"$TESTDIR/out"
	local rc=0
	"$RUNTIME" --root "$ROOT" run "$TEST_ID" <"$TESTDIR/in" >>"$TESTDIR/out" 2>"$TESTDIR/err" 3>&- || rc=$?
	assert_eq "$rc" 0 "exit code"
	assert_eq "$(cat "$TESTDIR/out")" $'first\nfrom-stdin-file\nto-stdout' "stdout file"
	assert_eq "$(cat "$TESTDIR/err")" "to-stderr" "stderr file"
}

@test "stdio: a detached container keeps writing to the files given to create" {
	cfg_sh 'echo out-1; echo err-1 >&2; sleep 0.5; echo out-2; exec sleep 1000'
	"$RUNTIME" --root "$ROOT" create "$TEST_ID" </dev/null >"$TESTDIR/out" 2>"$TESTDIR/err" 3>&- ||
		fail "create failed: $(cat "$TESTDIR/err")"
	assert_eq "$(cat "$TESTDIR/out")" "" "stdout before start"
	run rt start "$TEST_ID"
	assert_status 0
	for _ in $(seq 50); do
		[[ $(cat "$TESTDIR/out") == *out-2* ]] && break
		sleep 0.1
	done
	assert_eq "$(cat "$TESTDIR/out")" $'out-1\nout-2' stdout
	assert_eq "$(cat "$TESTDIR/err")" "err-1" stderr
}

@test "stdio: exec inherits the caller's stdio (file in, pipe out)" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	echo exec-stdin >"$TESTDIR/in"
	local out
	out=$("$RUNTIME" --root "$ROOT" exec "$TEST_ID" sh -c 'cat; echo done' <"$TESTDIR/in" 2>&1 3>&-)
	assert_eq "$out" $'exec-stdin\ndone' output
}
