#!/usr/bin/env bats
# Attacks on the runtime from inside a container. Each test tries a known escape
# (the CVE named in its title) and checks a concrete effect on the host: the
# runtime binary's hash, the content of a host directory, the host's mounts.

load lib/helpers

setup() {
	setup_bundle
}

teardown() {
	if [[ -n ${LISTENER_PID:-} ]]; then
		kill "$LISTENER_PID" 2>/dev/null
		wait "$LISTENER_PID" 2>/dev/null
	fi
	teardown_bundle
}

# copy_runtime_with_libs: copies $RUNTIME to $TESTDIR/rt (the attacks target the
# copy, never the binary under test) and its shared libraries into the rootfs,
# as a malicious image would ship them, so that the runtime binary can run
# inside the container. Prints the copy's path.
copy_runtime_with_libs() {
	local copy=$TESTDIR/rt lib
	cp "$RUNTIME" "$copy"
	for lib in $(ldd "$copy" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$BUNDLE/rootfs$(dirname "$lib")"
		cp -L "$lib" "$BUNDLE/rootfs$lib"
	done
	echo "$copy"
}

# wait_log ID TEXT [TENTHS]: waits until the container's output has TEXT.
wait_log() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		[[ $(bg_log "$1") == *"$2"* ]] && return 0
		sleep 0.1
	done
	echo "no '$2' in the output of $1:" >&2
	bg_log "$1" >&2
	return 1
}

# The container's pid 1 waits for a process that runs something other than
# busybox (the runtime's image), keeps its /proc/PID/exe open in a background
# holder, lets it go on, and once it is gone tries to open the file for writing
# through the held fd and to overwrite its first bytes (CVE-2019-5736).
ATTACK_EXE='
while :; do
	for e in /proc/[0-9]*/exe; do
		p=${e%/exe}; [ "$p" = /proc/1 ] && continue
		t=$(readlink $e 2>/dev/null) || continue
		case "$t" in *busybox*|"") continue;; esac
		echo "found $p exe=$t"
		sleep 1000 3<$e & holder=$!
		sleep 0.2
		cat /fifo >/dev/null &
		while [ -e $p/stat ] && ! grep -q " Z " $p/stat 2>/dev/null; do sleep 0.1; done
		sleep 0.3
		( exec 4<>/proc/$holder/fd/3 && printf PWNED >&4 && echo WROTE-RUNTIME-BINARY )
		echo DONE
		exec sleep 1000
	done
done'

@test "CVE-2019-5736: #!/proc/self/exe run through exec cannot overwrite the runtime binary" {
	local copy before
	copy=$(copy_runtime_with_libs)
	before=$(sha256sum <"$copy")
	mkfifo "$BUNDLE/rootfs/fifo"
	# The kernel runs the interpreter /proc/self/exe = the runtime's own file; it
	# then blocks opening its log (the fifo) until the attacker lets it go.
	printf '#!/proc/self/exe --log=/fifo\n' >"$BUNDLE/rootfs/evil"
	chmod +x "$BUNDLE/rootfs/evil"
	cfg_sh "$ATTACK_EXE"
	RUNTIME=$copy run rt_bg run -d "$TEST_ID"
	assert_status 0
	run timeout 20 "$copy" --root "$ROOT" exec "$TEST_ID" /evil
	wait_log "$TEST_ID" DONE
	assert_contains "$(bg_log "$TEST_ID")" "found"
	assert_not_contains "$(bg_log "$TEST_ID")" "WROTE-RUNTIME-BINARY"
	assert_eq "$(sha256sum <"$copy")" "$before" "sha256 of the runtime binary"
}

