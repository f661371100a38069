#!/usr/bin/env bats
# Volumes: -v HOST:CTR[:ro], named volumes (volume create/ls/rm), --tmpfs, --mount.

load helpers

@test "volumes: a named volume outlives its container; rm refuses one in use" {
	run mgr volume create mgr-data
	assert_status 0
	assert_output mgr-data
	mgr_run --rm -v mgr-data:/data "$ROOTFS" sh -c 'echo kept >/data/f' || fail "writer failed"
	run mgr_run --rm -v mgr-data:/data:ro "$ROOTFS" sh -c 'cat /data/f; echo x >/data/g || echo read-only'
	assert_status 0
	assert_contains "$output" kept
	assert_contains "$output" read-only
	# made on first use, listed
	mgr_run --name mgr-vuser -v mgr-auto:/a "$ROOTFS" true || fail "run with a new volume failed"
	run mgr volume ls -q
	assert_output "$(printf 'mgr-auto\nmgr-data')"
	run mgr volume rm mgr-auto
	assert_status 1
	assert_contains "$output" "volume is in use"
	mgr rm mgr-vuser
	run mgr volume rm mgr-auto mgr-data
	assert_status 0
	assert_eq "$(mgr volume ls -q)" "" "volumes left"
	run mgr volume rm mgr-nothere
	assert_status 1
	assert_contains "$output" "no such volume: mgr-nothere"
}

@test "volumes: -v binds a host dir (rw and ro), --mount and --tmpfs" {
	mkdir "$TESTDIR/host"
	echo from-host >"$TESTDIR/host/in"
	run mgr_run --rm -v "$TESTDIR/host:/h" --mount "type=bind,src=$TESTDIR/host,dst=/hro,readonly" \
		--tmpfs /scratch:size=1m,mode=1777 --mount type=tmpfs,target=/t2,tmpfs-size=2m \
		"$ROOTFS" sh -c 'cat /h/in; echo out >/h/out; echo x >/hro/x 2>/dev/null || echo ro-refused;
			grep " /scratch " /proc/mounts; grep " /t2 " /proc/mounts; stat -c %a /scratch'
	assert_status 0
	assert_contains "$output" from-host
	assert_contains "$output" ro-refused
	assert_match "$output" 'tmpfs /scratch tmpfs [^ ]*size=1024k'
	assert_match "$output" 'tmpfs /t2 tmpfs [^ ]*size=2048k'
	assert_contains "$output" 1777
	assert_eq "$(cat "$TESTDIR/host/out")" out "written through the bind"
	# -v makes a missing host dir; --mount refuses one
	mgr_run --rm -v "$TESTDIR/made:/m" "$ROOTFS" true || fail "-v with a new host dir failed"
	[[ -d $TESTDIR/made ]] || fail "host dir not made"
	run mgr_run --rm --mount "type=bind,src=$TESTDIR/absent,dst=/m" "$ROOTFS" true
	assert_status 125
	assert_contains "$output" "bind source path does not exist"
}

@test "volumes: bad specifications exit 125 and leave nothing" {
	local spec
	for spec in "-v /x:rel" "-v /x" "-v /x:/y:zz" "-v bad/name:/y" "-v /x:/" "--mount type=nfs,src=a,dst=/b" \
		"--mount type=volume,dst=/b" "--mount type=tmpfs,src=x,dst=/b" "--mount type=bind,src=/,dst=/b,foo=1" \
		"--tmpfs /t:size=1m,rbind" "--tmpfs rel"; do
		# shellcheck disable=SC2086
		run mgr_run --rm $spec "$ROOTFS" true
		((status == 125)) || fail "'$spec' gave $status: $output"
	done
	assert_eq "$(mgr ps -aq)" "" "containers left"
	assert_eq "$(mgr volume ls -q)" "" "volumes made"
}
