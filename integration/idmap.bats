#!/usr/bin/env bats
# Idmapped bind mounts (OCI 1.2 "idmap"/"ridmap" options, mount uidMappings/gidMappings).
# The container maps its root to host uid 100000 (65536 ids), as in userns.bats. An idmapped
# bind of a host directory shows the files' on-disk owners as the container's ids, and what
# the container writes lands on disk with the unmapped ids.

load lib/helpers

HOST_ID=100000
PROBE=$INTEGRATION_DIR/lib/idmap-probe.py

setup() {
	setup_bundle
	chmod 0755 "$TESTDIR"
	HOST_MOUNTS=()
}

teardown() {
	local m
	for m in "${HOST_MOUNTS[@]}"; do umount -l "$m" 2>/dev/null || true; done
	teardown_bundle
}

# with_userns: the container gets a user namespace (root = host $HOST_ID) and a rootfs it owns.
with_userns() {
	rm -rf "$BUNDLE/rootfs"
	cp -a "$PRISTINE_BUNDLE/rootfs" "$BUNDLE/rootfs"
	chown -R "$HOST_ID:$HOST_ID" "$BUNDLE/rootfs"
	cfg_set 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": '"$HOST_ID"', "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": '"$HOST_ID"', "size": 65536}]'
}

# requires_idmap_fs DIR: skips unless DIR's filesystem takes idmapped mounts on this kernel
# (checked by a probe that does not use the runtime).
requires_idmap_fs() {
	local why
	why=$("$PYTHON" "$PROBE" "$1") || skip "no idmapped mounts for $(stat -f -c %T "$1") here: $why"
}

# host_mount DIR ARGS...: mount(8) ARGS on DIR, unmounted in teardown.
host_mount() {
	local dir=$1
	shift
	mount "$@" "$dir" || fail "mount $* $dir"
	HOST_MOUNTS=("$dir" "${HOST_MOUNTS[@]}")
}

# A host directory with files owned by on-disk 0:0, 1000:1000 and 70000:70000 (the last is
# outside the container's 65536 ids).
make_vol() {
	local d=$1
	mkdir -p "$d"
	chmod 0755 "$d"
	touch "$d/root-file" "$d/user-file" "$d/far-file"
	chown 1000:1000 "$d/user-file"
	chown 70000:70000 "$d/far-file"
}

# mount_with_maps DEST SOURCE UIDMAP GIDMAP OPTION...: a bind mount with its own mappings
# (each map "containerID:hostID:size").
mount_with_maps() {
	local dest=$1 src=$2 u=$3 g=$4
	shift 4
	cfg_mount "$dest" bind "$src" "$@"
	cfg_set 'm = c["mounts"][-1]
def one(s):
    a, b, n = (int(x) for x in s.split(":"))
    return [{"containerID": a, "hostID": b, "size": n}]
m["uidMappings"] = one("'"$u"'")
m["gidMappings"] = one("'"$g"'")'
}

@test "idmap: a host dir shows its on-disk owners as container ids; new files land unmapped" {
	requires_idmap_fs "$TESTDIR"
	with_userns
	make_vol "$TESTDIR/vol"
	cfg_mount /vol bind "$TESTDIR/vol" rbind idmap
	cfg_mount /plain bind "$TESTDIR/vol" rbind
	cfg_sh 'stat -c "%n %u:%g" /vol/root-file /vol/user-file /vol/far-file /plain/root-file
touch /vol/made-by-root && mkdir /vol/dir && chown 1000:1000 /vol/dir && echo wrote'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/vol/root-file 0:0"
	assert_contains "$output" "/vol/user-file 1000:1000"
	# on-disk 70000 is outside the mapping: the overflow id
	assert_contains "$output" "/vol/far-file 65534:65534"
	# the same directory bound without idmap: host root is not mapped in the container
	assert_contains "$output" "/plain/root-file 65534:65534"
	assert_contains "$output" "wrote"
	assert_eq "$(stat -c '%u:%g' "$TESTDIR/vol/made-by-root")" "0:0" "on-disk owner of a file made by container root"
	assert_eq "$(stat -c '%u:%g' "$TESTDIR/vol/dir")" "1000:1000" "on-disk owner after chown 1000 inside"
}