@test "CVE-2019-5736: a container init started with #!/proc/self/exe cannot overwrite the runtime binary" {
	local copy before
	copy=$(copy_runtime_with_libs)
	before=$(sha256sum <"$copy")
	mkfifo "$BUNDLE/rootfs/fifo"
	printf '#!/proc/self/exe --log=/fifo\n' >"$BUNDLE/rootfs/evil"
	chmod +x "$BUNDLE/rootfs/evil"
	printf '#!/bin/sh\n%s\n' "$ATTACK_EXE" >"$BUNDLE/rootfs/attack"
	chmod +x "$BUNDLE/rootfs/attack"
	# Container A is the attacker; container B shares its pid namespace and its
	# init is the runtime's file itself.
	cfg_args /attack
	RUNTIME=$copy run rt_bg run -d "$TEST_ID"
	assert_status 0
	local apid b
	apid=$(state_get "$TEST_ID" 'j["pid"]')
	b=$(new_bundle b)
	cfg_set 'c["root"]["path"] = "'"$BUNDLE"'/rootfs"; c["process"]["args"] = ["/evil"]; ns("pid")["path"] = "/proc/'"$apid"'/ns/pid"' "$b/config.json"
	(cd "$b" && RUNTIME=$copy rt_bg run -d "$TEST_ID-b") || true
	wait_log "$TEST_ID" DONE
	assert_contains "$(bg_log "$TEST_ID")" "found"
	assert_not_contains "$(bg_log "$TEST_ID")" "WROTE-RUNTIME-BINARY"
	assert_eq "$(sha256sum <"$copy")" "$before" "sha256 of the runtime binary"
}

@test "CVE-2019-5736: a created init (the runtime's image) is out of reach of a container sharing its pid namespace" {
	local before
	before=$(sha256sum <"$RUNTIME")
	cfg_args sleep 100
	run rt_bg create "$TEST_ID"
	assert_status 0
	local apid b
	apid=$(state_get "$TEST_ID" 'j["pid"]')
	b=$(new_bundle b)
	cfg_set 'c["process"]["args"] = ["sh", "-c", "readlink /proc/1/exe || echo no-exe; for f in /proc/1/fd/*; do readlink $f && echo FD-READABLE; ls $f/ 2>/dev/null && echo FD-DIR-OPEN; done; ls /proc/1/root/ || echo no-root; head -c 4 /proc/1/mem || echo no-mem; (exec 3<>/proc/1/exe) || echo no-write"]; ns("pid")["path"] = "/proc/'"$apid"'/ns/pid"' "$b/config.json"
	cd "$b"
	run rt run "$TEST_ID-b"
	assert_contains "$output" "no-exe"
	# the fd numbers may be listed, but no fd can be followed
	assert_not_contains "$output" "FD-READABLE"
	assert_not_contains "$output" "FD-DIR-OPEN"
	assert_contains "$output" "no-root"
	assert_contains "$output" "no-mem"
	assert_contains "$output" "no-write"
	assert_eq "$(sha256sum <"$RUNTIME")" "$before" "sha256 of the runtime binary"
}

@test "CVE-2024-21626: an exec'd process gets only 0, 1 and 2, even if the caller has a host directory open" {
	cfg_args sleep 100
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	exec 7<"$TESTDIR"
	run rt exec "$TEST_ID" sh -c 'ls /proc/$$/fd; ls -l /proc/$$/fd/'
	exec 7<&-
	assert_status 0
	assert_eq "$(head -n 1 <<<"$output" | tr '\n' ' ')" "0 " "first fd"
	assert_eq "$(echo $(sed -n '1,3p' <<<"$output"))" "0 1 2" "fds of the exec'd shell"
	[[ $(sed -n '4p' <<<"$output") != [0-9]* ]] || fail "more fds than 0, 1, 2: $output"
	assert_not_contains "$output" "$TESTDIR"
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/N never lands in a host directory" {
	mkdir "$TESTDIR/hostdir"
	echo marker >"$TESTDIR/hostdir/HOST-MARKER"
	local n
	for n in 3 4 5 6 7 8 9 10; do
		cfg_set 'c["process"]["cwd"] = "/proc/self/fd/'"$n"'"'
		cfg_sh 'ls; touch escaped-'"$n"
		run rt run "$TEST_ID" 5<"$TESTDIR/hostdir" 6<"$TESTDIR/hostdir" 9<"$TESTDIR/hostdir"
		assert_not_contains "$output" "HOST-MARKER"
		rt delete --force "$TEST_ID" 2>/dev/null || true
	done
	assert_eq "$(ls "$TESTDIR/hostdir")" "HOST-MARKER" "host dir content"
}

