#!/usr/bin/env bats
# User namespaces: container root is host uid 100000; what the container sees
# of its ids, who owns the files it writes on the host, devices and sysfs.

load lib/helpers

HOST_ID=100000

setup() {
	setup_bundle
	# The mapped root must be able to reach the bundle (mktemp -d made it 0700).
	chmod 0755 "$TESTDIR"
	# The rootfs must belong to the mapped root. copy_bundle hard-links the
	# pristine rootfs, so make a real copy before changing its owner.
	rm -rf "$BUNDLE/rootfs"
	cp -a "$PRISTINE_BUNDLE/rootfs" "$BUNDLE/rootfs"
	chown -R "$HOST_ID:$HOST_ID" "$BUNDLE/rootfs"
	cfg_set 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": '"$HOST_ID"', "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": '"$HOST_ID"', "size": 65536}]'
}

teardown() {
	teardown_bundle
}

@test "userns: the container sees its mappings and is root inside" {
	cfg_sh 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "0 $HOST_ID 65536 0 $HOST_ID 65536 0 0" "maps and ids"
}

@test "userns: the init runs as the mapped host uid/gid; the host sees no root" {
	cfg_args sleep 100
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	local pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	assert_eq "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" "$HOST_ID $HOST_ID $HOST_ID $HOST_ID" "host uids of the init"
	assert_eq "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" "$HOST_ID $HOST_ID $HOST_ID $HOST_ID" "host gids of the init"
	[[ $(readlink "/proc/$pid/ns/user") != $(readlink /proc/self/ns/user) ]] || fail "the init is in the host's user namespace"
}

@test "userns: files written to a bind-mounted host dir belong to the mapped host ids" {
	mkdir "$TESTDIR/vol"
	chown "$HOST_ID:$HOST_ID" "$TESTDIR/vol"
	chmod 0777 "$TESTDIR/vol"
	cfg_mount /vol bind "$TESTDIR/vol" rbind rw
	cfg_sh 'touch /vol/by-root && su -s /bin/sh test -c "touch /vol/by-test" 2>/dev/null || (chroot --userspec=1000:1000 / touch /vol/by-test); ls -n /vol'
	cfg_set 'c["process"]["capabilities"] = {k: ["CAP_CHOWN", "CAP_SETUID", "CAP_SETGID", "CAP_SYS_CHROOT", "CAP_DAC_OVERRIDE"] for k in ("bounding", "effective", "permitted")}'
	cfg_set 'c["process"]["noNewPrivileges"] = False'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(stat -c '%u:%g' "$TESTDIR/vol/by-root")" "$HOST_ID:$HOST_ID" "host owner of a file made by container root"
	assert_eq "$(stat -c '%u:%g' "$TESTDIR/vol/by-test")" "$((HOST_ID + 1000)):$((HOST_ID + 1000))" "host owner of a file made by container uid 1000"
}

@test "userns: container root cannot write to a host directory owned by host root" {
	mkdir "$TESTDIR/hostdir"
	echo marker >"$TESTDIR/hostdir/marker"
	chmod 0755 "$TESTDIR/hostdir"
	chmod 0644 "$TESTDIR/hostdir/marker"
	cfg_mount /host bind "$TESTDIR/hostdir" rbind rw
	cfg_set 'c["process"]["capabilities"] = {k: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SYS_ADMIN"] for k in ("bounding", "effective", "permitted")}'
	cfg_sh 'ls -ln /host; echo x > /host/new; echo y >> /host/marker; chmod 777 /host; chown 0:0 /host/marker; echo done'
	run rt run "$TEST_ID"
	assert_status 0
	# host root is not mapped: it shows as the overflow id
	assert_contains "$output" "65534"
	assert_contains "$output" "done"
	assert_eq "$(ls "$TESTDIR/hostdir")" "marker" "host dir content"
	assert_eq "$(cat "$TESTDIR/hostdir/marker")" "marker" "host file content"
	assert_eq "$(stat -c '%a %u' "$TESTDIR/hostdir")" "755 0" "host dir mode and owner"
}