@test "idmap: the mount's own mappings, without a user namespace in the container" {
	requires_idmap_fs "$TESTDIR"
	make_vol "$TESTDIR/vol"
	chmod 0777 "$TESTDIR/vol"
	# on-disk uid k shows as 2000+k, gid k as 3000+k (for k < 1001)
	mount_with_maps /vol "$TESTDIR/vol" 0:2000:1001 0:3000:1001 bind idmap
	cfg_set 'c["process"]["user"] = {"uid": 2000, "gid": 3000}'
	cfg_sh 'stat -c "%n %u:%g" /vol/root-file /vol/user-file /vol/far-file; touch /vol/made-by-2000 && echo wrote'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/vol/root-file 2000:3000"
	assert_contains "$output" "/vol/user-file 3000:4000"
	assert_contains "$output" "/vol/far-file 65534:65534"
	assert_contains "$output" "wrote"
	assert_eq "$(stat -c '%u:%g' "$TESTDIR/vol/made-by-2000")" "0:0" "on-disk owner of a file made by uid 2000"
}

@test "idmap: the mount's own mappings win over the container's" {
	requires_idmap_fs "$TESTDIR"
	with_userns
	make_vol "$TESTDIR/vol"
	# on-disk k -> host 100500+k -> container 500+k
	mount_with_maps /vol "$TESTDIR/vol" 0:$((HOST_ID + 500)):2000 0:$((HOST_ID + 500)):2000 bind idmap
	cfg_sh 'stat -c "%n %u:%g" /vol/root-file /vol/user-file'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/vol/root-file 500:500"
	assert_contains "$output" "/vol/user-file 1500:1500"
}

@test "idmap: ridmap maps submounts too, idmap only the top mount" {
	requires_idmap_fs "$TESTDIR"
	with_userns
	make_vol "$TESTDIR/vol"
	mkdir "$TESTDIR/vol/sub"
	host_mount "$TESTDIR/vol/sub" -t tmpfs -o mode=0755 sec-idmap-sub
	requires_idmap_fs "$TESTDIR/vol/sub"
	touch "$TESTDIR/vol/sub/inner"
	cfg_mount /r bind "$TESTDIR/vol" rbind ridmap
	cfg_mount /i bind "$TESTDIR/vol" rbind idmap
	cfg_sh 'stat -c "%n %u:%g" /r/root-file /r/sub/inner /i/root-file /i/sub/inner'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/r/root-file 0:0"
	assert_contains "$output" "/r/sub/inner 0:0"
	assert_contains "$output" "/i/root-file 0:0"
	assert_contains "$output" "/i/sub/inner 65534:65534"
}

@test "idmap: ridmap over a submount that cannot be idmapped fails clearly; idmap leaves it unmapped" {
	requires_idmap_fs "$TESTDIR"
	! "$PYTHON" "$PROBE" /sys/kernel >/dev/null || skip "sysfs takes idmapped mounts on this kernel"
	with_userns
	make_vol "$TESTDIR/vol"
	mkdir "$TESTDIR/vol/sub"
	host_mount "$TESTDIR/vol/sub" --bind /sys/kernel
	cp "$BUNDLE/config.json" "$TESTDIR/base.json"

	cfg_mount /r bind "$TESTDIR/vol" rbind ridmap
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "set the id mapping"
	assert_contains "$output" "or of a submount"
	[[ ! -d $ROOT/$TEST_ID ]] || fail "state dir left behind"

	cp "$TESTDIR/base.json" "$BUNDLE/config.json"
	cfg_mount /i bind "$TESTDIR/vol" rbind idmap
	cfg_sh 'stat -c "%n %u:%g" /i/root-file; stat -f -c %T /i/sub'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/i/root-file 0:0"
	assert_contains "$output" "sysfs"
}

@test "idmap: a tmpfs source" {
	mkdir "$TESTDIR/t"
	host_mount "$TESTDIR/t" -t tmpfs -o mode=0755 sec-idmap-tmpfs
	requires_idmap_fs "$TESTDIR/t"
	with_userns
	touch "$TESTDIR/t/f"
	cfg_mount /t bind "$TESTDIR/t" bind idmap
	cfg_sh 'stat -c "%n %u:%g" /t/f; touch /t/new'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/t/f 0:0"
	assert_eq "$(stat -c '%u:%g' "$TESTDIR/t/new")" "0:0" "on-disk owner"
}

