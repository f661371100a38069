#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup) on a systemd + cgroup v2 host (the sysguest):
# the transient scope and its properties, the limits in cgroupfs, update, pause/resume, exec,
# events, delete (nothing left: unit, cgroup, state), cgroupsPath forms and annotations.
# Runs against runc 1.1.5 too (RUNTIME=/usr/sbin/runc); where the two differ on purpose
# (the default unit prefix) the test says so.

load ../lib/helpers

setup() {
	setup_bundle
	[[ -d /run/systemd/system ]] || skip "needs a host booted with systemd (integration/sysguest/run.sh)"
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] || skip "needs a cgroup v2 host"
	# Every call of the runtime, the helpers' included, with --systemd-cgroup.
	REAL_RUNTIME=$RUNTIME
	printf '#!/bin/sh\nexec %q --systemd-cgroup "$@"\n' "$REAL_RUNTIME" >"$TESTDIR/rt-systemd"
	chmod 755 "$TESTDIR/rt-systemd"
	RUNTIME=$TESTDIR/rt-systemd
	UNIT=rcpp-it-$TEST_ID.scope
	CG=/sys/fs/cgroup/system.slice/$UNIT
	cfg_set 'c["linux"]["cgroupsPath"] = "system.slice:rcpp-it:'"$TEST_ID"'"'
}

