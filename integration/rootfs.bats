#!/usr/bin/env bats
# The container's file system: mounts, read-only root, masked and read-only
# paths, /dev, rootfs propagation, and mount destinations that try to leave
# the rootfs.

load lib/helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# MOUNTS_AWK prints "MOUNTPOINT FSTYPE MOUNT_OPTIONS SUPER_OPTIONS" for each
# line of /proc/self/mountinfo (run inside the container).
MOUNTS_AWK='awk '\''{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $6, $(i + 3) }'\'' /proc/self/mountinfo'

# mount_line MOUNTPOINT: the line of $output (from MOUNTS_AWK) for it; the
# last one wins, as in the kernel's view of a stacked mount point.
mount_line() {
	awk -v m="$1" '$1 == m' <<<"$output" | tail -n 1
}

# has_opt LIST OPT: OPT is one of the comma-separated LIST.
has_opt() {
	[[ ,$1, == *,"$2",* ]]
}

assert_mount() { # MOUNTPOINT FSTYPE "OPT..." "SUPEROPT..."
	local line mp fstype opts sopts o
	line=$(mount_line "$1")
	[[ -n $line ]] || fail "$1 is not a mount point in the container; mounts: $output"
	read -r mp fstype opts sopts <<<"$line"
	assert_eq "$fstype" "$2" "fstype of $1"
	for o in $3; do
		has_opt "$opts" "$o" || fail "$1: mount option $o missing in $opts"
	done
	for o in $4; do
		has_opt "$sopts" "$o" || fail "$1: super option $o missing in $sopts"
	done
}

@test "default mounts: proc, dev, devpts, shm, mqueue, sysfs with their options" {
	cfg_sh "$MOUNTS_AWK"
	run rt run "$TEST_ID"
	assert_status 0
	assert_mount / ext4 "" ""
	assert_mount /proc proc "rw" ""
	assert_mount /dev tmpfs "rw nosuid" "mode=755 size=65536k"
	assert_mount /dev/pts devpts "rw nosuid noexec" "mode=620 ptmxmode=666"
	assert_mount /dev/shm tmpfs "rw nosuid nodev noexec" "size=65536k"
	assert_mount /dev/mqueue mqueue "rw nosuid nodev noexec" ""
	assert_mount /sys sysfs "ro nosuid nodev noexec" ""
}

@test "tmpfs mount: size, mode and flags; the mount point is created" {
	cfg_mount /mnt/t tmpfs tmpfs size=1m mode=1700 nosuid nodev
	cfg_sh "$MOUNTS_AWK; stat -c 'mode=%a' /mnt/t"
	run rt run "$TEST_ID"
	assert_status 0
	assert_mount /mnt/t tmpfs "rw nosuid nodev" "size=1024k mode=1700"
	assert_eq "$(tail -n 1 <<<"$output")" "mode=1700" "mode of /mnt/t"
	[[ -d $BUNDLE/rootfs/mnt/t ]] || fail "mount point not created in the rootfs"
}

@test "bind mount of a host dir: read and write through it" {
	mkdir "$TESTDIR/hostdir"
	echo from-host >"$TESTDIR/hostdir/in"
	cfg_mount /data bind "$TESTDIR/hostdir" rbind rw
	cfg_sh "cat /data/in; echo from-container > /data/out; $MOUNTS_AWK"
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(head -n 1 <<<"$output")" from-host "file read in the container"
	assert_eq "$(cat "$TESTDIR/hostdir/out")" from-container "file written by the container"
	assert_mount /data ext4 "rw" ""
}

@test "read-only bind mount: ro in mountinfo, writes fail, reads work" {
	mkdir "$TESTDIR/hostdir"
	echo from-host >"$TESTDIR/hostdir/in"
	cfg_mount /data-ro bind "$TESTDIR/hostdir" rbind ro
	cfg_sh "cat /data-ro/in; touch /data-ro/new 2>&1; echo rc=\$?; $MOUNTS_AWK"
	run rt run "$TEST_ID"
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" from-host "read"
	assert_contains "${lines[1]}" "Read-only file system"
	assert_eq "${lines[2]}" "rc=1" "touch status"
	assert_mount /data-ro ext4 "ro" ""
	[[ ! -e $TESTDIR/hostdir/new ]] || fail "write went through a read-only mount"
}

@test "bind mount of a single file" {
	echo file-content >"$TESTDIR/hostfile"
	cfg_mount /etc/mounted-file bind "$TESTDIR/hostfile" bind ro
	cfg_sh 'cat /etc/mounted-file; [ -f /etc/mounted-file ] && echo is-file'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "file-content is-file" "bind-mounted file"
}

