#!/usr/bin/env bats
# Terminals: process.terminal with a foreground run (the runtime proxies its
# own stdio through the pty), with --console-socket (the pty master is sent
# over a unix socket with SCM_RIGHTS), consoleSize, exec -t, and the errors
# for the combinations runc refuses.

load lib/helpers

setup() {
	setup_bundle
	SOCK=$TESTDIR/console.sock
}

teardown() {
	if [[ -n ${RECV_PID:-} ]]; then kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null; fi
	teardown_bundle
}

# start_receiver OUT [INPUT]: lib/recvtty.py in the background on $SOCK;
# waits until the socket exists.
start_receiver() {
	rm -f "$SOCK"
	timeout 40 "$PYTHON" "$INTEGRATION_DIR/lib/recvtty.py" "$SOCK" "$@" </dev/null >/dev/null 2>"$TESTDIR/recv.err" 3>&- &
	RECV_PID=$!
	for _ in $(seq 50); do
		[[ -S $SOCK ]] && return 0
		sleep 0.1
	done
	fail "console receiver did not start: $(cat "$TESTDIR/recv.err")"
}

# wait_receiver: the receiver's exit code must be 0.
wait_receiver() {
	local rc=0
	wait "$RECV_PID" || rc=$?
	RECV_PID=
	[[ $rc -eq 0 ]] || fail "console receiver exited $rc: $(cat "$TESTDIR/recv.err")"
}

# in_pty CMD: runs CMD under script(1), so that it has a terminal. At the
# EOF of its stdin script(1) writes the EOF character into its pty, which the
# runtime forwards (the echo shows up as ^@ when the pty is raw); pty_clean
# drops that and the \r of the tty's output processing.
in_pty() {
	timeout 30 script -qec "$1" /dev/null
}