teardown() {
	local units=("$UNIT" ${EXTRA_UNITS[@]+"${EXTRA_UNITS[@]}"}) u left=()
	teardown_bundle || left+=("teardown")
	for u in "${units[@]}"; do
		if [[ -n $(systemctl list-units --all --plain --no-legend "$u" 2>/dev/null) ]]; then
			left+=("unit $u")
			systemctl stop "$u" 2>/dev/null
			systemctl reset-failed "$u" 2>/dev/null
		fi
	done
	[[ -d $CG ]] && left+=("cgroup $CG")
	((${#left[@]} == 0)) || fail "left behind: ${left[*]}"
}

prop() { systemctl show -P "$1" "${2:-$UNIT}"; }

unit_gone() {
	[[ -z $(systemctl list-units --all --plain --no-legend "${1:-$UNIT}") ]]
}

@test "create: a transient scope with Delegate=yes and the resources as properties; the limits in cgroupfs; delete removes unit, cgroup and state" {
	cfg_set 'c["linux"]["resources"] = {"memory": {"limit": 104857600}, "pids": {"limit": 100}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}}'
	cfg_sh 'sleep 100'
	run rt_bg create "$TEST_ID"
	assert_status 0
	assert_eq "$(systemctl is-active "$UNIT")" active "unit state"
	assert_eq "$(prop Delegate)" yes Delegate
	assert_eq "$(prop Slice)" system.slice Slice
	assert_eq "$(prop MemoryMax)" 104857600 MemoryMax
	assert_eq "$(prop TasksMax)" 100 TasksMax
	assert_eq "$(prop CPUQuotaPerSecUSec)" 500ms CPUQuotaPerSecUSec
	assert_eq "$(cat "$CG/memory.max")" 104857600 memory.max
	assert_eq "$(cat "$CG/pids.max")" 100 pids.max
	assert_eq "$(cat "$CG/cpu.max")" "50000 100000" cpu.max
	assert_eq "$(cat "$CG/cpu.weight")" 20 "cpu.weight (from shares 512)"
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	assert_eq "$(cat /proc/$pid/cgroup)" "0::/system.slice/$UNIT" "the init's cgroup"
	rt start "$TEST_ID"
	assert_eq "$(status_of "$TEST_ID")" running
	rt kill "$TEST_ID" KILL
	wait_status "$TEST_ID" stopped
	rt delete "$TEST_ID"
	unit_gone || fail "unit $UNIT still loaded after delete"
	[[ ! -d $CG ]] || fail "cgroup $CG left"
	[[ -z $(ls "$ROOT") ]] || fail "state left"
}

@test "run: the limits hold (pids.max refuses the fork past the limit)" {
	cfg_set 'c["linux"]["resources"] = {"pids": {"limit": 3}}'
	cfg_sh 'sleep 5 & sleep 5 & sleep 5 & sleep 5 & wait; echo done'
	run rt run "$TEST_ID"
	assert_contains "$output" "can't fork"
	unit_gone || fail "unit left after run"
}

@test "update: systemd properties and cgroupfs both change" {
	cfg_set 'c["linux"]["resources"] = {"memory": {"limit": 104857600}, "pids": {"limit": 100}}'
	cfg_sh 'sleep 100'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt update --memory 209715200 --pids-limit 50 --cpu-quota 20000 --cpu-period 100000 "$TEST_ID"
	assert_status 0
	assert_eq "$(prop MemoryMax)" 209715200 MemoryMax
	assert_eq "$(prop TasksMax)" 50 TasksMax
	assert_eq "$(prop CPUQuotaPerSecUSec)" 200ms CPUQuotaPerSecUSec
	assert_eq "$(cat "$CG/memory.max")" 209715200 memory.max
	assert_eq "$(cat "$CG/pids.max")" 50 pids.max
	assert_eq "$(cat "$CG/cpu.max")" "20000 100000" cpu.max
	rt delete -f "$TEST_ID"
	unit_gone || fail "unit left"
}

@test "pause and resume freeze the scope's cgroup" {
	cfg_sh 'sleep 100'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	rt pause "$TEST_ID"
	assert_eq "$(status_of "$TEST_ID")" paused
	grep -qx 'frozen 1' "$CG/cgroup.events" || fail "not frozen: $(cat "$CG/cgroup.events")"
	rt resume "$TEST_ID"
	assert_eq "$(status_of "$TEST_ID")" running
	grep -qx 'frozen 0' "$CG/cgroup.events" || fail "still frozen"
	rt delete -f "$TEST_ID"
}

@test "exec joins the scope; events --stats reads it; delete --force ends the exec'd process too" {
	cfg_set 'c["linux"]["resources"] = {"memory": {"limit": 104857600}}'
	cfg_sh 'sleep 100'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt exec "$TEST_ID" true
	assert_status 0
	run rt_bg exec -d --pid-file "$TESTDIR/exec.pid" "$TEST_ID" sleep 200
	assert_status 0
	assert_eq "$(cat /proc/$(cat "$TESTDIR/exec.pid")/cgroup)" "0::/system.slice/$UNIT" "the exec'd process's cgroup"
	run rt events --stats "$TEST_ID"
	assert_status 0
	assert_contains "$output" '"type":"stats"'
	assert_contains "$output" '"pids"'
	local t0=$SECONDS
	rt delete -f "$TEST_ID"
	((SECONDS - t0 < 20)) || fail "delete took $((SECONDS - t0))s"
	unit_gone || fail "unit left"
}

@test "an empty cgroupsPath makes <prefix>-<id>.scope in system.slice (runc: runc-, runc-cpp: runc-cpp-)" {
	cfg_set 'c["linux"]["cgroupsPath"] = ""'
	cfg_sh 'cat /proc/self/cgroup'
	cfg_set 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "cgroup"]'
	local prefix=runc-cpp
	[[ $(basename "$REAL_RUNTIME") == runc ]] && prefix=runc
	run rt run "$TEST_ID"
	assert_status 0
	# (runc 1.1.5 also warns here about device rules systemd cannot take)
	assert_eq "${lines[${#lines[@]}-1]}" "0::/system.slice/$prefix-$TEST_ID.scope" "the init's cgroup"
	unit_gone "$prefix-$TEST_ID.scope" || fail "unit left"
}

@test "a nested slice a-b.slice expands to /a.slice/a-b.slice" {
	UNIT=pfx-$TEST_ID.scope
	CG=/sys/fs/cgroup/rcppit.slice/rcppit-nested.slice/$UNIT
	cfg_set 'c["linux"]["cgroupsPath"] = "rcppit-nested.slice:pfx:'"$TEST_ID"'"'
	cfg_sh 'sleep 100'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	[[ -d $CG ]] || fail "no $CG"
	assert_eq "$(prop Slice)" rcppit-nested.slice Slice
	rt delete -f "$TEST_ID"
	unit_gone || fail "unit left"
}

@test "a cgroupsPath that is not slice:prefix:name is refused, nothing left" {
	cfg_set 'c["linux"]["cgroupsPath"] = "/rcpp-it/plain"'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" 'expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups'
	[[ -z $(ls "$ROOT" 2>/dev/null) ]] || fail "state left"
}

@test "org.systemd.property.* annotations become unit properties (Sec -> USec)" {
	cfg_set 'c["annotations"] = {"org.systemd.property.TimeoutStopSec": "uint64 123", "org.systemd.property.CollectMode": "'"'"'inactive-or-failed'"'"'"}'
	cfg_sh 'sleep 100'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	assert_eq "$(prop TimeoutStopUSec)" "2min 3s" TimeoutStopUSec
	assert_eq "$(prop CollectMode)" inactive-or-failed CollectMode
	rt delete -f "$TEST_ID"
}

@test "a bad org.systemd.property annotation is refused, naming it" {
	cfg_set 'c["annotations"] = {"org.systemd.property.Bad1": "true"}'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "org.systemd.property.Bad1"
	[[ -z $(ls "$ROOT" 2>/dev/null) ]] || fail "state left"
}