@test "idmap: an overlay source" {
	mkdir -p "$TESTDIR"/ov/{lower,upper,work,merged}
	touch "$TESTDIR/ov/lower/f"
	host_mount "$TESTDIR/ov/merged" -t overlay -o "lowerdir=$TESTDIR/ov/lower,upperdir=$TESTDIR/ov/upper,workdir=$TESTDIR/ov/work" sec-idmap-ovl
	requires_idmap_fs "$TESTDIR/ov/merged"
	with_userns
	cfg_mount /o bind "$TESTDIR/ov/merged" bind idmap
	cfg_sh 'stat -c "%n %u:%g" /o/f'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/o/f 0:0"
}

@test "idmap: a destination through a symlink to a host path stays inside the rootfs" {
	requires_idmap_fs "$TESTDIR"
	with_userns
	make_vol "$TESTDIR/vol"
	mkdir "$TESTDIR/hostdir"
	echo marker >"$TESTDIR/hostdir/marker"
	# rootfs/evil -> /tmp/rcpp-it.X/hostdir (a real host path)
	ln -s "$TESTDIR/hostdir" "$BUNDLE/rootfs/evil"
	cfg_mount /evil bind "$TESTDIR/vol" bind idmap
	cfg_sh 'stat -c "%n %u:%g" /evil/root-file'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "/evil/root-file 0:0"
	assert_eq "$(ls -A "$TESTDIR/hostdir")" marker "host dir content"
	# the symlink was resolved inside the rootfs
	[[ -d $BUNDLE/rootfs$TESTDIR/hostdir ]] || fail "mount point not created under the rootfs"
	! grep -q " $TESTDIR/hostdir " /proc/self/mountinfo || fail "something is mounted on the host dir"
}

@test "idmap: a filesystem without idmap support fails clearly and leaves nothing behind" {
	[[ -d /sys/kernel ]] || skip "no /sys/kernel"
	! "$PYTHON" "$PROBE" /sys/kernel >/dev/null || skip "sysfs takes idmapped mounts on this kernel"
	with_userns
	cfg_mount /k bind /sys/kernel bind idmap
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "mount /sys/kernel to /k: set the id mapping"
	assert_contains "$output" "may not support idmapped mounts"
	[[ ! -d $ROOT/$TEST_ID ]] || fail "state dir left behind"
}

@test "idmap: bad configurations are refused naming the field, nothing left behind" {
	local base
	base=$(cat "$BUNDLE/config.json")
	mkdir "$TESTDIR/vol"

	# idmap on a filesystem mount
	cfg_mount /t tmpfs tmpfs idmap
	with_userns
	run rt run "$TEST_ID"
	assert_status 1
	assert_match "$output" 'mounts\[[0-9]+\]\.options: idmapped mounts must be bind mounts'

	# idmap without mappings, and no user namespace
	echo "$base" >"$BUNDLE/config.json"
	cfg_mount /v bind "$TESTDIR/vol" rbind ridmap
	run rt run "$TEST_ID"
	assert_status 1
	assert_match "$output" "mounts\[[0-9]+\]\.options: idmap without the mount's uidMappings/gidMappings"
	assert_contains "$output" "there is no user namespace"

	# uidMappings without gidMappings
	echo "$base" >"$BUNDLE/config.json"
	cfg_mount /v bind "$TESTDIR/vol" bind idmap
	cfg_set 'c["mounts"][-1]["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 1}]'
	run rt run "$TEST_ID"
	assert_status 1
	assert_match "$output" 'mounts\[[0-9]+\]\.gidMappings: must be given together with uidMappings'

	[[ -z $(ls -A "$ROOT" 2>/dev/null) ]] || fail "state left behind: $(ls -A "$ROOT")"
}

@test "idmap: features reports idmap support" {
	run rt features
	assert_status 0
	assert_eq "$(json_get 'j["linux"]["mountExtensions"]["idmap"]["enabled"]' <<<"$output")" "true" idmap
	assert_contains "$(json_get 'j["mountOptions"]' <<<"$output")" "ridmap"
}
