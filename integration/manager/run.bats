#!/usr/bin/env bats
# run: foreground and detached, bundle or rootfs + command, --name, --rm, -t, errors.

load helpers

@test "run: a rootfs and a command in the foreground: stdout, stderr and the exit code" {
	run --separate-stderr mgr_run --name mgr-fg "$ROOTFS" sh -c 'echo out; echo err >&2; exit 3'
	assert_status 3
	assert_output "out"
	assert_eq "$stderr" "err" "stderr"
	run mgr inspect --format '{{.State.ExitCode}}' mgr-fg
	assert_output 3
}

@test "run: a bundle runs its config.json; a command after it replaces process.args" {
	run mgr_run "$BUNDLE"
	assert_status 0
	assert_output "hello"
	run mgr_run "$BUNDLE" echo replaced
	assert_status 0
	assert_output "replaced"
}

@test "run: a generated spec gets hostname = short id, -e, -w and a private pid namespace" {
	run mgr_run -d -e FOO=bar -w /tmp "$ROOTFS" sh -c 'echo "$(hostname) $FOO $(pwd) $$"; sleep 100'
	assert_status 0
	local id=$output
	wait_for '[[ -n $(mgr logs '"$id"') ]]'
	run mgr logs "$id"
	assert_output "${id:0:12} bar /tmp 1"
	[[ $(mgr inspect --format '{{.Config.Tty}}' "$id") == false ]]
}

@test "run: a generated spec's rootfs is writable unless --read-only; -m sets the memory limit" {
	run mgr_run "$ROOTFS" sh -c 'echo x >/written && cat /written'
	assert_status 0
	assert_output x
	[[ -f $ROOTFS/written ]] || fail "the write did not reach the rootfs"
	run mgr_run --read-only "$ROOTFS" sh -c 'echo y >/blocked'
	assert_status 1
	assert_contains "$output" "Read-only file system"
	mgr_bg -m 32m --name mgr-mem "$ROOTFS" sleep 100
	local limit=$CGROUP_ROOT/memory/mgr-it/$TEST_ID/$CID/memory.limit_in_bytes  # v1
	[[ -f $limit ]] || limit=$CGROUP_ROOT/mgr-it/$TEST_ID/$CID/memory.max       # v2
	assert_eq "$(cat "$limit")" $((32 << 20)) "memory limit"
}

@test "run -d: prints the id and returns while the container runs; --name is unique" {
	mgr_bg --name mgr-web "$ROOTFS" sleep 100
	assert_eq "$(state_of mgr-web)" running
	assert_eq "$(mgr inspect --format '{{.Id}}' mgr-web)" "$CID"
	assert_eq "$(mgr inspect --format '{{.Id}}' "${CID:0:8}")" "$CID" "id prefix"
	run mgr_run -d --name mgr-web "$ROOTFS" true
	assert_status 125
	assert_contains "$output" "already in use"
	assert_eq "$(mgr ps -aq | wc -l)" 1 "containers"
}

@test "run --rm: the container is removed once it exited (foreground and detached)" {
	run mgr_run --rm --name mgr-gone "$ROOTFS" sh -c 'echo bye; exit 2'
	assert_status 2
	assert_output "bye"
	run mgr ps -aq
	assert_output ""
	mgr_bg --rm --name mgr-gone2 "$ROOTFS" sh -c 'sleep 0.3'
	wait_for '[[ -z $(mgr ps -aq) ]]' 50
	[[ ! -d $MROOT/$CID ]] || fail "state dir left"
	assert_eq "$(ls "$MROOT/runc")" "" "libcontainer state"
}

@test "run -t: the process has a terminal fed by our stdin; its exit code comes back" {
	run bash -c "printf 'tty; [ -t 0 ] && echo stdin-is-a-tty\nexit 5\n' | $(printf %q "$MANAGER") --root $(printf %q "$MROOT") run -t --cgroup-parent $CGPARENT --name mgr-tty $(printf %q "$ROOTFS") sh"
	assert_status 5
	assert_contains "$output" "/dev/pts/0"
	assert_contains "$output" "stdin-is-a-tty"
	# the terminal's output is in the log too (one stream: stdout)
	run mgr logs mgr-tty
	assert_contains "$output" "stdin-is-a-tty"
	assert_eq "$(mgr inspect --format '{{.Config.Tty}}' mgr-tty)" true
}