@test "bind mount of a missing source is an error, nothing left behind" {
	cfg_mount /data bind "$TESTDIR/no-such-dir" rbind
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "no-such-dir"
	assert_one_error_line
}

@test "readonly root: / is ro, writes fail, tmpfs mounts stay writable" {
	cfg_set 'c["root"]["readonly"] = True'
	cfg_sh "$MOUNTS_AWK; touch /newfile 2>&1; touch /tmp/newfile 2>&1; touch /dev/shm/ok && echo shm-writable"
	run rt run "$TEST_ID"
	assert_status 0
	assert_mount / ext4 "ro" ""
	assert_contains "$output" "/newfile: Read-only file system"
	assert_contains "$output" "/tmp/newfile: Read-only file system"
	assert_contains "$output" "shm-writable"
	[[ ! -e $BUNDLE/rootfs/newfile ]] || fail "file created on a read-only root"
}

@test "readonly root off: / is writable" {
	cfg_sh "$MOUNTS_AWK; touch /newfile && echo written"
	run rt run "$TEST_ID"
	assert_status 0
	assert_mount / ext4 "rw" ""
	assert_contains "$output" "written"
	[[ -e $BUNDLE/rootfs/newfile ]] || fail "file not created in the rootfs"
}

@test "maskedPaths: files read as empty, directories look empty, missing paths are ignored" {
	mkdir -p "$BUNDLE/rootfs/etc/secretdir"
	echo secret >"$BUNDLE/rootfs/etc/secretdir/inside"
	echo secret >"$BUNDLE/rootfs/etc/secretfile"
	local procfiles=() f
	for f in /proc/kcore /proc/keys /proc/timer_list; do
		[[ -e $f ]] && procfiles+=("$f")
	done
	[[ ${#procfiles[@]} -gt 0 ]] || fail "none of /proc/kcore /proc/keys /proc/timer_list exist on this kernel"
	cfg_set 'c["linux"]["maskedPaths"] = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/etc/secretdir", "/etc/secretfile", "/no/such/path"]'
	cfg_sh 'for f in '"${procfiles[*]}"' /etc/secretfile; do echo "$f $(cat $f | wc -c)"; done
echo "dir [$(ls -A /etc/secretdir)]"
touch /etc/secretdir/x 2>/dev/null && echo dir-writable
exit 0'
	run rt run "$TEST_ID"
	assert_status 0
	local expected=""
	for f in "${procfiles[@]}" /etc/secretfile; do
		expected+="$f 0"$'\n'
	done
	expected+="dir []"
	assert_output "$expected"
	[[ ! -e $BUNDLE/rootfs/no ]] || fail "a missing masked path was created"
}

@test "readonlyPaths: read-only remounts of /proc/sys and a rootfs dir" {
	mkdir -p "$BUNDLE/rootfs/etc/rodir"
	echo keep >"$BUNDLE/rootfs/etc/rodir/file"
	cfg_set 'c["linux"]["readonlyPaths"] = ["/proc/sys", "/etc/rodir", "/no/such/path"]'
	cfg_sh "$MOUNTS_AWK
echo x > /proc/sys/kernel/domainname 2>&1
touch /etc/rodir/new 2>&1
cat /etc/rodir/file
touch /etc/rw-ok && echo etc-writable"
	run rt run "$TEST_ID"
	assert_status 0
	assert_mount /proc/sys proc "ro" ""
	assert_mount /etc/rodir ext4 "ro" ""
	assert_contains "$output" "/proc/sys/kernel/domainname: Read-only file system"
	assert_contains "$output" "/etc/rodir/new: Read-only file system"
	assert_contains "$output" $'\nkeep\n'
	assert_contains "$output" "etc-writable"
}

@test "devices: the default device nodes" {
	cfg_sh 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done
head -c 5 /dev/zero | od -An -tx1
echo discard > /dev/null && echo null-ok'
	run rt run "$TEST_ID"
	assert_status 0
	local expected="/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666
 00 00 00 00 00
null-ok"
	assert_output "$expected"
}

@test "devices: linux.devices creates the node with fileMode, uid and gid" {
	cfg_set 'c["linux"]["devices"] = [
	    {"path": "/dev/rcpp-zero", "type": "c", "major": 1, "minor": 5, "fileMode": 0o640, "uid": 1000, "gid": 1001},
	    {"path": "/dev/sub/rcpp-null", "type": "c", "major": 1, "minor": 3, "fileMode": 0o600, "uid": 0, "gid": 0}]
c["linux"]["resources"]["devices"] += [{"allow": True, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]'
	cfg_sh 'stat -c "%n %F %t:%T %a %u %g" /dev/rcpp-zero /dev/sub/rcpp-null'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "/dev/rcpp-zero character special file 1:5 640 1000 1001
/dev/sub/rcpp-null character special file 1:3 600 0 0"
}

@test "devices: the device cgroup denies what is not allowed" {
	# 1:11 is /dev/kmsg: opening it write-only needs no capability, only the
	# device cgroup's permission, and it is not in the default allow list.
	# (Nothing is written to it.)
	cfg_set 'c["linux"]["devices"] = [{"path": "/dev/rcpp-kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 0o666}]
c["linux"]["resources"]["devices"] = [{"allow": False, "access": "rwm"}]'
	cfg_sh 'exec 3>/dev/rcpp-kmsg && echo opened'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "/dev/rcpp-kmsg: Operation not permitted"
	assert_not_contains "$output" "opened"

	cfg_set 'c["linux"]["resources"]["devices"].append({"allow": True, "type": "c", "major": 1, "minor": 11, "access": "w"})'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "opened"
}

@test "/dev symlinks: fd, stdin, stdout, stderr, ptmx" {
	cfg_sh 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2
ptmx -> pts/ptmx"
}

@test "rootfsPropagation: private leaves / without propagation tags" {
	cfg_set 'c["linux"]["rootfsPropagation"] = "private"'
	# optional fields (shared:N, master:N, ...) sit between field 6 and "-"
	cfg_sh 'awk '\''$5 == "/" { o = ""; for (i = 7; $i != "-"; i++) o = o " " $i; print "[" o "]" }'\'' /proc/self/mountinfo'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "[]"
}

@test "rootfsPropagation: slave, rslave, shared, rshared and rprivate are accepted" {
	local p
	for p in slave rslave shared rshared rprivate; do
		cfg_set 'c["linux"]["rootfsPropagation"] = "'"$p"'"'
		run rt run "$TEST_ID"
		[[ $status -eq 0 ]] || fail "rootfsPropagation=$p: status $status: $output"
		assert_output hello
	done
}

@test "rootfsPropagation: an unknown value is refused" {
	cfg_set 'c["linux"]["rootfsPropagation"] = "bogus"'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "bogus"
	assert_one_error_line
}

@test "mount destination through an absolute symlink stays inside the rootfs" {
	mkdir "$TESTDIR/hostdir"
	echo marker >"$TESTDIR/hostdir/marker"
	# rootfs/evil -> /tmp/rcpp-it.X/hostdir (a real host path)
	ln -s "$TESTDIR/hostdir" "$BUNDLE/rootfs/evil"
	# rootfs/evil2 -> a host path that does not exist yet
	ln -s "$TESTDIR/created-by-runtime" "$BUNDLE/rootfs/evil2"
	cfg_mount /evil tmpfs tmpfs size=1m
	cfg_mount /evil2 tmpfs tmpfs size=1m
	cfg_sh 'stat -f -c %T /evil /evil2; ls -A /evil; echo from-container > /evil/new && echo written'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "tmpfs
tmpfs
written"
	assert_eq "$(ls -A "$TESTDIR/hostdir")" marker "host dir content"
	assert_eq "$(cat "$TESTDIR/hostdir/marker")" marker "host marker"
	[[ ! -e $TESTDIR/created-by-runtime ]] || fail "runtime created $TESTDIR/created-by-runtime on the host"
	# the symlinks were resolved inside the rootfs
	[[ -d $BUNDLE/rootfs$TESTDIR/hostdir ]] || fail "mount point not created under the rootfs"
}

@test "mount destination through a relative ../ symlink stays inside the rootfs" {
	mkdir "$TESTDIR/hostdir"
	echo marker >"$TESTDIR/hostdir/marker"
	# from rootfs/ this climbs to the host's / and back down to hostdir
	ln -s "../../../../../../../../../..$TESTDIR/hostdir" "$BUNDLE/rootfs/evil"
	cfg_mount /evil tmpfs tmpfs size=1m
	cfg_sh 'stat -f -c %T /evil; ls -A /evil; echo from-container > /evil/new && echo written'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "tmpfs
written"
	assert_eq "$(ls -A "$TESTDIR/hostdir")" marker "host dir content"
}

@test "mount destination with .. components stays inside the rootfs" {
	cfg_mount /../../../dotdot tmpfs tmpfs size=1m
	cfg_sh 'stat -f -c %T /dotdot'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "tmpfs"
	[[ ! -e $TESTDIR/dotdot && ! -e /dotdot ]] || fail "a directory was created outside the rootfs"
	[[ -d $BUNDLE/rootfs/dotdot ]] || fail "mount point not created in the rootfs"
}
