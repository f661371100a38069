#!/usr/bin/env bats
# rm: removes exited containers; a running one only with -f.

load helpers

# cgroup_dirs ID: the container's cgroup directories that exist.
cgroup_dirs() {
	find "$CGROUP_ROOT"/*/mgr-it/"$TEST_ID"/"$1" "$CGROUP_ROOT"/mgr-it/"$TEST_ID"/"$1" -maxdepth 0 -type d 2>/dev/null
}

@test "rm: refuses a running container without -f and leaves it running" {
	mgr_bg --name mgr-r "$ROOTFS" sleep 100
	run mgr rm mgr-r
	assert_status 1
	assert_contains "$output" "container is running"
	assert_contains "$output" "-f"
	assert_eq "$(state_of mgr-r)" running
}

@test "rm -f: kills a running container and removes its processes, cgroups, state and supervisor" {
	mgr_bg --name mgr-rf "$ROOTFS" sh -c 'sleep 100 & exec sleep 200'
	local init sup
	init=$(mgr inspect --format '{{.State.Pid}}' mgr-rf)
	sup=$(mgr inspect --format '{{.State.SupervisorPid}}' mgr-rf)
	pid_alive "$init" || fail "init not running"
	pid_alive "$sup" || fail "supervisor not running"
	[[ -n $(cgroup_dirs "$CID") ]] || fail "no cgroup for the container"
	run mgr rm -f mgr-rf
	assert_status 0
	assert_output mgr-rf
	! pid_alive "$init" || fail "init still running"
	wait_for '! pid_alive '"$sup" 30
	assert_eq "$(cgroup_dirs "$CID")" "" "cgroups"
	[[ ! -e $MROOT/$CID && ! -e $MROOT/runc/$CID ]] || fail "state left"
	run mgr inspect mgr-rf
	assert_status 1
	assert_contains "$output" "no such container"
	run mgr events --since 1m --until "$(($(date +%s) + 1))" --filter container="$CID"
	assert_eq "$(awk '{print $3}' <<<"$output" | tr '\n' ' ')" "create start kill die destroy " "events"
}

@test "rm: an exited container goes without -f; its log goes with it; an unknown one is an error" {
	run mgr_run --name mgr-re "$ROOTFS" echo hi
	local id
	id=$(mgr inspect --format '{{.Id}}' mgr-re)
	[[ -f $MROOT/$id/container.log ]] || fail "no log"
	run mgr rm mgr-re
	assert_status 0
	assert_output mgr-re
	[[ ! -e $MROOT/$id ]] || fail "state dir left"
	assert_eq "$(cgroup_dirs "$id")" "" "cgroups"
	run mgr rm mgr-re
	assert_status 1
	assert_contains "$output" "no such container"
}