pty_clean() {
	local s=${1//$'\r'/}
	s=${s//^@/}
	printf '%s' "$s"
}

@test "run with process.terminal: the process has a tty; the exit code propagates" {
	cfg_set 'c["process"]["terminal"] = True'
	cfg_sh 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; exit 3'
	run in_pty "$RUNTIME --root $ROOT run $TEST_ID" </dev/null
	assert_status 3
	local out
	out=$(pty_clean "$output")
	assert_match "$out" $'^/dev/pts/[0-9]+\nall-ttys$' output
	# run removes the container afterwards
	run rt state "$TEST_ID"
	assert_status 1
}

@test "run with process.terminal: stdin is proxied to the container" {
	cfg_set 'c["process"]["terminal"] = True'
	cfg_sh 'read line; echo "got:$line"; exit 0'
	run bash -c "printf 'hello-input\n' | timeout 30 script -qec '$RUNTIME --root $ROOT run $TEST_ID' /dev/null"
	assert_status 0
	local out=${output//$'\r'/}
	assert_contains "$out" "got:hello-input"
}

@test "run with process.terminal: the caller's window size is copied to the pty" {
	cfg_set 'c["process"]["terminal"] = True'
	# runc copies the size after start, as this runtime may: give it a moment
	cfg_sh 'sleep 0.5; stty size'
	run in_pty "stty rows 37 cols 111; $RUNTIME --root $ROOT run $TEST_ID" </dev/null
	assert_status 0
	assert_eq "$(pty_clean "$output")" "37 111" "stty size"
}

@test "run without process.terminal under a terminal: no tty for the process" {
	cfg_sh 'tty; exit 0'
	run in_pty "$RUNTIME --root $ROOT run $TEST_ID" </dev/null
	assert_status 0
	assert_eq "$(pty_clean "$output")" "not a tty" output
}

@test "--console-socket: the receiver gets the pty master and reads the output" {
	cfg_set 'c["process"]["terminal"] = True'
	cfg_sh 'tty; echo from-container; exit 0'
	start_receiver "$TESTDIR/pty.out"
	run rt_bg create --console-socket "$SOCK" "$TEST_ID"
	assert_status 0
	run rt start "$TEST_ID"
	assert_status 0
	wait_receiver
	run cat "$TESTDIR/pty.out.info"
	assert_contains "$output" "fds=1"
	assert_match "$(grep ^link= "$TESTDIR/pty.out.info")" 'ptmx$' "received fd"
	# a pty master, and the container's tty is its slave
	local ptn
	ptn=$(sed -n 's/^ptn=//p' "$TESTDIR/pty.out.info")
	assert_match "$ptn" '^[0-9]+$' "TIOCGPTN on the received fd"
	run cat "$TESTDIR/pty.out"
	local out=${output//$'\r'/}
	assert_eq "$out" $'/dev/pts/'"$ptn"$'\nfrom-container' "pty output"
	wait_status "$TEST_ID" stopped
	# nothing of the container's went to the runtime's own stdio
	assert_eq "$(bg_log "$TEST_ID")" "" "runtime stdio"
}

@test "--console-socket: input written to the master reaches the process" {
	cfg_set 'c["process"]["terminal"] = True'
	cfg_sh 'read line; echo "got:$line"'
	start_receiver "$TESTDIR/pty.out" $'typed-line\n'
	run rt_bg run -d --console-socket "$SOCK" "$TEST_ID"
	assert_status 0
	wait_receiver
	run cat "$TESTDIR/pty.out"
	assert_contains "${output//$'\r'/}" "got:typed-line"
}

@test "consoleSize is honoured (stty size and TIOCGWINSZ on the master)" {
	cfg_set 'c["process"]["terminal"] = True; c["process"]["consoleSize"] = {"height": 30, "width": 100}'
	cfg_sh 'stty size'
	start_receiver "$TESTDIR/pty.out"
	run rt_bg run -d --console-socket "$SOCK" "$TEST_ID"
	assert_status 0
	wait_receiver
	assert_eq "$(grep ^winsize= "$TESTDIR/pty.out.info")" "winsize=30 100" "master window size"
	assert_eq "$(tr -d '\r' <"$TESTDIR/pty.out")" "30 100" "stty size"
}

@test "create with terminal and no --console-socket fails as in runc" {
	cfg_set 'c["process"]["terminal"] = True'
	run rt_bg create "$TEST_ID"
	assert_status 1
	assert_contains "$output" "cannot allocate tty if runc will detach without setting console socket"
	run rt state "$TEST_ID"
	assert_status 1
	run rt_bg run -d "$TEST_ID"
	assert_status 1
	assert_contains "$output" "cannot allocate tty if runc will detach without setting console socket"
}

@test "--console-socket without process.terminal fails as in runc" {
	start_receiver "$TESTDIR/pty.out"
	run rt_bg create --console-socket "$SOCK" "$TEST_ID"
	assert_status 1
	assert_contains "$output" "cannot use console socket if runc will not detach or allocate tty"
	run rt state "$TEST_ID"
	assert_status 1
}

@test "exec -t -d --console-socket: the receiver gets the exec's pty" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	start_receiver "$TESTDIR/pty.out"
	run rt_bg exec -t -d --console-socket "$SOCK" "$TEST_ID" sh -c 'tty; echo exec-out'
	assert_status 0
	wait_receiver
	assert_match "$(tr -d '\r' <"$TESTDIR/pty.out")" $'^/dev/pts/[0-9]+\nexec-out$' "pty output"
}

@test "exec --process with terminal true and --console-socket" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	cat >"$TESTDIR/p.json" <<'EOF'
{"terminal": true, "consoleSize": {"height": 21, "width": 77}, "user": {"uid": 0, "gid": 0},
 "args": ["sh", "-c", "tty; stty size"], "env": ["PATH=/bin"], "cwd": "/"}
EOF
	start_receiver "$TESTDIR/pty.out"
	run rt_bg exec -d --process "$TESTDIR/p.json" --console-socket "$SOCK" "$TEST_ID"
	assert_status 0
	wait_receiver
	assert_match "$(tr -d '\r' <"$TESTDIR/pty.out")" $'^/dev/pts/[0-9]+\n21 77$' "pty output"
}

@test "exec -t -d without --console-socket fails; --console-socket without -t fails" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt_bg exec -t -d "$TEST_ID" true
	[[ $status -ne 0 ]] || fail "exec -t -d without a console socket succeeded"
	assert_contains "$output" "cannot allocate tty if runc will detach without setting console socket"
	start_receiver "$TESTDIR/pty.out"
	run rt_bg exec -d --console-socket "$SOCK" "$TEST_ID" true
	[[ $status -ne 0 ]] || fail "exec --console-socket without a tty succeeded"
	assert_contains "$output" "cannot use console socket if runc will not detach or allocate tty"
}

@test "exec -t in the foreground: tty, stdin proxied, exit code" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run bash -c "printf 'exec-input\n' | timeout 30 script -qec '$RUNTIME --root $ROOT exec -t $TEST_ID sh -c \"tty; read l; echo got:\\\$l; exit 6\"' /dev/null"
	assert_status 6
	local out=${output//$'\r'/}
	assert_match "$out" '/dev/pts/[0-9]+' "tty"
	assert_contains "$out" "got:exec-input"
}

@test "exec -t: a resize of the caller's terminal (SIGWINCH) reaches the pty" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	# The resize waits for the first size to be printed (a marker in the rootfs), and the
	# process waits (up to 10 s) for the size to change: no race with a slow (sanitized) start.
	run in_pty "stty rows 20 cols 50; (while [ ! -e $BUNDLE/rootfs/.sized ]; do sleep 0.05; done; stty -F /dev/tty rows 33 cols 44) & $RUNTIME --root $ROOT exec -t $TEST_ID sh -c 'stty size; touch /.sized; i=0; while [ \"\$(stty size)\" = \"20 50\" ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done; stty size'" </dev/null
	assert_status 0
	assert_eq "$(pty_clean "$output")" $'20 50\n33 44' "sizes before and after the resize"
}