@test "run -t on a terminal: its window size reaches the container, typed lines run, the code comes back" {
	run "$PYTHON" "$BATS_TEST_DIRNAME/pty-run.py" 33 101 'stty size\necho typed-$((40+2))\nexit 7' \
		"$MANAGER" --root "$MROOT" run -t --rm --cgroup-parent "$CGPARENT" "$ROOTFS" sh
	assert_status 7
	assert_contains "$output" "33 101"
	assert_contains "$output" "typed-42"
	run mgr ps -aq
	assert_output ""
}

@test "run -i: our stdin feeds the container's until EOF; without -i it is empty; -d -i keeps it open" {
	run bash -c "printf 'a\nb\n' | $(printf %q "$MANAGER") --root $(printf %q "$MROOT") run -i --cgroup-parent $CGPARENT $(printf %q "$ROOTFS") sh -c 'cat; echo eof'"
	assert_status 0
	assert_output "$(printf 'a\nb\neof')"
	run bash -c "echo lost | $(printf %q "$MANAGER") --root $(printf %q "$MROOT") run --cgroup-parent $CGPARENT $(printf %q "$ROOTFS") sh -c 'cat; echo eof'"
	assert_status 0
	assert_output "eof"
	# detached with -i: cat waits on its stdin instead of seeing EOF at once
	mgr_bg -i --name mgr-cat "$ROOTFS" cat
	sleep 0.5
	assert_eq "$(state_of mgr-cat)" running
}

@test "run: signals to a foreground run are forwarded to the container" {
	"$MANAGER" --root "$MROOT" run --cgroup-parent "$CGPARENT" --name mgr-sig "$ROOTFS" \
		sh -c 'trap "echo got-TERM; exit 143" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$TESTDIR/out" 2>&1 </dev/null 3>&- &
	local client=$!
	track_bg "$client"
	wait_for 'grep -q ready "$TESTDIR/out"'
	kill -TERM "$client"
	local rc=0
	wait "$client" || rc=$?
	assert_eq "$rc" 143 "exit code of the client"
	assert_eq "$(cat "$TESTDIR/out")" "$(printf 'ready\ngot-TERM')" "output"
	assert_eq "$(state_of mgr-sig)" exited
}

@test "run: errors exit 125 (bad use), 127 (no such command) and leave nothing behind" {
	run mgr_run "$TESTDIR/nonexistent" true
	assert_status 125
	assert_contains "$output" "no such bundle, rootfs directory or image"
	run mgr_run "$ROOTFS"
	assert_status 125
	run mgr_run --name 'bad name' "$ROOTFS" true
	assert_status 125
	run -127 mgr_run "$ROOTFS" /no/such/binary
	assert_status 127
	assert_contains "$output" "/no/such/binary"
	run mgr ps -aq
	assert_output ""
}

@test "run, exec: the supervisor and the exec run from a copy of the manager no container can write (CVE-2019-5736)" {
	# Both clone container processes from their own image; a container reaches that image
	# through /proc/<pid>/exe of those clones until their execve.
	mgr_bg --name mgr-exe "$ROOTFS" sleep 100
	local sup epid
	sup=$(mgr inspect --format '{{.State.SupervisorPid}}' mgr-exe)
	run python3 "$INTEGRATION_DIR/lib/exe-protected.py" "$sup"
	echo "supervisor: $output"
	assert_status 0
	"$MANAGER" --root "$MROOT" exec mgr-exe sleep 31 </dev/null >/dev/null 2>&1 &
	epid=$!
	track_bg "$epid"
	# the exec'd process runs: the manager that started it waits for it
	wait_for 'pgrep -x -f "sleep 31" >/dev/null'
	run python3 "$INTEGRATION_DIR/lib/exe-protected.py" "$epid"
	echo "exec: $output"
	assert_status 0
	kill "$epid" 2>/dev/null || true
}
