#!/usr/bin/env bats
# cgroup v2: runs inside the v2-only guest of integration/v2/vm.sh (see run.sh there).
# Limits read back from the unified files, the eBPF device filter, cgroup.freeze, OOM events,
# update, and cleanup.

load ../lib/helpers

setup() {
	[[ $(stat -f -c %T "$CGROUP_ROOT") == cgroup2fs ]] || skip "needs a cgroup v2 host (run through integration/v2/run.sh)"
	setup_bundle
}

teardown() {
	teardown_bundle
}

cgdir() {
	echo "$CGROUP_ROOT/$CGROUP_PARENT/$TEST_ID"
}

cg_read() {
	local f
	f=$(cgdir)/$1
	[[ -f $f ]] || { echo "missing: $f" >&2; return 1; }
	tr -d '\n' <"$f"
}

res() {
	cfg_set 'r = c["linux"].setdefault("resources", {})
'"$1"
}

start_detached() {
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" running
}

@test "v2: device rules are enforced by the eBPF program" {
	cfg_set 'for k in ("bounding", "effective", "permitted"): c["process"]["capabilities"][k].append("CAP_MKNOD")'
	# /dev/null is on the default allow-list; 1:1 (/dev/mem) is not: mknod works (m is allowed
	# for all), opening it must not.
	cfg_sh 'echo x >/dev/null && echo null-ok; mknod /tmp/mem c 1 1 && echo mknod-ok; head -c1 /tmp/mem >/dev/null 2>/tmp/err; cat /tmp/err'
	run rt run "$TEST_ID"
	assert_contains "$output" null-ok
	assert_contains "$output" mknod-ok
	assert_contains "$output" "Operation not permitted"
}

@test "v2: pause freezes via cgroup.freeze, state says paused; resume thaws" {
	cfg_sh 'sleep 100 & while :; do :; done'
	start_detached
	run rt pause "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" paused status
	assert_eq "$(cg_read cgroup.freeze)" 1 cgroup.freeze
	assert_contains "$(cat "$(cgdir)/cgroup.events")" "frozen 1"
	run rt resume "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" running status
	assert_eq "$(cg_read cgroup.freeze)" 0 cgroup.freeze
	assert_contains "$(cat "$(cgdir)/cgroup.events")" "frozen 0"
}

@test "v2: an overrun of memory.max is OOM-killed (137) and events reports the oom" {
	res 'r["memory"] = {"limit": 16777216}'
	cfg_args tail /dev/zero
	run rt run "$TEST_ID"
	assert_status 137

	# The memory hog starts once events is watching (/tmp/go appears).
	cfg_sh 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero'
	start_detached
	local out=$TESTDIR/events.out pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	timeout 60 "$RUNTIME" --root "$ROOT" events --interval 30s "$TEST_ID" >"$out" 2>&1 3>&- &
	local ev=$!
	sleep 1
	touch /proc/"$pid"/root/tmp/go
	wait "$ev" || true
	grep -q '"type":"oom"' "$out" || { cat "$out" >&2; fail "no oom event"; }
	assert_match "$(grep '^oom_kill ' "$(cgdir)/memory.events")" '^oom_kill [1-9]' "memory.events"
}

# One container for everything that needs a running one: each test costs ~10s of bats and
# runtime work under TCG, and the tier must stay short.
@test "v2: limits in memory.max/pids.max/cpu.max/cpu.weight, events --stats, ps, update, delete" {
	res 'r["memory"] = {"limit": 67108864, "reservation": 33554432}; r["pids"] = {"limit": 42}; r["cpu"] = {"shares": 512, "quota": 20000, "period": 50000}'
	cfg_sh 'sleep 100 & exec sleep 101'
	start_detached
	assert_eq "$(cg_read memory.max)" 67108864 memory.max
	assert_eq "$(cg_read memory.low)" 33554432 memory.low
	assert_eq "$(cg_read pids.max)" 42 pids.max
	assert_eq "$(cg_read cpu.max)" "20000 50000" cpu.max
	# shares 512 -> weight 1 + (510 * 9999) / 262142
	assert_eq "$(cg_read cpu.weight)" 20 cpu.weight
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	assert_eq "$(cat /proc/"$pid"/cgroup)" "0::/$CGROUP_PARENT/$TEST_ID" "/proc/pid/cgroup"

	run rt events --stats "$TEST_ID"
	assert_status 0
	assert_eq "$(json_get '[j["data"]["memory"]["usage"]["limit"], j["data"]["pids"]["limit"], j["data"]["pids"]["current"], j["data"]["memory"]["usage"]["usage"] > 0]' <<<"$output")" \
		"[67108864, 42, 2, true]" "memory.usage.limit, pids.limit, pids.current, memory used"

	run rt ps --format json "$TEST_ID"
	assert_status 0
	assert_eq "$(json_get "[len(j), $pid in j]" <<<"$output")" "[2, true]" "ps: count and init in $output"

	run rt update --memory 128m --pids-limit 30 --cpu-quota 25000 --cpu-period 100000 "$TEST_ID"
	assert_status 0
	assert_eq "$(cg_read memory.max)" 134217728 memory.max
	assert_eq "$(cg_read pids.max)" 30 pids.max
	assert_eq "$(cg_read cpu.max)" "25000 100000" cpu.max
	run rt update -r - "$TEST_ID" <<<'{"memory":{"limit":50331648,"reservation":0,"swap":0,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"pids":{"limit":50},"blockIO":{"weight":0}}'
	assert_status 0
	assert_eq "$(cg_read memory.max)" 50331648 memory.max
	assert_eq "$(cg_read pids.max)" 50 pids.max
	assert_eq "$(cg_read cpu.max)" "25000 100000" "cpu.max (unchanged)"

	run rt delete --force "$TEST_ID"
	assert_status 0
	[[ ! -d $(cgdir) ]] || fail "left after delete: $(cgdir)"
}