@test "run with process.terminal: a resize (SIGWINCH) reaches the pty" {
	cfg_set 'c["process"]["terminal"] = True'
	# As above: the resize follows the first size, the process waits for the change.
	cfg_sh 'stty size; touch /.sized; i=0; while [ "$(stty size)" = "21 51" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; stty size'
	run in_pty "stty rows 21 cols 51; (while [ ! -e $BUNDLE/rootfs/.sized ]; do sleep 0.05; done; stty -F /dev/tty rows 34 cols 45) & $RUNTIME --root $ROOT run $TEST_ID" </dev/null
	assert_status 0
	assert_eq "$(pty_clean "$output")" $'21 51\n34 45' "sizes before and after the resize"
}

# devpts as runc's default spec mounts it: new ptys get group tty (5)
devpts_gid5() {
	cfg_set 'for m in c["mounts"]:
    if m["destination"] == "/dev/pts":
        m["options"] = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]'
}

@test "run: the pty of a non-root process is owned by its uid (group tty), as runc chowns it" {
	devpts_gid5
	cfg_set 'c["process"]["terminal"] = True; c["process"]["user"] = {"uid": 1000, "gid": 1000}'
	cfg_sh 'stat -c "%u:%g %a" "$(tty)"'
	run in_pty "$RUNTIME --root $ROOT run $TEST_ID" </dev/null
	assert_status 0
	assert_eq "$(pty_clean "$output")" "1000:5 620" "pty owner, group and mode"
}

@test "exec -t: the pty of a non-root process is owned by its uid (group tty), foreground and console socket" {
	devpts_gid5
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run in_pty "$RUNTIME --root $ROOT exec -t --user 1000:1000 $TEST_ID sh -c 'stat -c %u:%g \$(tty)'" </dev/null
	assert_status 0
	assert_eq "$(pty_clean "$output")" "1000:5" "foreground exec pty"
	start_receiver "$TESTDIR/pty.out"
	run rt_bg exec -t -d --user 1001:1000 --console-socket "$SOCK" "$TEST_ID" sh -c 'stat -c %u:%g $(tty)'
	assert_status 0
	wait_receiver
	assert_eq "$(tr -d '\r' <"$TESTDIR/pty.out")" "1001:5" "console-socket exec pty"
	# root's stays root's
	run in_pty "$RUNTIME --root $ROOT exec -t $TEST_ID sh -c 'stat -c %u:%g \$(tty)'" </dev/null
	assert_eq "$(pty_clean "$output")" "0:5" "root exec pty"
}

