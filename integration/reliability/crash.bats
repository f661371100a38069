#!/usr/bin/env bats
# Crash consistency: runc-cpp is SIGKILLed at each fault-injection point
# (RUNC_CPP_FAULT=<point>, see libcontainer/src/util/fault.h) of create, start, exec and delete.
# Afterwards `list` and `state` must answer without crashing, and `delete --force` must
# leave no state dir, cgroup (any controller, the unified one included), mount or process.

load lib

setup() {
	setup_bundle
	ID=$TEST_ID-c
	mark_env "$ID"
	cfg_args sleep 100000
}

teardown() {
	teardown_bundle
}

# faulted POINT ARGS...: runs the runtime with the fault point set; it must die by SIGKILL.
faulted() {
	local point=$1
	shift
	run rt_marked env RUNC_CPP_FAULT="$point" "$RUNTIME" --root "$ROOT" "$@"
	if [[ $status -ne 137 ]]; then
		echo "expected the runtime to be SIGKILLed at $point (status 137), got $status" >&2
		cat "$TESTDIR/bg.log" >&2
		return 1
	fi
}

# inspect_ok: list, list --format json and state answer without crashing.
inspect_ok() {
	run rt list
	no_crash
	assert_status 0
	run rt list --format json
	no_crash
	assert_status 0
	run rt state "$ID"
	no_crash
	if [[ $status -eq 0 ]]; then
		json_get 'j["status"]' <<<"$output" >/dev/null || fail "state output is not JSON: $output"
	fi
	run rt ps "$ID"
	no_crash
}

# Known bug (libcontainer/src/api/container.cc, Container::destroy): a container directory
# without state.json (create was killed after making the cgroup, before writing the state)
# is removed on `delete` without its cgroups and without killing its init, so those leak.
# The bugs below are fixed: these tests fail on them (RELIABILITY_STRICT=0 goes back to cleaning up by hand and skipping).
KNOWN_NO_RECORD="known bug: delete of a container whose create died before state.json leaks its cgroups and init (Container::destroy without a record)"

# purge: removes by hand what the runtime left (processes, cgroups), for the known bugs.
purge() {
	local p d
	for p in $(procs_with "$ID"); do kill -9 "$p" 2>/dev/null; done
	for d in $(cgroups_named "$TEST_ID"); do
		[[ -f $d/cgroup.procs ]] && while read -r p; do kill -9 "$p" 2>/dev/null; done <"$d/cgroup.procs"
	done
	wait_procs_gone "$ID" 50 || true
	for d in $(cgroups_named "$TEST_ID"); do rmdir "$d" 2>/dev/null; done
	rm -rf "${ROOT:?}/$ID"
}

# cleanup_ok [KNOWN_BUG]: delete --force succeeds and leaves nothing behind.
cleanup_ok() {
	local known=${1:-}
	run rt_marked "$RUNTIME" --root "$ROOT" delete --force "$ID"
	no_crash
	assert_status 0
	wait_procs_gone "$ID" 50 || true
	if ! assert_gone "$ID" "$TEST_ID"; then
		if [[ -n $known && ${RELIABILITY_STRICT:-1} != 1 ]]; then
			purge
			skip "$known"
		fi
		return 1
	fi
	# the id is free again: a new container of the same name works and goes cleanly
	run rt_bg create --bundle "$BUNDLE" "$ID"
	assert_status 0
	run rt delete --force "$ID"
	assert_status 0
	assert_gone "$ID" "$TEST_ID"
}

crash_create() {
	faulted "$1" create --bundle "$BUNDLE" "$ID"
	inspect_ok
	cleanup_ok "${2:-}"
}

crash_start() {
	run rt_marked "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
	assert_status 0
	faulted "$1" start "$ID"
	inspect_ok
	cleanup_ok
}

# runtime_clones: processes marked with $ID that still run the runtime's image (a clone of
# `runc-cpp exec` that never reached its execve), one "pid cmdline" a line.
runtime_clones() {
	local p exe
	for p in $(procs_with "$ID"); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		[[ $exe == "$(readlink -f "$RUNTIME")" || $exe == /memfd:* || $exe == / ]] &&
			echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	return 0
}