@test "CVE-2024-21626: cwd with .. components or a symlink to a host path stays inside the rootfs" {
	mkdir "$TESTDIR/hostdir"
	echo marker >"$TESTDIR/hostdir/HOST-MARKER"
	cfg_set 'c["process"]["cwd"] = "/../../../.."'
	cfg_sh 'pwd; ls -d bin; touch escaped'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(head -n 1 <<<"$output")" "/" "cwd"
	[[ -e $BUNDLE/rootfs/escaped ]] || fail "the file was not written at the container's root"

	ln -s "$TESTDIR/hostdir" "$BUNDLE/rootfs/link"
	cfg_set 'c["process"]["cwd"] = "/link"'
	cfg_sh 'ls; touch escaped'
	run rt run "$TEST_ID"
	assert_not_contains "$output" "HOST-MARKER"
	assert_eq "$(ls "$TESTDIR/hostdir")" "HOST-MARKER" "host dir content"
}

@test "CVE-2021-30465: a mount destination swapped for a symlink by another container never lands on the host" {
	mkdir -p "$TESTDIR/vol" "$TESTDIR/victim"
	echo marker >"$TESTDIR/victim/HOST-MARKER"
	# Container A races: /vol/x is a directory, then a symlink to the host's victim.
	cfg_mount /vol bind "$TESTDIR/vol" rbind rw
	cfg_sh 'while :; do rm -rf /vol/x; mkdir /vol/x; rm -rf /vol/x; ln -s '"$TESTDIR"'/victim /vol/x; done'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	# Container B mounts the volume, then a tmpfs on /vol/x inside it.
	local b i
	b=$(new_bundle b)
	cfg_set 'c["mounts"].append({"destination": "/vol", "type": "bind", "source": "'"$TESTDIR"'/vol", "options": ["rbind", "rw"]}); c["mounts"].append({"destination": "/vol/x", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}); c["process"]["args"] = ["sh", "-c", "touch /vol/x/written-by-b 2>/dev/null; true"]' "$b/config.json"
	cd "$b"
	for i in $(seq 20); do
		rt run "$TEST_ID-b" >/dev/null 2>&1 || true
		rt delete --force "$TEST_ID-b" >/dev/null 2>&1 || true
		if awk -v p="$TESTDIR/victim" '$5 == p' /proc/self/mountinfo | grep -q .; then
			fail "a mount landed on the host's $TESTDIR/victim"
		fi
	done
	assert_eq "$(ls "$TESTDIR/victim")" "HOST-MARKER" "host victim dir content"
}

@test "CVE-2023-27561/28642: /proc or /sys as a symlink in the rootfs is refused" {
	mkdir "$TESTDIR/hostdir"
	rmdir "$BUNDLE/rootfs/proc"
	ln -s "$TESTDIR/hostdir" "$BUNDLE/rootfs/proc"
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "/proc"
	assert_contains "$output" "symlink"
	assert_one_error_line
	assert_eq "$(ls -A "$TESTDIR/hostdir")" "" "host dir content"

	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	rmdir "$BUNDLE/rootfs/sys"
	ln -s proc "$BUNDLE/rootfs/sys"  # inside the rootfs, but still not a real /sys
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "/sys"
	assert_contains "$output" "symlink"
}

@test "masked and read-only paths cannot be undone by the default container" {
	local before p masked=""
	before=$(cat /proc/sys/vm/overcommit_ratio)
	# the masked files and directories this host has
	for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/acpi /proc/scsi /sys/firmware; do
		[[ -e $p ]] && masked+=" $p"
	done
	[[ -n $masked ]] || skip "none of the masked paths exists on this host"
	cfg_sh 'for p in '"$masked"'; do
	umount $p 2>/dev/null && echo UNMASKED $p
	umount -l $p 2>/dev/null && echo UNMASKED-LAZY $p
	[ -f $p ] && [ -n "$(head -c 1 $p 2>/dev/null)" ] && echo READABLE $p
	[ -d $p ] && [ -n "$(ls -A $p 2>/dev/null)" ] && echo LISTABLE $p
done
umount /proc/sys 2>/dev/null && echo UNMOUNTED-SYS
mount -o remount,rw /proc/sys 2>/dev/null && echo REMOUNTED-SYS
mount -t proc proc /mnt 2>/dev/null && echo MOUNTED-PROC
(echo 51 > /proc/sys/vm/overcommit_ratio) 2>/dev/null && echo WROTE-SYSCTL
echo done'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "done"
	assert_eq "$(cat /proc/sys/vm/overcommit_ratio)" "$before" "host vm.overcommit_ratio"
}

