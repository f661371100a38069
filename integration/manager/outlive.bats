#!/usr/bin/env bats
# Containers outlive the manager: the state is on disk and every container has its own
# supervisor process, so a new manager process sees what an earlier one started.

load helpers

ppid_of() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f2
}

@test "outlive: a detached container keeps running and logging after the manager exited" {
	"$MANAGER" --root "$MROOT" run -d --cgroup-parent "$CGPARENT" --name mgr-o "$ROOTFS" \
		sh -c 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done' >"$TESTDIR/id" </dev/null &
	local mgr_pid=$!
	track_bg "$mgr_pid"
	wait "$mgr_pid" || fail "run -d failed"
	! kill -0 "$mgr_pid" 2>/dev/null || fail "the manager process is still there"
	CID=$(cat "$TESTDIR/id")
	local init sup
	init=$(mgr inspect --format '{{.State.Pid}}' mgr-o)
	sup=$(mgr inspect --format '{{.State.SupervisorPid}}' mgr-o)
	# the init is the supervisor's child, and the supervisor is not a child of the manager
	assert_eq "$(ppid_of "$init")" "$sup" "parent of the init"
	[[ $(ppid_of "$sup") != "$mgr_pid" ]] || fail "supervisor is the manager's child"
	# new manager processes see it running and its log growing
	run mgr ps
	assert_match "$(sed -n 2p <<<"$output")" "^${CID:0:12} .* Up .* mgr-o$" "ps row"
	local n1 n2
	n1=$(mgr logs mgr-o | wc -l)
	sleep 0.5
	n2=$(mgr logs mgr-o | wc -l)
	((n2 > n1)) || fail "log did not grow: $n1 -> $n2"
	run mgr stop -t 1 mgr-o
	assert_status 0
	assert_eq "$(mgr inspect --format '{{.State.ExitCode}}' mgr-o)" 137
}

@test "outlive: killing a foreground run (SIGKILL) leaves the container running" {
	"$MANAGER" --root "$MROOT" run --cgroup-parent "$CGPARENT" --name mgr-fg "$ROOTFS" \
		sh -c 'trap "exit 143" TERM; while :; do echo alive; sleep 0.1; done' >"$TESTDIR/out" 2>&1 </dev/null 3>&- &
	local mgr_pid=$!
	track_bg "$mgr_pid"
	wait_for '[[ $(state_of mgr-fg) == running ]] && grep -q alive "$TESTDIR/out"'
	kill -9 "$mgr_pid"
	wait "$mgr_pid" 2>/dev/null || true
	sleep 0.3
	assert_eq "$(state_of mgr-fg)" running
	local n1 n2
	n1=$(mgr logs mgr-fg | wc -l)
	sleep 0.4
	n2=$(mgr logs mgr-fg | wc -l)
	((n2 > n1)) || fail "log did not grow: $n1 -> $n2"
	run mgr stop mgr-fg
	assert_status 0
	assert_eq "$(mgr inspect --format '{{.State.ExitCode}}' mgr-fg)" 143
}

@test "outlive: a container whose supervisor was killed is still listed and can be removed" {
	mgr_bg --name mgr-orphan "$ROOTFS" sleep 100
	local init sup
	init=$(mgr inspect --format '{{.State.Pid}}' mgr-orphan)
	sup=$(mgr inspect --format '{{.State.SupervisorPid}}' mgr-orphan)
	kill -9 "$sup"
	wait_for '! pid_alive '"$sup"
	pid_alive "$init" || fail "the container died with its supervisor"
	assert_eq "$(state_of mgr-orphan)" running
	assert_eq "$(mgr inspect --format '{{.State.SupervisorPid}}' mgr-orphan)" 0 "supervisor pid"
	run mgr rm -f mgr-orphan
	assert_status 0
	wait_for '! pid_alive '"$init"
}

@test "outlive: without its supervisor a container that ends is 'dead' (no exit code) and rm takes it" {
	mgr_bg --name mgr-dead "$ROOTFS" sleep 100
	local init sup
	init=$(mgr inspect --format '{{.State.Pid}}' mgr-dead)
	sup=$(mgr inspect --format '{{.State.SupervisorPid}}' mgr-dead)
	kill -9 "$sup"
	wait_for '! pid_alive '"$sup"
	kill -9 "$init"
	wait_for '[[ $(state_of mgr-dead) == dead ]]'
	run mgr ps -a
	assert_match "$(sed -n 2p <<<"$output")" ' Dead +mgr-dead$' "ps row"
	run mgr ps -q
	assert_output ""
	run mgr rm mgr-dead
	assert_status 0
	[[ ! -e $MROOT/$CID ]] || fail "state dir left"
}
