#!/usr/bin/env bats
# Rootless: the runtime run by an unprivileged user the test creates (with its own
# /etc/subuid and /etc/subgid range), on bundles that `spec --rootless` wrote. The user,
# its ranges, and every container, state dir and process of it are removed afterwards.

load lib/helpers

RL_USER=rcpp-rootless
RL_SUB=300000   # the user's /etc/subuid and /etc/subgid range: RL_SUB..RL_SUB+65535

remove_user() {
	if id "$RL_USER" &>/dev/null; then
		pkill -KILL -u "$RL_USER" 2>/dev/null || true
		userdel "$RL_USER" 2>/dev/null || true
	fi
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid 2>/dev/null || true
	return 0
}

setup_file() {
	command -v useradd >/dev/null || skip "useradd not found (package passwd)"
	remove_user  # a crashed earlier run
	useradd --no-create-home --shell /bin/sh "$RL_USER"
	# useradd may have given the user ranges of its own: only ours count.
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	echo "$RL_USER:$RL_SUB:65536" >>/etc/subuid
	echo "$RL_USER:$RL_SUB:65536" >>/etc/subgid
}

teardown_file() {
	remove_user
}

setup() {
	setup_bundle
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	XDG=$TESTDIR/xdg
	mkdir -p "$XDG"
	chown "$RL_USER:" "$TESTDIR" "$XDG" "$BUNDLE"
	# The config is the user's own `spec --rootless` (mapping the user's ids), not ours.
	rm -f "$BUNDLE/config.json"
	as_user "$RUNTIME" spec --rootless
	cfg_set 'c["process"]["terminal"] = False'
}

teardown() {
	cd /
	local problems=() id d
	if [[ -d ${ROOT:-} ]]; then
		for id in $(as_user "$RUNTIME" --root "$ROOT" list -q 2>/dev/null); do
			as_user "$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || problems+=("delete --force $id failed")
		done
		while read -r d; do
			problems+=("state dir left in root: $d")
		done < <(find "$ROOT" -mindepth 1 -maxdepth 1 -type d)
	fi
	# A killed init may stay a zombie a moment, until whoever it was reparented to reaps it.
	local left
	for _ in $(seq 20); do
		left=$(ps -e -o uid=,stat=,pid=,comm= | awk -v u="$RL_UID" -v s="$RL_SUB" '($1 == u || ($1 >= s && $1 < s + 65536)) && $2 !~ /^Z/')
		[[ -z $left ]] && break
		sleep 0.1
	done
	if [[ -n $left ]]; then
		problems+=("processes of $RL_USER left: $(echo $left)")
		pkill -KILL -u "$RL_USER"
	fi
	finish_teardown
}

# as_user CMD...: CMD as the unprivileged user, with a clean environment and its own
# XDG_RUNTIME_DIR (so that the runtime's default root is there), in the bundle.
as_user() {
	(cd "$BUNDLE" && setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/ \
		XDG_RUNTIME_DIR="$XDG" USER="$RL_USER" "$@" </dev/null 3>&-)
}

# urt ARGS...: the runtime as the user, with this test's --root.
urt() {
	as_user "$RUNTIME" --root "$ROOT" "$@"
}

# urt_bg ARGS... ID: as urt, for commands that leave a container process behind: its stdio
# goes to a file (bats would wait for it otherwise), printed once the runtime exited.
urt_bg() {
	local log=$TESTDIR/bg-${!#}.log rc=0
	as_user "$RUNTIME" --root "$ROOT" "$@" >"$log" 2>&1 || rc=$?
	cat "$log"
	return $rc
}

# The default root's directory name: runc keeps its state in $XDG_RUNTIME_DIR/runc.
state_dir_name() {
	case $(basename "$RUNTIME") in
	runc) echo runc ;;
	*) echo runc-cpp ;;
	esac
}