# crash_exec POINT: `exec` of a long sleep is killed at POINT. The clone that was to become
# the exec'd process must not outlive the runtime; a process that was already running stays
# the container's (as with runc) and `delete --force` must end it with everything else.
crash_exec() {
	run rt_marked "$RUNTIME" --root "$ROOT" run --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" running
	faulted "$1" exec "$ID" sleep 1000
	local i
	for i in $(seq 50); do
		[[ -z $(runtime_clones) ]] && break
		sleep 0.1
	done
	if [[ -n $(runtime_clones) ]]; then
		echo "clones of the runtime left after exec was killed at $1: $(runtime_clones)" >&2
		return 1
	fi
	inspect_ok
	run rt state "$ID"
	assert_status 0
	[[ $(json_get 'j["status"]' <<<"$output") == running ]] || fail "state after the crash: $output"
	run rt exec "$ID" true
	assert_status 0
	cleanup_ok
}

crash_delete() {
	run rt_marked "$RUNTIME" --root "$ROOT" run --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" running
	faulted "$1" delete --force "$ID"
	inspect_ok
	cleanup_ok
}

@test "crash at create:after-mkdir" { crash_create create:after-mkdir; }
@test "crash at create:after-cgroup" { crash_create create:after-cgroup "$KNOWN_NO_RECORD"; }
@test "crash at create:after-clone" { crash_create create:after-clone "$KNOWN_NO_RECORD"; }
@test "crash at create:after-launch" { crash_create create:after-launch "$KNOWN_NO_RECORD"; }
@test "crash at create:after-state" { crash_create create:after-state; }
@test "crash at start:before-release" { crash_start start:before-release; }
@test "crash at start:after-release" { crash_start start:after-release; }
@test "crash at exec:after-clone" { crash_exec exec:after-clone; }
@test "crash at exec:after-launch" { crash_exec exec:after-launch; }
@test "crash at delete:after-kill" { crash_delete delete:after-kill; }
@test "crash at delete:after-cgroup" { crash_delete delete:after-cgroup; }

@test "a plain delete removes a container whose create was killed before the state was written" {
	faulted create:after-mkdir create --bundle "$BUNDLE" "$ID"
	run rt state "$ID"
	no_crash
	run rt delete "$ID"
	no_crash
	assert_status 0
	assert_gone "$ID" "$TEST_ID"
}

@test "state and list survive a corrupt or empty state.json" {
	run rt_bg create --bundle "$BUNDLE" "$ID"
	assert_status 0
	local pid
	pid=$(state_get "$ID" 'j["pid"]')
	for junk in '' '{' 'null' '[]' '{"id":"x","pid":-5}' "$(head -c 300 /dev/urandom | tr -d '\0')"; do
		printf '%s' "$junk" >"$ROOT/$ID/state.json"
		run rt state "$ID"
		no_crash
		run rt list
		no_crash
		assert_status 0
		run rt list --format json
		no_crash
		assert_status 0
	done
	run rt delete --force "$ID"
	no_crash
	# The state file was garbage, so the runtime cannot know the init; kill it by hand.
	kill -9 "$pid" 2>/dev/null || true
	wait_procs_gone "$ID" 50
	rm -rf "${ROOT:?}/$ID"
	for d in $(cgroups_named "$TEST_ID"); do rmdir "$d" 2>/dev/null || true; done
}

# Known bug (libcontainer/src/api/container.cc Container::start, status derivation in
# libcontainer/src/state/status.cc): when start dies after the init read the fifo byte but
# before exec.fifo is unlinked, the container runs while `state` says "created", and a second
# `start` waits on the fifo for as long as the container lives.
KNOWN_STALE_FIFO="known bug: after start is killed at start:after-release the state stays 'created' and a second start hangs"

@test "after a start killed at start:after-release, state says running and start does not hang" {
	run rt_marked "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
	assert_status 0
	faulted start:after-release start "$ID"
	local st rc=0
	st=$(status_of "$ID")
	timeout -s KILL 10 "$RUNTIME" --root "$ROOT" start "$ID" </dev/null >/dev/null 2>&1 3>&- || rc=$?
	if [[ $st != running || $rc == 137 ]]; then
		if [[ ${RELIABILITY_STRICT:-1} != 1 ]]; then
			run rt delete --force "$ID"
			skip "$KNOWN_STALE_FIFO (status '$st', second start status $rc)"
		fi
		fail "status '$st' (want running); second start exited $rc (137 = hung and killed)"
	fi
	# the second start must refuse: the container is already running
	((rc != 0)) || fail "a second start of a running container succeeded"
}
