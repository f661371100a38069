#!/usr/bin/env bats
# events: lifecycle events, streamed and from --since.

load helpers

@test "events --since/--until: a container's lifecycle in order" {
	local t0
	t0=$(date +%s)
	run mgr_run --name mgr-e "$ROOTFS" sh -c 'exit 3'
	assert_status 3
	mgr rm mgr-e >/dev/null
	run mgr events --since "$t0" --until "$(($(date +%s) + 1))" --filter container=mgr-e
	assert_status 0
	assert_eq "$(awk '{print $3}' <<<"$output" | tr '\n' ' ')" "create start die destroy " "actions"
	assert_match "$(sed -n 3p <<<"$output")" '^[0-9T:.-]+Z container die [0-9a-f]{64} \(exitCode=3, name=mgr-e\)$' "die line"
}

@test "events: streams new events (json) as they happen, filtered by event" {
	# --since now: nothing is missed however late the follower gets going
	"$MANAGER" --root "$MROOT" events --since "$(date +%s.%N)" --format json --filter event=start --filter event=die --filter event=kill \
		>"$TESTDIR/ev" 2>&1 3>&- &
	local ev=$!
	track_bg "$ev"
	mgr_bg --name mgr-e2 "$ROOTFS" sleep 100
	mgr kill mgr-e2 >/dev/null
	wait_for '[[ $(grep -c . "$TESTDIR/ev") -ge 3 ]]' 50 || true
	kill "$ev"
	wait "$ev" || true
	"$PYTHON" - "$TESTDIR/ev" "$CID" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = [(e["action"], e["id"] == sys.argv[2], e["name"], e["attributes"].get("exitCode"), e["attributes"].get("signal")) for e in evs]
want = [("start", True, "mgr-e2", None, None), ("kill", True, "mgr-e2", None, "9"), ("die", True, "mgr-e2", "137", None)]
assert got == want, got
PY
}

@test "events: a container killed by the OOM killer gets an oom event and OOMKilled" {
	local t0
	t0=$(date +%s.%N)
	run mgr_run -m 16m --name mgr-oom "$ROOTFS" sh -c 'x=a; while :; do x="$x$x"; done'
	assert_status 137
	assert_eq "$(mgr inspect --format '{{.State.OOMKilled}}' mgr-oom)" true "OOMKilled"
	run mgr events --since "$t0" --until "$(($(date +%s) + 1))"
	assert_eq "$(awk '{print $3}' <<<"$output" | tr '\n' ' ')" "create start oom die " "actions"
	# a container that exits normally is not OOMKilled
	run mgr_run --name mgr-nooom "$ROOTFS" true
	assert_eq "$(mgr inspect --format '{{.State.OOMKilled}}' mgr-nooom)" false "OOMKilled"
}

@test "events: an OOM kill inside a running container is reported while it runs" {
	local t0
	t0=$(date +%s.%N)
	mgr_bg -m 16m --name mgr-oom2 "$ROOTFS" sh -c 'sh -c "x=a; while :; do x=\$x\$x; done"; echo child-status=$?; sleep 100'
	wait_for '[[ $(mgr logs mgr-oom2 2>/dev/null) == child-status=137 ]]' 100
	# the supervisor polls the OOM count every second
	wait_for '[[ -n $(mgr events --since '"$t0"' --until "$(($(date +%s) + 1))" --filter event=oom) ]]' 60
	assert_eq "$(state_of mgr-oom2)" running
	run mgr stop -t 0 mgr-oom2
	assert_status 0
	# the init itself was not OOM-killed, but the container had an OOM kill (docker's meaning)
	assert_eq "$(mgr inspect --format '{{.State.ExitCode}}' mgr-oom2)" 137
	assert_eq "$(mgr inspect --format '{{.State.OOMKilled}}' mgr-oom2)" true
	run mgr events --since "$t0" --until "$(($(date +%s) + 1))" --filter container=mgr-oom2
	assert_eq "$(awk '{print $3}' <<<"$output" | tr '\n' ' ')" "create start oom kill kill die stop " "actions"
}

@test "events: the log rotates at its size limit; a follower misses nothing across rotations" {
	export RUNCCPP_MANAGER_EVENTS_MAX_SIZE=2500
	local t0 i
	t0=$(date +%s.%N)
	"$MANAGER" --root "$MROOT" events --since "$t0" --format json >"$TESTDIR/ev" 2>&1 3>&- &
	local ev=$!
	track_bg "$ev"
	for i in 1 2 3 4 5 6 7 8; do
		mgr_run --name "mgr-rot$i" "$ROOTFS" true
		mgr rm "mgr-rot$i" >/dev/null
	done
	wait_for '[[ $(grep -c . "$TESTDIR/ev") -ge 32 ]]' 50 || true
	kill "$ev"
	wait "$ev" || true
	[[ -f $MROOT/events.log.1 ]] || fail "not rotated"
	(($(stat -c %s "$MROOT/events.log") < 2500 + 400)) || fail "events.log is $(stat -c %s "$MROOT/events.log") bytes"
	"$PYTHON" - "$TESTDIR/ev" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = [(e["name"], e["action"]) for e in evs]
want = [("mgr-rot%d" % i, a) for i in range(1, 9) for a in ("create", "start", "die", "destroy")]
assert got == want, got
PY
	# --since reads the rotated file and the current one: the newest events, in order, up to the last
	run mgr events --since "$t0" --until "$(($(date +%s) + 1))"
	local n
	n=$(grep -c . <<<"$output")
	((n >= 10 && n < 32)) || fail "$n events kept"
	assert_match "$(tail -1 <<<"$output")" " container destroy [0-9a-f]{64} \(name=mgr-rot8\)$" "last event"
}