@test "seccomp: docker's default profile denies unshare with EPERM, allows the rest" {
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = json.load(open("config.json"))
c["linux"]["seccomp"] = d["linux"]["seccomp"]
json.dump(c, open("config.json", "w"))' "$PROJECT_DIR/tests/data/docker-run.json"
	cfg_sh 'unshare -U true 2>&1; echo rc=$?; echo ok'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "Operation not permitted"
	assert_contains "$output" "rc=1"
	assert_contains "$output" "ok"

	# without the profile the same call works: the profile made the difference
	cfg_set 'del c["linux"]["seccomp"]'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "rc=0
ok"
}

@test "seccomp: a rule's errnoRet is the errno the process sees; nothing is created" {
	cfg_set 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
	cfg_sh 'mkdir /made-here; echo rc=$?'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "Invalid cross-device link"
	assert_contains "$output" "rc=1"
	[[ ! -e $BUNDLE/rootfs/made-here ]] || fail "mkdir went through"
}

@test "seccomp notify: the listener at listenerPath gets the fd and the state, and answers getppid" {
	"$PYTHON" "$INTEGRATION_DIR/lib/seccomp-listener.py" "$TESTDIR/listener.sock" "$TESTDIR/payload.json" 4242 &
	LISTENER_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -e $TESTDIR/payload.json.ready ]] && break
		sleep 0.1
	done
	cfg_set 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$TESTDIR"'/listener.sock", "listenerMetadata": "the-metadata", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]}'
	# busybox sh reads $PPID with getppid() when it starts
	cfg_sh 'echo ppid=$PPID'
	run timeout 20 "$RUNTIME" --root "$ROOT" run "$TEST_ID"
	assert_status 0
	assert_output "ppid=4242"
	local js
	js=$(cat "$TESTDIR/payload.json")
	assert_eq "$(json_get 'j["fds"]' <<<"$js")" '["seccompFd"]' fds
	assert_eq "$(json_get 'j["metadata"]' <<<"$js")" "the-metadata" metadata
	assert_eq "$(json_get 'j["state"]["id"]' <<<"$js")" "$TEST_ID" "state id"
	assert_eq "$(json_get 'j["pid"] > 0 and j["pid"] == j["state"]["pid"]' <<<"$js")" "true" "pid"
	assert_eq "$(json_get 'j["ociVersion"]' <<<"$js")" "$(json_get 'j["ociVersion"]' config.json)" ociVersion
}

