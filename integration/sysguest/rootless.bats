#!/usr/bin/env bats
# Rootless with the systemd cgroup driver on a systemd + cgroup v2 host (the sysguest): a user
# the test creates (with /etc/subuid and /etc/subgid ranges) gets its own systemd instance
# (`loginctl enable-linger` starts user@UID.service, which Debian 12 delegates cpu, memory and
# pids); as that user, `--systemd-cgroup` puts the container into a transient scope of the
# user's manager, below the manager's own cgroup, and the limits hold. Then rootless Podman
# with --runtime $RUNTIME and the systemd cgroup manager: run, stats, exec, stop, rm.
# Runs against runc 1.1.5 too (RUNTIME=/usr/sbin/runc). The user, its manager, its scopes,
# cgroups, state and processes are gone afterwards.

load ../lib/helpers

RL_USER=rcpp-sdrl
RL_SUB=500000  # the user's subordinate range: RL_SUB..RL_SUB+65535

in_guest() { [[ -d /run/systemd/system && $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] && command -v loginctl >/dev/null; }

remove_user() {
	if id "$RL_USER" &>/dev/null; then
		local uid
		uid=$(id -u "$RL_USER")
		loginctl disable-linger "$RL_USER" 2>/dev/null
		loginctl terminate-user "$RL_USER" 2>/dev/null
		for _ in $(seq 100); do
			[[ $(systemctl is-active "user@$uid.service" 2>/dev/null) != active ]] && break
			sleep 0.1
		done
		pkill -KILL -u "$RL_USER" 2>/dev/null
		userdel -r "$RL_USER" 2>/dev/null
	fi
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid 2>/dev/null
	return 0
}

setup_file() {
	in_guest || return 0
	remove_user
	useradd --create-home --shell /bin/sh "$RL_USER"
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	echo "$RL_USER:$RL_SUB:65536" >>/etc/subuid
	echo "$RL_USER:$RL_SUB:65536" >>/etc/subgid
	local uid
	uid=$(id -u "$RL_USER")
	loginctl enable-linger "$RL_USER"
	# the manager's own socket and the session bus (dbus-user-session's dbus.socket)
	for _ in $(seq 150); do
		[[ -S /run/user/$uid/systemd/private && -S /run/user/$uid/bus ]] && break
		sleep 0.1
	done
	export RL_UID=$uid RL_GID XDG=/run/user/$uid MGR_CG
	RL_GID=$(id -g "$RL_USER")
	# the manager's own cgroup, below which its slices and scopes live
	MGR_CG=$(BUNDLE=/ as_user systemctl --user show -P ControlGroup)
}

teardown_file() {
	in_guest || return 0
	local uid left
	uid=$(id -u "$RL_USER" 2>/dev/null) || return 0
	remove_user
	for _ in $(seq 50); do
		left=$(ps -e -o uid=,pid=,comm= | awk -v u="$uid" -v s="$RL_SUB" '$1 == u || ($1 >= s && $1 < s + 65536)')
		[[ -z $left && ! -d /sys/fs/cgroup/user.slice/user-$uid.slice && ! -e /run/user/$uid ]] && break
		sleep 0.1
	done
	[[ -z $left ]] || { echo "processes of $RL_USER left after its manager stopped: $left" >&2; return 1; }
	[[ ! -d /sys/fs/cgroup/user.slice/user-$uid.slice ]] || { echo "cgroup user-$uid.slice left" >&2; return 1; }
	[[ ! -e /run/user/$uid ]] || { echo "/run/user/$uid left" >&2; return 1; }
}

setup() {
	in_guest || skip "needs the systemd guest (integration/sysguest/run.sh)"
	[[ -S $XDG/systemd/private ]] || skip "the user's systemd instance did not start (loginctl enable-linger $RL_USER)"
	setup_bundle
	chown "$RL_USER:" "$TESTDIR" "$BUNDLE"
	rm -f "$BUNDLE/config.json"
	as_user "$RUNTIME" spec --rootless
	UNIT=rcpp-rl-$TEST_ID.scope
	CG=/sys/fs/cgroup$MGR_CG/user.slice/$UNIT
	PM_USED=0
}

teardown() {
	cd /
	[[ -n ${TESTDIR:-} ]] || return 0
	local problems=() id u left
	if [[ -d $ROOT ]]; then
		for id in $(urt list -q 2>/dev/null); do
			urt delete --force "$id" >/dev/null 2>&1 || problems+=("delete --force $id failed")
		done
		left=$(find "$ROOT" -mindepth 1 -maxdepth 1 -type d)
		[[ -z $left ]] || problems+=("state left: $(echo $left)")
	fi
	# (Podman's storage goes with the user's home at the end)
	((PM_USED)) && pm rm --force --time 0 --all >/dev/null 2>&1
	for u in $(as_user systemctl --user list-units --all --plain --no-legend 'rcpp-rl-*' 'libpod-*' | awk '{ print $1 }'); do
		problems+=("unit $u left")
		as_user systemctl --user stop "$u"
	done
	left=$(find "/sys/fs/cgroup$MGR_CG" -type d \( -name 'rcpp-rl-*' -o -name 'libpod-*' \) 2>/dev/null)
	[[ -z $left ]] || problems+=("cgroups left: $(echo $left)")
	# every process of the user but its manager's own (init.scope; app.slice and session.slice:
	# dbus) and the pause process rootless Podman keeps in a scope of its own
	for _ in $(seq 20); do
		left=$(user_processes)
		[[ -z $left ]] && break
		sleep 0.1
	done
	[[ -z $left ]] || problems+=("processes left: $(echo $left)")
	finish_teardown
}

user_processes() {
	local pid uid cg
	while read -r uid pid; do
		[[ $uid == "$RL_UID" ]] || ((uid >= RL_SUB && uid < RL_SUB + 65536)) || continue
		cg=$(cat "/proc/$pid/cgroup" 2>/dev/null) || continue
		[[ $cg == *"$MGR_CG/init.scope" || $cg == *"$MGR_CG/app.slice/"* || $cg == *"$MGR_CG/session.slice/"* ||
			$cg == *"$MGR_CG/user.slice/podman-pause-"* ]] && continue
		echo "$pid($(cat "/proc/$pid/comm" 2>/dev/null):${cg#0::})"
	done < <(ps -e -o uid=,pid=)
}

# as_user CMD...: CMD as the user, in the bundle, with a clean environment whose
# XDG_RUNTIME_DIR is the user's (/run/user/UID, made by logind).
as_user() {
	(cd "$BUNDLE" && setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="/home/$RL_USER" \
		USER="$RL_USER" XDG_RUNTIME_DIR="$XDG" ${RL_ENV[@]+"${RL_ENV[@]}"} "$@" </dev/null 3>&-)
}

# urt ARGS...: the runtime as the user, with --systemd-cgroup and this test's --root.
urt() { as_user "$RUNTIME" --systemd-cgroup --root "$ROOT" "$@"; }

# nsrt ARGS...: the same as root in a user namespace of the user's (user and mount namespace,
# the caller mapped to 0): how rootless Podman runs the runtime. --rootless is left to auto.
nsrt() { as_user unshare --user --map-root-user --mount "$RUNTIME" --systemd-cgroup --root "$ROOT" "$@"; }

# bg CMD... ID: a command that leaves a container process behind: its stdio goes to a file.
bg() {
	local log=$TESTDIR/bg-${!#}.log rc=0
	"$@" >"$log" 2>&1 || rc=$?
	cat "$log"
	return $rc
}

# pm ARGS...: rootless Podman as the user with the runtime under test and the systemd cgroup
# manager; vfs storage, since the guest's root is an overlay, which cannot be an overlay's
# upper layer.
pm() { as_user podman --runtime "$RUNTIME" --cgroup-manager systemd --storage-driver vfs --events-backend file "$@"; }

uprop() { as_user systemctl --user show -P "$1" "${2:-$UNIT}"; }
# uprops UNIT PROP...: "PROP=value" lines, in one call
uprops() {
	local unit=$1 a=() p
	shift
	for p; do a+=(-p "$p"); done
	as_user systemctl --user show "${a[@]}" "$unit" | sort
}

# assert_gone AFTER: the unit, its cgroup and the test's state are gone.
assert_gone() {
	unit_gone || fail "$UNIT still loaded after $1"
	[[ ! -d $CG ]] || fail "cgroup $CG left after $1"
	[[ ! -d $ROOT || -z $(find "$ROOT" -mindepth 1) ]] || fail "state left after $1"
}

# rl_cfg PYTHON: the test's edits of the user's config, with its cgroupsPath and no terminal.
rl_cfg() { cfg_set 'c["process"]["terminal"] = False; c["linux"]["cgroupsPath"] = "user.slice:rcpp-rl:'"$TEST_ID"'"; '"$1"; }
unit_gone() { [[ -z $(as_user systemctl --user list-units --all --plain --no-legend "${1:-$UNIT}") ]]; }

@test "rootless --systemd-cgroup: a scope of the user's manager with Delegate=yes and the limits, below the manager's cgroup; exec; update; delete removes scope, cgroup and state" {
	[[ -n $MGR_CG && $MGR_CG == */user@$RL_UID.service ]] || fail "the user's manager's cgroup: '$MGR_CG'"
	rl_cfg 'c["linux"]["resources"] = {"memory": {"limit": 33554432}, "pids": {"limit": 64}}; c["process"]["args"] = ["sleep", "100"]'
	run bg urt run -d --pid-file "$TESTDIR/pid" "$TEST_ID"
	assert_status 0
	run uprops "$UNIT" ActiveState Delegate Slice MemoryMax TasksMax ControlGroup
	assert_output "ActiveState=active
ControlGroup=$MGR_CG/user.slice/$UNIT
Delegate=yes
MemoryMax=33554432
Slice=user.slice
TasksMax=64"
	assert_eq "$(cat "$CG/memory.max" "$CG/pids.max")" "33554432
64" "memory.max and pids.max"
	assert_eq "$(cat "/proc/$(cat "$TESTDIR/pid")/cgroup")" "0::$MGR_CG/user.slice/$UNIT" "the init's cgroup"
	assert_eq "$(stat -c %U "$CG")" "$RL_USER" "the delegated scope's owner"
	run urt exec "$TEST_ID" sh -c 'echo exec ok'
	assert_status 0
	assert_eq "$output" "exec ok" exec
	run urt update --memory 67108864 "$TEST_ID"
	assert_status 0
	assert_eq "$(uprop MemoryMax)" 67108864 "MemoryMax after update"
	assert_eq "$(cat "$CG/memory.max")" 67108864 "memory.max after update"
	run urt delete --force "$TEST_ID"
	assert_status 0
	assert_gone delete
}

@test "rootless --systemd-cgroup: an allocation beyond memory.max is OOM-killed; nothing left after run" {
	# doubles a shell string until the cgroup's limit stops it (32 MiB: runc's Go init needs
	# more than 8 MiB itself)
	rl_cfg 'c["linux"]["resources"] = {"memory": {"limit": 33554432}}; c["process"]["args"] = ["sh", "-c", "a=x; while true; do a=$a$a; done"]'
	run urt run "$TEST_ID"
	assert_status 137
	# the kernel names the memory cgroup whose limit it enforced
	run bash -c "dmesg | grep -F 'oom_memcg=$MGR_CG/user.slice/$UNIT,'"
	assert_status 0
	assert_contains "$output" "CONSTRAINT_MEMCG"
	assert_gone run
}

@test "rootless --systemd-cgroup: a controller the user's manager is not delegated (cpuset) is an error, and nothing is left" {
	rl_cfg 'c["linux"]["resources"] = {"cpu": {"cpus": "0"}}; c["process"]["args"] = ["true"]'
	run urt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "$UNIT/cpuset.cpus: no such file or directory"
	assert_gone "the failed run"
}

@test "rootless --systemd-cgroup as root in a user namespace (as Podman runs it): --rootless auto asks the user's manager; its own socket and the session bus" {
	# the namespace's own spec: its root (the user) mapped to 0
	rm -f "$BUNDLE/config.json"
	as_user unshare --user --map-root-user --mount "$RUNTIME" spec --rootless
	rl_cfg 'c["linux"]["resources"] = {"memory": {"limit": 33554432}}; c["process"]["args"] = ["sleep", "100"]'
	run bg nsrt run -d "$TEST_ID"
	assert_status 0
	run uprops "$UNIT" ActiveState Delegate
	assert_output "ActiveState=active
Delegate=yes"
	assert_eq "$(cat "$CG/memory.max")" 33554432 memory.max
	run nsrt delete --force "$TEST_ID"
	assert_status 0
	assert_gone delete
	# the same through the session bus named by $DBUS_SESSION_BUS_ADDRESS (runc's first choice)
	RL_ENV=(DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG/bus")
	run bg nsrt run -d "$TEST_ID"
	assert_status 0
	assert_eq "$(cat "$CG/memory.max")" 33554432 "memory.max (session bus)"
	run nsrt delete --force "$TEST_ID"
	assert_status 0
	assert_gone "delete (session bus)"
}

@test "rootless Podman, systemd cgroup manager: run -d with --memory, stats shows usage and limit, exec, stop, rm" {
	command -v podman >/dev/null || skip "podman not installed"
	[[ -f ${SYSGUEST_ASSETS:-}/busybox.tar ]] || skip "no image tar (run.sh passes SYSGUEST_ASSETS)"
	cp "$SYSGUEST_ASSETS/busybox.tar" "$TESTDIR/busybox.tar"
	chmod 0644 "$TESTDIR/busybox.tar"
	PM_USED=1
	run pm load -i "$TESTDIR/busybox.tar"
	assert_status 0
	local name=rcpp-rl-pm id pid scope
	run pm run -d --name $name --net none --memory 64m localhost/busybox:latest sleep 100
	assert_status 0
	id=${lines[-1]}
	scope=libpod-$id.scope
	pid=$(pm inspect -f '{{.State.Pid}}' $name)
	assert_eq "$(cat /proc/$pid/cgroup)" "0::$MGR_CG/user.slice/$scope" "the container's cgroup"
	assert_eq "$(uprop Delegate "$scope")" yes Delegate
	assert_eq "$(cat "/sys/fs/cgroup$MGR_CG/user.slice/$scope/memory.max")" 67108864 memory.max
	run pm stats --no-stream --format '{{.MemUsage}}' $name
	assert_status 0
	[[ $output =~ ^([0-9.]+)([kMG]?B)\ /\ 67.11MB$ ]] || fail "podman stats memory: '$output'"
	[[ ${BASH_REMATCH[1]} != 0 ]] || fail "podman stats shows no memory usage: '$output'"
	run pm exec $name cat /sys/fs/cgroup/memory.max
	assert_status 0
	assert_eq "$output" 67108864 "memory.max seen by exec"
	run pm stop -t 1 $name
	assert_status 0
	run pm rm $name
	assert_status 0
	unit_gone "$scope" || fail "$scope left"
}