@test "userns: devices are bind mounts of the host's nodes (no mknod) and work" {
	cfg_sh 'for d in null zero full random urandom tty; do ls -ln /dev/$d; done
grep -E " /dev/(null|zero|full|random|urandom|tty) " /proc/self/mountinfo | wc -l
echo hi > /dev/null && echo null-ok
head -c 4 /dev/zero | od -An -tx1
mknod /dev/made c 1 3 2>/dev/null && echo MKNOD-WORKED
true'
	run rt run "$TEST_ID"
	assert_status 0
	# owned by the unmapped host root: bind mounts, not nodes made in the userns
	local n
	n=$(grep -c '^c.* 65534 *65534 ' <<<"$output")
	assert_eq "$n" 6 "device nodes owned by the overflow ids"
	assert_contains "$output" "null-ok"
	assert_contains "$output" "00 00 00 00"
	assert_not_contains "$output" "MKNOD-WORKED"
	assert_eq "$(sed -n 7p <<<"$output")" "6" "device bind mounts in mountinfo"
}

@test "userns: sysfs is mounted (new network namespace) and /proc works" {
	cfg_sh 'awk '\''$5 == "/sys" { for (i = 7; $i != "-"; i++); print $(i + 1), $6 }'\'' /proc/self/mountinfo
ls /sys/class/net
cat /proc/1/status | grep -c ^Uid'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(sed -n 1p <<<"$output" | cut -d' ' -f1)" sysfs "/sys fstype"
	assert_contains "$(sed -n 1p <<<"$output")" "ro"
	# the container's own network namespace: only lo
	assert_eq "$(sed -n 2p <<<"$output")" "lo" "interfaces in /sys/class/net"
}

@test "userns: exec joins the container's user namespace" {
	mkdir "$TESTDIR/vol"
	chown "$HOST_ID:$HOST_ID" "$TESTDIR/vol"
	cfg_mount /vol bind "$TESTDIR/vol" rbind rw
	cfg_args sleep 100
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt exec "$TEST_ID" sh -c 'cat /proc/self/uid_map; id -u; touch /vol/from-exec'
	assert_status 0
	assert_eq "$(echo $output)" "0 $HOST_ID 65536 0" "maps and uid of the exec'd process"
	assert_eq "$(stat -c '%u:%g' "$TESTDIR/vol/from-exec")" "$HOST_ID:$HOST_ID" "host owner of a file made by exec"
}

@test "userns: capabilities are exactly the spec's, and only inside the user namespace" {
	# CAP_CHOWN=0 CAP_KILL=5 CAP_NET_BIND_SERVICE=10 CAP_SYS_ADMIN=21
	cfg_set 'c["process"]["capabilities"] = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"],
    "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"],
    "effective": ["CAP_CHOWN", "CAP_SYS_ADMIN"],
    "inheritable": [], "ambient": []}
c["process"]["noNewPrivileges"] = False'
	mkdir "$TESTDIR/hostdir"
	chmod 0755 "$TESTDIR/hostdir"
	cfg_mount /host bind "$TESTDIR/hostdir" rbind rw
	# CAP_SYS_ADMIN of the user namespace: mounting a tmpfs works, but host-owned
	# files stay out of reach of CAP_CHOWN
	cfg_sh 'grep ^Cap /proc/self/status; mkdir -p /mnt/t && mount -t tmpfs t /mnt/t && echo mounted; chown 0:0 /host 2>/dev/null || echo chown-denied'
	run rt run "$TEST_ID"
	assert_status 0
	# The shell was exec'd by uid 0 (of the user namespace): the kernel gives root the
	# bounding set as permitted and effective at execve (as under runc); nothing beyond it.
	assert_output "CapInh:	0000000000000000
CapPrm:	0000000000200421
CapEff:	0000000000200421
CapBnd:	0000000000200421
CapAmb:	0000000000000000
mounted
chown-denied"
	assert_eq "$(stat -c '%u' "$TESTDIR/hostdir")" "0" "host dir owner"
}

@test "userns: a mapping without the container's uid is refused" {
	cfg_set 'c["process"]["user"] = {"uid": 70000, "gid": 0}'
	cfg_sh 'id -u'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "70000"
}