@test "rootless: a spec --rootless bundle runs as the user: root inside, mapped to the caller, state under \$XDG_RUNTIME_DIR" {
	cfg_sh 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; echo ok > /dev/shm/w; cat /dev/shm/w'
	run as_user "$RUNTIME" run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "0 $RL_UID 1 0 $RL_GID 1 0 0 ok" "maps, ids, a write"
	local root=$XDG/$(state_dir_name)
	[[ -d $root ]] || fail "no state root $root"
	assert_eq "$(stat -c '%U %a' "$root")" "$RL_USER 1700" "owner and mode of the default root"
	assert_eq "$(find "$root" -mindepth 1 | wc -l)" 0 "state left after run"
}

@test "rootless: create, state, start, list, exec, kill, delete" {
	cfg_args sleep 100
	run urt_bg create "$TEST_ID"
	assert_status 0
	run urt state "$TEST_ID"
	assert_status 0
	assert_contains "$output" '"status": "created"'
	local pid
	pid=$(urt state "$TEST_ID" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" "$RL_UID" "host uid of the init"
	run urt start "$TEST_ID"
	assert_status 0
	run urt list
	assert_status 0
	assert_match "$output" "$TEST_ID +$pid +running" "list"
	run urt exec "$TEST_ID" sh -c 'id -u; cat /proc/self/setgroups; echo $$'
	assert_status 0
	assert_eq "$(echo $output | cut -d' ' -f1,2)" "0 deny" "exec: root inside, setgroups denied"
	run urt kill "$TEST_ID" KILL
	assert_status 0
	for _ in $(seq 50); do
		urt state "$TEST_ID" | grep -q '"stopped"' && break
		sleep 0.1
	done
	run urt state "$TEST_ID"
	assert_contains "$output" '"status": "stopped"'
	run urt delete "$TEST_ID"
	assert_status 0
	run urt list -q
	assert_status 0
	assert_eq "$output" "" "list after delete"
	pid_alive "$pid" && fail "init $pid still alive"
	return 0
}

@test "rootless: without cgroup permission a memory limit fails with runc's error, nothing left" {
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] && skip "cgroup v2 host (the v1 error is tested here)"
	as_user test -w /sys/fs/cgroup/memory && skip "the user may write the memory cgroup"
	cfg_set 'c["linux"]["resources"] = {"memory": {"limit": 104857600}}'
	cfg_args true
	run urt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "cannot set memory limit: container could not join or create cgroup"
	assert_eq "$(find "$ROOT" -mindepth 1 -maxdepth 1 | wc -l)" 0 "state left"
}