@test "seccomp notify: an exec'd process hands its own fd and the state to the listener, which answers it" {
	# two connections: the init's, then the exec'd process's
	"$PYTHON" "$INTEGRATION_DIR/lib/seccomp-listener.py" "$TESTDIR/listener.sock" "$TESTDIR/payload.json" 4343 2 &
	LISTENER_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -e $TESTDIR/payload.json.ready ]] && break
		sleep 0.1
	done
	cfg_set 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$TESTDIR"'/listener.sock", "listenerMetadata": "exec-metadata", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]}'
	cfg_args sleep 100
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	for ((i = 0; i < 50; i++)); do
		[[ -s $TESTDIR/payload.json ]] && break
		sleep 0.1
	done
	[[ -s $TESTDIR/payload.json ]] || fail "the listener got nothing from the init"
	run timeout 20 "$RUNTIME" --root "$ROOT" exec --pid-file "$TESTDIR/exec.pid" "$TEST_ID" sh -c 'echo ppid=$PPID'
	assert_status 0
	# the answer came from the listener, through the exec'd process's own notify fd
	assert_output "ppid=4343"
	[[ -s $TESTDIR/payload.json.2 ]] || fail "the listener got no second connection"
	local js initpid
	js=$(cat "$TESTDIR/payload.json.2")
	initpid=$(state_get "$TEST_ID" 'j["pid"]')
	assert_eq "$(json_get 'j["fds"]' <<<"$js")" '["seccompFd"]' fds
	assert_eq "$(json_get 'j["metadata"]' <<<"$js")" "exec-metadata" metadata
	assert_eq "$(json_get 'j["state"]["id"]' <<<"$js")" "$TEST_ID" "state id"
	assert_eq "$(json_get 'j["state"]["status"]' <<<"$js")" "running" "state status"
	assert_eq "$(json_get 'j["state"]["pid"]' <<<"$js")" "$initpid" "state pid (the init)"
	# "pid" is the exec'd process, not the init
	assert_eq "$(json_get 'j["pid"]' <<<"$js")" "$(cat "$TESTDIR/exec.pid")" "pid of the exec'd process"
	[[ $(cat "$TESTDIR/exec.pid") != "$initpid" ]] || fail "the exec'd pid is the init's"
	assert_eq "$(json_get 'j["ociVersion"]' <<<"$js")" "$(json_get 'j["ociVersion"]' config.json)" ociVersion
}

@test "capabilities: every set in /proc/self/status is exactly the spec's" {
	# CAP_CHOWN=0 CAP_KILL=5 CAP_SETGID=6 CAP_SETUID=7 CAP_NET_BIND_SERVICE=10
	# CAP_NET_RAW=13 CAP_SYS_CHROOT=18 CAP_AUDIT_WRITE=29
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["capabilities"] = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT"],
    "permitted": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
    "effective": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"],
    "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
    "ambient": ["CAP_NET_BIND_SERVICE"]}
c["process"]["noNewPrivileges"] = False'
	# The init execs the shell, so these are the sets after one execve with the
	# ambient cap: permitted = effective = ambient.
	cfg_sh 'grep ^Cap /proc/self/status'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "CapInh:	0000000000002400
CapPrm:	0000000000000400
CapEff:	0000000000000400
CapBnd:	0000000000042421
CapAmb:	0000000000000400"
}

@test "LSM fields: apparmorProfile, selinuxLabel and mountLabel are refused on a host without AppArmor/SELinux" {
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) != Y* && ! -d /sys/fs/selinux ]] ||
		skip "this host runs AppArmor or SELinux (integration/sysguest tests them)"
	cfg_sh 'echo ok'
	cfg_set 'c["process"]["apparmorProfile"] = "some-profile"'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "some-profile"
	assert_contains "$output" "is specified in config"
	assert_one_error_line

	cfg_set 'del c["process"]["apparmorProfile"]; c["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0:c1,c2"'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "selinux label"

	cfg_set 'del c["process"]["selinuxLabel"]; c["linux"]["mountLabel"] = "system_u:object_r:container_file_t:s0:c1,c2"'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "mount label"
	[[ -z $(ls "$ROOT" 2>/dev/null) ]] || fail "state left behind"
}

@test "sysctl: namespaced sysctls are set in the container's namespaces, the host's stay" {
	local fwd shm
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	shm=$(cat /proc/sys/kernel/shmmni)
	cfg_set 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "'"$((1 - fwd))"'", "kernel.shmmni": "1234", "fs.mqueue.msg_max": "20"}'
	cfg_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "$((1 - fwd))
1234
20"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd" "host net.ipv4.ip_forward"
	assert_eq "$(cat /proc/sys/kernel/shmmni)" "$shm" "host kernel.shmmni"
}

