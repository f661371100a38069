#!/usr/bin/env bats
# Soak: many sequential containers (`run` of `true`). Afterwards the caller's open fds and
# memory, the host's mounts, the test's cgroups, state dirs and processes must be back to
# where they started. RELIABILITY_SOAK sets the count (default 200; docs/reliability.md has
# the 1,000 run).

load lib

setup() {
	setup_bundle
	ID=$TEST_ID-soak
	mark_env "$ID"
	cfg_args true
}

teardown() {
	teardown_bundle
}

count_fds() { find /proc/$$/fd -mindepth 1 -maxdepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS/ { print $2 }' /proc/$$/status; }
# Mounts on the host that point into this test's directory (the bundle's rootfs is there). The
# host-wide count is printed too, for information only: other work on the machine mounts too.
count_mounts() { grep -c " $TESTDIR" /proc/self/mountinfo || true; }
count_all_mounts() { wc -l </proc/self/mountinfo; }
count_cgroups() { find "$CGROUP_ROOT"/ -maxdepth 3 -path "*/$CGROUP_PARENT/$TEST_ID*" -type d 2>/dev/null | wc -l; }
count_states() { find "$ROOT" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
count_procs() { procs_with "$ID" | wc -l; }
# unreaped children of this shell (the runtime's and whatever it left to us)
count_zombies() { ps --ppid $$ -o stat= 2>/dev/null | grep -c Z || true; }

snapshot() {
	echo "fds=$(count_fds) mounts=$(count_mounts) cgroups=$(count_cgroups) states=$(count_states) procs=$(count_procs)"
}

@test "sequential run of true leaves nothing behind" {
	local n=${RELIABILITY_SOAK:-200} k failures=0
	# one warm-up container so that lazily made things (the cgroup parent) exist in both
	# snapshots
	run rt_marked "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID-warm"
	assert_status 0
	local before rss0 zombies0
	before=$(snapshot)
	rss0=$(rss_kb)
	zombies0=$(count_zombies)
	local allm0
	allm0=$(count_all_mounts)
	local t0=$SECONDS
	for ((k = 0; k < n; k++)); do
		if ! RCPP_MARK=$ID "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID-$k" </dev/null >"$TESTDIR/soak.out" 2>&1 3>&-; then
			failures=$((failures + 1))
			echo "run $k failed: $(cat "$TESTDIR/soak.out")" >&2
			((failures > 5)) && break
		fi
	done
	local secs=$((SECONDS - t0))
	wait_procs_gone "$ID" 50
	local after rss1 zombies1
	after=$(snapshot)
	rss1=$(rss_kb)
	zombies1=$(count_zombies)
	local allm1
	allm1=$(count_all_mounts)
	echo "# soak: $n containers in ${secs}s; before: $before rss=${rss0}kB; after: $after rss=${rss1}kB; zombies $zombies0 -> $zombies1; host mounts $allm0 -> $allm1" >&3
	((failures == 0)) || fail "$failures runs failed"
	assert_eq "$after" "$before" "leftovers after $n containers"
	# The caller is this shell; allow for bash's own growth, not per-container growth.
	((rss1 - rss0 < 4096)) || fail "caller RSS grew from ${rss0}kB to ${rss1}kB"
	((zombies1 <= zombies0)) || fail "zombies grew from $zombies0 to $zombies1"
	run rt list -q
	assert_output ""
}