@test "rootless: more than the caller's id is mapped through newuidmap/newgidmap from /etc/subuid" {
	command -v newuidmap >/dev/null || skip "newuidmap not installed (package uidmap)"
	cfg_set 'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1}, {"containerID": 1, "hostID": '"$RL_SUB"', "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": '"$RL_GID"', "size": 1}, {"containerID": 1, "hostID": '"$RL_SUB"', "size": 65536}]'
	# The process runs as 1000:1000, a subordinate id (host RL_SUB+999).
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
	cfg_sh 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; sleep 100'
	run urt_bg run -d "$TEST_ID"
	assert_status 0
	local pid
	pid=$(urt state "$TEST_ID" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	for _ in $(seq 50); do [[ $(wc -l <"$TESTDIR/bg-$TEST_ID.log") -ge 6 ]] && break; sleep 0.1; done
	assert_eq "$(echo $(cat "$TESTDIR/bg-$TEST_ID.log"))" "0 $RL_UID 1 1 $RL_SUB 65536 0 $RL_GID 1 1 $RL_SUB 65536 1000 1000" "maps and ids"
	assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" "$((RL_SUB + 999))" "host uid of the process"
}

@test "rootless: a range outside /etc/subuid is refused by newuidmap; no entry at all is named; nothing left" {
	command -v newuidmap >/dev/null || skip "newuidmap not installed (package uidmap)"
	cfg_set 'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1}, {"containerID": 1, "hostID": 700000, "size": 1000}]'
	cfg_args true
	run urt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "newuidmap: uid range [1-1001) -> [700000-701000) not allowed"
	assert_eq "$(find "$ROOT" -mindepth 1 -maxdepth 1 | wc -l)" 0 "state left"

	# Without the user's line in /etc/subuid.
	cfg_set 'c["linux"]["uidMappings"][1]["hostID"] = '"$RL_SUB"
	sed -i "/^$RL_USER:/d" /etc/subuid
	run urt run "$TEST_ID"
	echo "$RL_USER:$RL_SUB:65536" >>/etc/subuid
	assert_status 1
	if [[ $(basename "$RUNTIME") == runc ]]; then
		assert_contains "$output" "newuid"  # runc: "failed to use newuid map on <pid>"
	else
		assert_contains "$output" "/etc/subuid has no entry for $RL_USER"
	fi
	assert_eq "$(find "$ROOT" -mindepth 1 -maxdepth 1 | wc -l)" 0 "state left"
}

@test "rootless: without newuidmap in \$PATH a multi-range mapping fails naming it" {
	cfg_set 'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1}, {"containerID": 1, "hostID": '"$RL_SUB"', "size": 65536}]'
	cfg_args true
	mkdir -p "$TESTDIR/bin"
	run as_user env PATH="$TESTDIR/bin" "$RUNTIME" --root "$ROOT" run "$TEST_ID"
	assert_status 1
	if [[ $(basename "$RUNTIME") == runc ]]; then
		assert_contains "$output" "mapping tool not present"
	else
		assert_contains "$output" "need newuidmap, which is not in \$PATH"
	fi
	assert_eq "$(find "$ROOT" -mindepth 1 -maxdepth 1 | wc -l)" 0 "state left"
}

@test "rootless: Podman as the user with --runtime: run, exec, top, stop, rm, --userns keep-id, --read-only, a volume" {
	command -v podman >/dev/null || skip "podman not installed"
	command -v newuidmap >/dev/null || skip "newuidmap not installed (package uidmap)"
	# Podman's storage and run dirs under the test dir; an image made from the test rootfs.
	local home=$TESTDIR/home
	mkdir -p "$home"
	chown "$RL_USER:" "$home"
	tar -C "$BUNDLE/rootfs" -cf "$TESTDIR/rootfs.tar" .
	chmod 0644 "$TESTDIR/rootfs.tar"
	pm() {
		as_user env HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
			podman --runtime "$RUNTIME" --cgroup-manager cgroupfs --events-backend file "$@"
	}
	run pm import "$TESTDIR/rootfs.tar" localhost/rcpp-rl-busybox
	assert_status 0
	run pm run --rm --net=none localhost/rcpp-rl-busybox sh -c 'id -u; cat /proc/self/uid_map'
	assert_status 0
	assert_eq "$(echo $output)" "0 0 $RL_UID 1 1 $RL_SUB 65536" "run: root inside, the caller and its subordinate range"
	run pm run -d --name rcpp-rl1 --net=none localhost/rcpp-rl-busybox sleep 100
	assert_status 0
	run pm exec rcpp-rl1 id -u
	assert_status 0
	assert_eq "$output" "0" "exec"
	run pm top rcpp-rl1
	assert_status 0
	assert_contains "$output" "sleep 100"
	run pm stop -t 1 rcpp-rl1
	assert_status 0
	run pm rm rcpp-rl1
	assert_status 0
	run pm run --rm --net=none --userns keep-id localhost/rcpp-rl-busybox id -u
	assert_status 0
	assert_eq "$output" "$RL_UID" "--userns keep-id"
	mkdir -p "$TESTDIR/vol"
	echo hello >"$TESTDIR/vol/f"
	chmod -R a+rX "$TESTDIR/vol"
	run pm run --rm --net=none --read-only -v "$TESTDIR/vol:/mnt" localhost/rcpp-rl-busybox sh -c 'cat /mnt/f; touch /x 2>/dev/null && echo writable || echo read-only'
	assert_status 0
	assert_eq "$(echo $output)" "hello read-only" "volume and --read-only"
	pm system reset --force >/dev/null 2>&1 || true  # its storage (some files belong to subordinate ids)
}