@test "sysctl: a host-wide sysctl or one without its namespace is refused, naming the key; the host's value stays" {
	local before rc=0
	before=$(cat /proc/sys/vm/overcommit_ratio)
	cfg_set 'c["linux"]["sysctl"] = {"vm.overcommit_ratio": "'"$((before + 1))"'"}'
	run rt run "$TEST_ID"
	[[ $(cat /proc/sys/vm/overcommit_ratio) == "$before" ]] || { echo "$before" >/proc/sys/vm/overcommit_ratio; rc=1; }
	((rc == 0)) || fail "the container changed the host's vm.overcommit_ratio"
	assert_status 1
	assert_contains "$output" "vm.overcommit_ratio"
	assert_contains "$output" "is not allowed"
	assert_one_error_line

	cfg_set 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}; c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "net.ipv4.ip_forward"
	assert_contains "$output" "needs a network namespace"

	cfg_set 'c["linux"]["sysctl"] = {"kernel.shmmax": "1"}; c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "ipc"]'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "kernel.shmmax"
	assert_contains "$output" "needs an ipc namespace"
}

@test "features: JSON true to this build (seccomp, capabilities, namespaces, mount options, LSMs)" {
	run rt features
	assert_status 0
	local js=$output
	assert_eq "$(json_get 'j["ociVersionMin"]' <<<"$js")" "1.0.0" ociVersionMin
	assert_eq "$(json_get '",".join(j["hooks"])' <<<"$js")" "prestart,createRuntime,createContainer,startContainer,poststart,poststop" hooks
	# every option of the default mounts is known
	local o
	for o in nosuid noexec nodev strictatime ro rbind rprivate bind rro tmpcopyup; do
		assert_eq "$(json_get "'$o' in j['mountOptions']" <<<"$js")" "true" "mountOptions has $o"
	done
	assert_eq "$(json_get '",".join(j["linux"]["namespaces"])' <<<"$js")" "cgroup,ipc,mount,network,pid,time,user,uts" namespaces
	# capabilities: every one the kernel has, in number order
	local last
	last=$(cat /proc/sys/kernel/cap_last_cap)
	assert_eq "$(json_get 'len(j["linux"]["capabilities"])' <<<"$js")" "$((last + 1))" "number of capabilities"
	assert_eq "$(json_get 'j["linux"]["capabilities"][0]' <<<"$js")" "CAP_CHOWN" "first capability"
	# seccomp: what the kernel offers
	assert_eq "$(json_get 'j["linux"]["seccomp"]["enabled"]' <<<"$js")" "true" "seccomp enabled"
	for o in SCMP_ACT_ALLOW SCMP_ACT_ERRNO SCMP_ACT_KILL_PROCESS SCMP_ACT_NOTIFY SCMP_ACT_LOG; do
		assert_eq "$(json_get "'$o' in j['linux']['seccomp']['actions']" <<<"$js")" "true" "seccomp action $o"
	done
	assert_eq "$(json_get '"SCMP_CMP_MASKED_EQ" in j["linux"]["seccomp"]["operators"]' <<<"$js")" "true" "operator"
	assert_eq "$(json_get '"SCMP_ARCH_X86_64" in j["linux"]["seccomp"]["archs"] or "SCMP_ARCH_AARCH64" in j["linux"]["seccomp"]["archs"]' <<<"$js")" "true" "native arch"
	assert_eq "$(json_get 'set(j["linux"]["seccomp"]["supportedFlags"]) <= set(j["linux"]["seccomp"]["knownFlags"])' <<<"$js")" "true" "supportedFlags within knownFlags"
	assert_eq "$(json_get '"SECCOMP_FILTER_FLAG_LOG" in j["linux"]["seccomp"]["supportedFlags"]' <<<"$js")" "true" "LOG flag supported"
	# the libseccomp the binary runs with
	local libv
	libv=$(rt --version | sed -n 's/^libseccomp: //p')
	assert_eq "$(json_get 'j["annotations"]["io.github.seccomp.libseccomp.version"]' <<<"$js")" "$libv" "libseccomp version"
	# AppArmor and SELinux support is built in (runc's meaning), whatever this host runs
	assert_eq "$(json_get 'j["linux"]["apparmor"]["enabled"]' <<<"$js")" "true" apparmor
	assert_eq "$(json_get 'j["linux"]["selinux"]["enabled"]' <<<"$js")" "true" selinux
	assert_eq "$(json_get 'j["linux"]["intelRdt"]["enabled"]' <<<"$js")" "false" intelRdt
	assert_eq "$(json_get 'j["linux"]["mountExtensions"]["idmap"]["enabled"]' <<<"$js")" "true" idmap
	# systemd and systemdUser (the same helper): true when the driver's helper is installed next to the binary
	# (runc's is built in; a build tree's runc-cpp finds the one meson built beside it)
	local sysd=true helper
	helper="$(dirname "$RUNTIME")/../libcontainer/src/cgroups/systemd/runc-cpp-systemd"
	if [[ $(basename "$RUNTIME") == runc-cpp && ! -x $helper ]]; then sysd=false; fi
	assert_eq "$(json_get '[j["linux"]["cgroup"][k] for k in ("v1", "v2", "systemd", "systemdUser")]' <<<"$js")" "[true, true, $sysd, $sysd]" cgroup
	run rt features extra
	assert_status 1
}

