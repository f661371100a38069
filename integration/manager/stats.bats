#!/usr/bin/env bats
# stats: CPU %, memory, network I/O, block I/O and pids from the container's cgroup and netns.

load helpers

@test "stats --no-stream: a table row per running container" {
	mgr_bg --name mgr-s1 "$ROOTFS" sleep 100
	run mgr stats --no-stream
	assert_status 0
	assert_match "$(head -1 <<<"$output")" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$' "header"
	# NET I/O: the container is on the default bridge network (its own netns with eth0)
	assert_match "$(sed -n 2p <<<"$output")" "^${CID:0:12} +mgr-s1 +[0-9.]+% +[0-9.]+[KMG]?i?B / [0-9.]+[KMG]iB +[0-9.]+% +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +1$" "row"
	assert_eq "$(grep -c . <<<"$output")" 2 "lines"
}

@test "stats --format json: a busy container shows CPU use, its pids and memory" {
	mgr_bg --name mgr-busy "$ROOTFS" sh -c 'sleep 100 & sleep 100 & while :; do :; done'
	wait_for '[[ $(mgr top mgr-busy | grep -c "sleep 100$") -eq 2 ]]'
	run mgr stats --no-stream --format json mgr-busy
	assert_status 0
	json_get '[j["name"], j["pids"], j["cpuPercent"] > 5, j["memoryUsage"] > 0, j["memoryLimit"] > 0]' <<<"$output" >"$TESTDIR/s"
	assert_eq "$(cat "$TESTDIR/s")" '["mgr-busy", 3, true, true, true]' "stats"
}

@test "stats: streams a sample a second until interrupted; a stopped container is an error" {
	mgr_bg --name mgr-s2 "$ROOTFS" sleep 100
	run timeout 3.5 "$MANAGER" --root "$MROOT" stats --format json mgr-s2
	assert_status 124
	local n
	n=$(grep -c '"name":"mgr-s2"' <<<"$output")
	((n >= 2 && n <= 4)) || fail "$n samples in 3.5s (one a second)"
	mgr kill mgr-s2 >/dev/null
	wait_for '[[ $(state_of mgr-s2) == exited ]]'
	run mgr stats --no-stream mgr-s2
	assert_status 1
	assert_contains "$output" "is not running"
}

@test "stats: a live table refreshed every second; successive tables when not a terminal, redrawn on one" {
	mgr_bg --name mgr-live "$ROOTFS" sleep 100
	run timeout 2.6 "$MANAGER" --root "$MROOT" stats
	assert_status 124
	local n
	n=$(grep -c '^CONTAINER ID ' <<<"$output")
	((n >= 2 && n <= 3)) || fail "$n tables in 2.6s, want a refresh a second: $output"
	assert_eq "$(grep -c ' mgr-live ' <<<"$output")" "$n" "a row per table"
	assert_not_contains "$output" $'\033[2J'
	# a container started meanwhile joins the table (every running one, listed at each refresh)
	timeout 3.6 "$MANAGER" --root "$MROOT" stats >"$TESTDIR/live" &
	local sp=$!
	sleep 1.2
	mgr_bg --name mgr-late "$ROOTFS" sleep 100
	wait "$sp" || true
	grep -q ' mgr-late ' "$TESTDIR/live" || fail "mgr-late never appeared: $(cat "$TESTDIR/live")"
	# on a terminal: the screen is cleared and the table redrawn at the top each second
	run "$PYTHON" "$BATS_TEST_DIRNAME/pty-run.py" 40 200 "" timeout 2.6 "$MANAGER" --root "$MROOT" stats
	n=$(grep -o $'\033\[2J\033\[H' <<<"$output" | wc -l)
	((n >= 2 && n <= 3)) || fail "$n redraws in 2.6s on a terminal: $(cat -v <<<"$output")"
	assert_contains "$output" "NET I/O"
}

# host_counts_block_io: on cgroup v1 hosts, whether the kernel accounts block I/O to a
# blkio cgroup at all (some virtual disks are never counted: every blkio total stays 0).
host_counts_block_io() {
	[[ -d /sys/fs/cgroup/blkio ]] || return 0
	local cg=/sys/fs/cgroup/blkio/rcpp-ioprobe.$$ total
	mkdir "$cg" || return 0
	sh -c 'echo $$ >"$1/cgroup.procs" && exec dd if=/dev/zero of="$2" bs=1M count=4 oflag=direct 2>/dev/null' \
		sh "$cg" "$TESTDIR/ioprobe"
	total=$(awk '$1 == "Total" {print $2}' "$cg/blkio.throttle.io_service_bytes")
	rmdir "$cg"
	rm -f "$TESTDIR/ioprobe"
	((total > 0))
}

@test "stats: block I/O counts what the container wrote to disk" {
	host_counts_block_io || skip "this host's kernel counts no block I/O in blkio cgroups (4 MiB of O_DIRECT writes gave Total 0)"
	mgr_bg --name mgr-io "$ROOTFS" sh -c 'dd if=/dev/zero of=/var/tmp/f bs=1M count=8 conv=fsync 2>/dev/null; echo written; sleep 100'
	wait_for '[[ $(mgr logs mgr-io) == written ]]' 100
	run mgr stats --no-stream --format json mgr-io
	assert_status 0
	json_get 'j["blockWrite"] >= 8 << 20' <<<"$output" >"$TESTDIR/w"
	assert_eq "$(cat "$TESTDIR/w")" true "blockWrite >= 8 MiB: $output"
	run mgr stats --no-stream mgr-io
	assert_match "$(sed -n 2p <<<"$output")" ' [0-9.]+[kMG]?B / [89][0-9.]*MB +1$' "BLOCK I/O column"
}
