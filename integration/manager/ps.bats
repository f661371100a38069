#!/usr/bin/env bats
# ps: the table of running containers; -a adds exited ones; -q prints ids.

load helpers

@test "ps: running containers only; -a adds exited ones with their exit code" {
	mgr_bg --name mgr-up "$ROOTFS" sleep 100
	local up=$CID
	run mgr_run --name mgr-done "$ROOTFS" sh -c 'exit 4'
	assert_status 4

	run mgr ps
	assert_status 0
	local header
	header=$(head -1 <<<"$output")
	assert_match "$header" '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$' "header"
	assert_eq "$(grep -c . <<<"$output")" 2 "lines"
	assert_match "$(sed -n 2p <<<"$output")" "^${up:0:12} +- +\"sleep 100\" +.* ago +Up .* +mgr-up$" "row"

	run mgr ps -a
	assert_eq "$(grep -c . <<<"$output")" 3 "lines"
	# newest first
	assert_match "$(sed -n 2p <<<"$output")" '"sh -c exit 4" +.* ago +Exited \(4\) .* ago +mgr-done$' "exited row"

	run mgr ps -q
	assert_output "${up:0:12}"
	run mgr ps -aq --no-trunc
	assert_eq "$(sed -n 2p <<<"$output")" "$up" "oldest last"
}

@test "ps: an empty root lists nothing (header only)" {
	run mgr ps -a
	assert_status 0
	assert_match "$output" '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
}

@test "ps: containers started concurrently by separate manager processes are all listed; a name is taken once" {
	local i pids=()
	for i in 1 2 3 4 5; do
		"$MANAGER" --root "$MROOT" run -d --cgroup-parent "$CGPARENT" --name "mgr-par$i" "$ROOTFS" sleep 100 \
			>"$TESTDIR/par$i" 2>&1 </dev/null 3>&- &
		pids+=($!)
	done
	# and five racing for one name
	for i in 1 2 3 4 5; do
		"$MANAGER" --root "$MROOT" run -d --cgroup-parent "$CGPARENT" --name mgr-same "$ROOTFS" sleep 100 \
			>"$TESTDIR/same$i" 2>&1 </dev/null 3>&- &
		pids+=($!)
	done
	local failed=0
	for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
	assert_eq "$failed" 4 "runs that failed (the name race)"
	assert_eq "$(grep -l 'already in use' "$TESTDIR"/same* | wc -l)" 4 "name conflicts"
	run mgr ps
	assert_eq "$(($(grep -c . <<<"$output") - 1))" 6 "running containers"
	for i in 1 2 3 4 5; do assert_contains "$output" "mgr-par$i"; done
	assert_contains "$output" "mgr-same"
}