@test "run with process.terminal without a controlling terminal fails as runc does; nothing is left" {
	cfg_set 'c["process"]["terminal"] = True'
	cfg_sh 'touch /run-ran'
	local rc=0
	setsid -w "$RUNTIME" --root "$ROOT" run "$TEST_ID" </dev/null >"$TESTDIR/out" 2>&1 3>&- || rc=$?
	assert_eq "$rc" 1 "exit status ($(cat "$TESTDIR/out"))"
	assert_contains "$(cat "$TESTDIR/out")" "run failed: open /dev/tty: no such device or address"
	[[ ! -e $BUNDLE/rootfs/run-ran ]] || fail "the process ran"
	assert_eq "$(status_of "$TEST_ID")" absent
}

@test "exec -t: a /dev/ptmx the container replaced (a symlink elsewhere, a fifo) is refused, never opened" {
	# The container owns its /dev: the runtime must not open whatever it put at /dev/ptmx
	# (an open can have side effects: a fifo's reader wakes, a watchdog arms).
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt exec "$TEST_ID" sh -c 'rm /dev/ptmx && ln -s /proc/keys /dev/ptmx'
	assert_status 0
	start_receiver "$TESTDIR/pty.out"
	run rt_bg exec -t -d --console-socket "$SOCK" "$TEST_ID" true
	[[ $status -ne 0 ]] || fail "exec -t with /dev/ptmx -> /proc/keys succeeded"
	is_go_runc || assert_contains "$output" '/proc/keys\", not to pts/ptmx'
	# a fifo: its reader, blocked in open, would wake when the runtime opens the fifo
	run rt exec "$TEST_ID" sh -c 'rm /dev/ptmx && mkfifo /dev/ptmx && { (cat /dev/ptmx >/dev/null; echo opened >/tmp/ptmx-opened) </dev/null >/dev/null 2>&1 & }'
	assert_status 0
	run rt_bg exec -t -d --console-socket "$SOCK" "$TEST_ID" true
	[[ $status -ne 0 ]] || fail "exec -t with a fifo at /dev/ptmx succeeded"
	is_go_runc_before_1_2 && skip "runc 1.1.5 opens whatever is at /dev/ptmx (then fails on the ioctl)"
	assert_contains "$output" "/dev/ptmx: not the pty multiplexer (char device 5:2)"
	sleep 0.3
	[[ ! -e $BUNDLE/rootfs/tmp/ptmx-opened ]] || fail "the runtime opened the fifo at /dev/ptmx"
	# the usual link is followed: exec -t works again
	run rt exec "$TEST_ID" sh -c 'rm /dev/ptmx && ln -s pts/ptmx /dev/ptmx'
	run rt_bg exec -t -d --console-socket "$SOCK" "$TEST_ID" sh -c 'tty'
	assert_status 0
	wait_receiver
	assert_match "$(tr -d '\r' <"$TESTDIR/pty.out")" '^/dev/pts/[0-9]+$' "pty output"
}

@test "run: a /dev bind-mounted from the bundle whose ptmx is not the pty multiplexer is refused, nothing left" {
	# With /dev bind-mounted the runtime does not make /dev itself (as runc: no ptmx symlink
	# of its own), so the bundle's /dev/ptmx is what a console would be opened from.
	mkdir -p "$TESTDIR/dev/pts"
	mknod -m 666 "$TESTDIR/dev/null" c 1 3
	ln -s /proc/keys "$TESTDIR/dev/ptmx"
	cfg_set 'c["process"]["terminal"] = True
c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]
c["mounts"].insert(1, {"destination": "/dev", "type": "bind", "source": "'"$TESTDIR/dev"'", "options": ["rbind", "rw"]})'
	start_receiver "$TESTDIR/pty.out"
	run rt_bg run -d --console-socket "$SOCK" "$TEST_ID"
	[[ $status -ne 0 ]] || fail "run with /dev/ptmx -> /proc/keys succeeded"
	is_go_runc || assert_contains "$output" '/proc/keys\", not to pts/ptmx'
	run rt state "$TEST_ID"
	assert_status 1
}