@test "seccomp notify: no listenerPath, or one nobody listens on, fails with runc's words; nothing is left" {
	cfg_args true
	cfg_set 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run timeout 20 "$RUNTIME" --root "$ROOT" run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "listenerPath is not set"
	assert_eq "$(status_of "$TEST_ID")" absent
	# a path with no socket, and a file that is not one
	cfg_set 'c["linux"]["seccomp"]["listenerPath"] = "'"$TESTDIR"'/nosock"'
	run timeout 20 "$RUNTIME" --root "$ROOT" run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "failed to connect with seccomp agent specified in the seccomp profile: dial unix $TESTDIR/nosock: connect: no such file or directory"
	touch "$TESTDIR/notsock"
	cfg_set 'c["linux"]["seccomp"]["listenerPath"] = "'"$TESTDIR"'/notsock"'
	run timeout 20 "$RUNTIME" --root "$ROOT" run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "failed to connect with seccomp agent specified in the seccomp profile: dial unix $TESTDIR/notsock: connect: connection refused"
	assert_eq "$(status_of "$TEST_ID")" absent
}

# The static CLI makes the re-execution of create, run and exec from a read-only copy cheap
# (runc-cpp/prestart.cc): before the C library starts, the first process only checks its own
# file, makes the copy and executes it.
@test "run and exec re-execute from the read-only copy before the C library starts (runc-cpp's entry point)" {
	command -v strace >/dev/null || skip "strace is not installed (scripts/deps.sh installs it)"
	nm "$RUNTIME" 2>/dev/null | grep -q ' rcpp_entry$' ||
		skip "$RUNTIME has no pre-libc entry point (not runc-cpp, or a sanitized or dynamic build)"
	first_calls() { # the system calls of the traced process up to its re-execution
		awk '{ sub(/\(.*/, "", $1); print $1; if ($1 == "execveat") exit }' "$1" | tr '\n' ' '
	}
	cfg_sh 'sleep 100'
	strace -o "$TESTDIR/run.st" "$RUNTIME" --root "$ROOT" run -d "$TEST_ID" </dev/null >/dev/null 2>&1
	assert_eq "$(first_calls "$TESTDIR/run.st")" "execve statfs open_tree mount_setattr execveat " "run's first system calls"
	strace -o "$TESTDIR/exec.st" "$RUNTIME" --root "$ROOT" exec "$TEST_ID" sh -c 'env | grep -c _RUNC_CPP_EXE_PROTECTED; true' >"$TESTDIR/exec.out"
	assert_eq "$(first_calls "$TESTDIR/exec.st")" "execve statfs open_tree mount_setattr execveat " "exec's first system calls"
	assert_eq "$(cat "$TESTDIR/exec.out")" "0" "the marker in the exec'd process's environment"
	# a command that starts no container never takes that path
	strace -o "$TESTDIR/state.st" "$RUNTIME" --root "$ROOT" state "$TEST_ID" >/dev/null
	[[ $(first_calls "$TESTDIR/state.st") != *open_tree* ]] || fail "state re-executed itself"
	rt delete -f "$TEST_ID"
}
