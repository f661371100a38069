#!/usr/bin/env bats
# exec: a process in a running container, its output, exit code, -t, -e, -w.

load helpers

@test "exec: runs in the container's namespaces; stdout, stderr and the exit code" {
	mgr_bg --name mgr-x "$ROOTFS" sleep 100
	run --separate-stderr mgr exec mgr-x sh -c 'echo "$(hostname) $(cat /proc/1/cmdline | tr "\0" " ")"; echo oops >&2; exit 6'
	assert_status 6
	assert_output "${CID:0:12} sleep 100 "
	assert_eq "$stderr" "oops" "stderr"
	run mgr exec -e A=1 -w /etc mgr-x sh -c 'echo $A $(pwd)'
	assert_status 0
	assert_output "1 /etc"
	# exec output is not the container's log
	run mgr logs mgr-x
	assert_output ""
	# events: exec_start and exec_die with the exit code
	run mgr events --since 1m --until "$(($(date +%s) + 1))" --filter event=exec_start --filter event=exec_die
	assert_match "$(sed -n 1p <<<"$output")" " container exec_start $CID \\(execCommand=sh, name=mgr-x\\)$"
	assert_match "$(sed -n 2p <<<"$output")" " container exec_die $CID \\(exitCode=6, name=mgr-x\\)$"
	assert_eq "$(grep -c . <<<"$output")" 4 "exec events"
}

@test "exec -t: the process gets a terminal fed by our stdin" {
	mgr_bg --name mgr-xt "$ROOTFS" sleep 100
	run bash -c "printf '[ -t 0 ] && tty\nexit 9\n' | $(printf %q "$MANAGER") --root $(printf %q "$MROOT") exec -t mgr-xt sh"
	assert_status 9
	assert_match "$output" "/dev/pts/[0-9]+"
}

@test "exec -t on a terminal: window size and typed input" {
	mgr_bg --name mgr-xt2 "$ROOTFS" sleep 100
	run "$PYTHON" "$BATS_TEST_DIRNAME/pty-run.py" 21 77 'stty size\nexit 3' "$MANAGER" --root "$MROOT" exec -t mgr-xt2 sh
	assert_status 3
	assert_contains "$output" "21 77"
}

@test "exec: errors for a missing command (127) and a container that is not running (125)" {
	mgr_bg --name mgr-xe "$ROOTFS" sleep 100
	run -127 mgr exec mgr-xe /no/such/cmd
	assert_status 127
	mgr kill mgr-xe >/dev/null
	wait_for '[[ $(state_of mgr-xe) == exited ]]'
	run mgr exec mgr-xe true
	assert_status 125
	assert_contains "$output" "is not running"
}
