#!/usr/bin/env bats
# The manager's exec goes through the library's two-stage launch: a container with
# CAP_SYS_PTRACE that scans /proc during an exec loop reaches nothing of the host
# (issue 12 item 1; the CLI's version is integration/visibility.bats).

load helpers
load ../lib/proc-scan

setup() {
	setup_manager
	install_proc_scan "$BUNDLE/rootfs"
}

teardown() {
	teardown_manager
}

@test "exec through the manager: no process of the runtime is reachable from the container" {
	local secs=${SCAN_SECONDS:-12}
	scanner_config "$BUNDLE/config.json" "$secs"
	mgr_bg --name mgr-scan "$BUNDLE"
	wait_scan_ready "$BUNDLE/rootfs"
	local n=0 deadline=$((SECONDS + secs - 2))
	while ((SECONDS < deadline)); do
		mgr exec mgr-scan true >"$TESTDIR/exec.err" 2>&1 || { cat "$TESTDIR/exec.err"; fail "exec failed"; }
		n=$((n + 1))
	done
	echo "execs: $n"
	wait_for '[[ $(state_of mgr-scan) == exited ]]' 200
	check_scan_output "$(mgr logs mgr-scan)" 20
	((n >= 20)) || fail "only $n execs ran"
}
