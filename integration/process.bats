#!/usr/bin/env bats
# The container process: what it sees from the inside (pid, hostname, env,
# cwd, credentials, umask, rlimits, capabilities, no_new_privs, oom score,
# inherited fds, exit status).

load lib/helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# assert_ne_host_ns TYPE LINK: LINK (readlink of /proc/self/ns/TYPE inside) is
# not the host's namespace of that type.
assert_ne_host_ns() {
	local host
	host=$(readlink "/proc/self/ns/$1")
	[[ -n $2 && $2 != "$host" ]] || fail "container $1 namespace '$2' is the host's ($host)"
}

@test "the container process is pid 1 in its pid namespace" {
	cfg_sh 'echo $$; readlink /proc/self/ns/pid'
	run rt run "$TEST_ID"
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" 1 "pid of the init"
	assert_ne_host_ns pid "${lines[1]}"
}

@test "namespaces: pid, ipc, uts, mount and network are new; cgroup and user are the host's" {
	cfg_sh 'for n in pid ipc uts mnt net cgroup user; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	run rt run "$TEST_ID"
	assert_status 0
	local n link
	while read -r n link; do
		case $n in
		pid | ipc | uts | mnt | net) assert_ne_host_ns "$n" "$link" ;;
		cgroup | user) assert_eq "$link" "$(readlink "/proc/self/ns/$n")" "$n namespace" ;;
		esac
	done <<<"$output"
	assert_eq "$(wc -l <<<"$output")" 7 "namespace lines"
}

@test "the network namespace has only a loopback interface" {
	cfg_sh 'ls /sys/class/net'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "lo"
}

@test "hostname: set from config.json in a new UTS namespace" {
	local host_before
	host_before=$(hostname)
	cfg_args hostname
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "rcpp-test"

	cfg_set 'c["hostname"] = "other-name.example"'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "other-name.example"
	assert_eq "$(hostname)" "$host_before" "host's hostname"
}

@test "env: exactly process.env, plus HOME from /etc/passwd when unset" {
	cfg_set 'c["process"]["env"] = ["PATH=/bin:/usr/bin", "FOO=bar baz", "EMPTY=", "TERM=dumb"]'
	cfg_args env
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(sort <<<"$output" | tr '\n' '|')" "EMPTY=|FOO=bar baz|HOME=/root|PATH=/bin:/usr/bin|TERM=dumb|" env

	# a non-root user gets its own home
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(sort <<<"$output" | tr '\n' '|')" "EMPTY=|FOO=bar baz|HOME=/home/test|PATH=/bin:/usr/bin|TERM=dumb|" "env as uid 1000"

	# an explicit HOME is kept
	cfg_set 'c["process"]["env"].append("HOME=/elsewhere")'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(grep '^HOME=' <<<"$output")" "HOME=/elsewhere" HOME
}

@test "args: passed verbatim, including spaces and empty strings" {
	cfg_args sh -c 'printf "[%s]" "$0" "$@"' zero "a b" "" 'c"d' '$HOME'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output '[zero][a b][][c"d][$HOME]'
}

@test "args: the executable is looked up in the container's PATH" {
	cfg_set 'c["process"]["env"] = ["PATH=/opt/tools:/bin"]'
	mkdir -p "$BUNDLE/rootfs/opt/tools"
	printf '#!/bin/sh\necho from-opt-tools\n' >"$BUNDLE/rootfs/opt/tools/mytool"
	chmod 755 "$BUNDLE/rootfs/opt/tools/mytool"
	cfg_args mytool
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "from-opt-tools"
}

@test "cwd: the process starts in process.cwd" {
	cfg_set 'c["process"]["cwd"] = "/etc"'
	cfg_args pwd
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "/etc"
}

@test "cwd: a missing cwd is created inside the rootfs" {
	cfg_set 'c["process"]["cwd"] = "/does/not/exist"'
	cfg_args pwd
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "/does/not/exist"
	[[ -d $BUNDLE/rootfs/does/not/exist ]] || fail "cwd not created in the rootfs"
}

@test "cwd: a relative cwd is refused" {
	cfg_set 'c["process"]["cwd"] = "tmp"'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "absolute"
	assert_one_error_line
}

@test "user: uid, gid and additionalGids" {
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [1001, 65534]}'
	cfg_sh 'id; id -u; id -g; grep "^Groups:" /proc/self/status'
	run rt run "$TEST_ID"
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" "uid=1000(test) gid=1000(test) groups=1001(extra),65534(nogroup)" id
	assert_eq "${lines[1]}" 1000 "id -u"
	assert_eq "${lines[2]}" 1000 "id -g"
	assert_eq "$(echo ${lines[3]})" "Groups: 1001 65534" Groups
}

@test "user: root without additionalGids has no supplementary groups" {
	cfg_sh 'id -u; id -g; grep "^Groups:" /proc/self/status'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "0 0 Groups:" "ids and groups"
}

@test "user: a uid that is not in /etc/passwd" {
	cfg_set 'c["process"]["user"] = {"uid": 4242, "gid": 4343}'
	cfg_sh 'echo "$(id -u) $(id -g) $HOME"'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "4242 4343 /"
}

@test "umask: process.user.umask, default 0022" {
	cfg_args sh -c umask
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "0022"

	cfg_set 'c["process"]["user"]["umask"] = 0o077'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "0077"

	# and it applies to files the process creates
	cfg_sh 'umask; touch /tmp/f; stat -c %a /tmp/f'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "0077 600" "umask and file mode"
}

@test "rlimits: soft and hard values from process.rlimits" {
	cfg_set 'c["process"]["rlimits"] = [
	    {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
	    {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
	    {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
	cfg_sh 'ulimit -n; ulimit -Hn
grep -E "^Max (open files|core file size|processes) " /proc/self/limits'
	run rt run "$TEST_ID"
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" 512 "ulimit -n"
	assert_eq "${lines[1]}" 1024 "ulimit -Hn"
	assert_eq "$(printf '%s\n' "${lines[@]:2}" | awk '{ print $(NF-2), $(NF-1) }' | tr '\n' '|')" "0 4096|300 400|512 1024|" "limits"
}

@test "rlimits: an unknown rlimit type is refused" {
	cfg_set 'c["process"]["rlimits"] = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	run rt run "$TEST_ID"
	assert_status 1
	assert_contains "$output" "RLIMIT_BOGUS"
	assert_one_error_line
}

# caps_of: prints "Inh Prm Eff Bnd Amb" from the container's /proc/self/status
caps_of() {
	cfg_sh 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'
	run rt run "$TEST_ID"
	assert_status 0
	awk '{ print $2 }' <<<"$output" | tr '\n' ' '
}

@test "capabilities: root gets the bounding set, clamped by no_new_privs" {
	# CHOWN=0 KILL=5 NET_RAW=13. For uid 0 execve() treats the file as fully
	# capable: permitted = effective = bounding. With no_new_privs the kernel
	# does not let permitted grow past the pre-exec permitted set (CHOWN|KILL).
	cfg_set 'c["process"]["capabilities"] = {
	    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
	    "effective": ["CAP_CHOWN", "CAP_KILL"],
	    "permitted": ["CAP_CHOWN", "CAP_KILL"]}'
	# Inh Prm Eff Bnd Amb
	cfg_set 'c["process"]["noNewPrivileges"] = False'
	assert_eq "$(caps_of)" "0000000000000000 0000000000002021 0000000000002021 0000000000002021 0000000000000000 " "caps without no_new_privs"
	cfg_set 'c["process"]["noNewPrivileges"] = True'
	assert_eq "$(caps_of)" "0000000000000000 0000000000000021 0000000000000021 0000000000002021 0000000000000000 " "caps with no_new_privs"
}

@test "capabilities: non-root keeps only ambient caps across exec" {
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["capabilities"] = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
    "effective": ["CAP_CHOWN", "CAP_KILL"],
    "permitted": ["CAP_CHOWN", "CAP_KILL"],
    "inheritable": ["CAP_CHOWN", "CAP_KILL"],
    "ambient": ["CAP_KILL"]}'
	# Inh=CHOWN|KILL; the ambient KILL survives execve and lands in
	# permitted and effective; the rest of permitted/effective is dropped.
	assert_eq "$(caps_of)" "0000000000000021 0000000000000020 0000000000000020 0000000000002021 0000000000000020 " caps
}

@test "capabilities: an empty set means no capabilities at all" {
	cfg_set 'c["process"]["capabilities"] = {"bounding": [], "effective": [], "permitted": []}'
	assert_eq "$(caps_of)" "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 " caps
}

@test "capabilities: a missing capability is enforced (chown fails without CAP_CHOWN)" {
	cfg_set 'c["process"]["capabilities"] = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	cfg_sh 'touch /tmp/f; chown 1000 /tmp/f && echo chowned || echo refused'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "refused"
	assert_not_contains "$output" "chowned"

	cfg_set 'c["process"]["capabilities"] = {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"]}'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "chowned"
}

@test "capabilities: an unknown capability name is ignored with a warning" {
	# runc 1.1 warns ("ignoring unknown or unavailable capabilities: [...]")
	# and runs the container; a drop-in replacement does the same.
	cfg_set 'c["process"]["capabilities"]["bounding"].append("CAP_NOT_A_CAP")'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "CAP_NOT_A_CAP"
	assert_contains "$output" "warn"
	assert_eq "$(tail -n 1 <<<"$output")" hello "container output"
}

@test "capabilities: non-root without ambient caps ends up with none" {
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["capabilities"] = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
    "effective": ["CAP_CHOWN", "CAP_KILL"],
    "permitted": ["CAP_CHOWN", "CAP_KILL"]}'
	assert_eq "$(caps_of)" "0000000000000000 0000000000000000 0000000000000000 0000000000002021 0000000000000000 " caps
}

@test "noNewPrivileges: NoNewPrivs in /proc/self/status follows the config" {
	cfg_sh 'grep "^NoNewPrivs:" /proc/self/status'
	cfg_set 'c["process"]["noNewPrivileges"] = True'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "NoNewPrivs: 1" "with noNewPrivileges"

	cfg_set 'c["process"]["noNewPrivileges"] = False'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "NoNewPrivs: 0" "without noNewPrivileges"
}

@test "oomScoreAdj: written to /proc/self/oom_score_adj" {
	cfg_args cat /proc/self/oom_score_adj
	cfg_set 'c["process"]["oomScoreAdj"] = 123'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "123"

	cfg_set 'c["process"]["oomScoreAdj"] = 1000'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "1000"

	# unset: inherited from the caller
	cfg_set 'c["process"].pop("oomScoreAdj", None)'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "$(cat /proc/self/oom_score_adj)"
}

@test "fds: the process gets only 0, 1 and 2 (run)" {
	# ls opens the directory it lists, so it sees its own fd 3 as well.
	cfg_args ls /proc/self/fd
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "0 1 2 3" "ls /proc/self/fd"

	# the init's own table, seen from a child
	cfg_sh 'ls /proc/1/fd; true'
	run rt run "$TEST_ID"
	assert_status 0
	assert_eq "$(echo $output)" "0 1 2" "fds of pid 1"
}

@test "fds: the process gets only 0, 1 and 2 (create + start), even if the caller has more open" {
	# (no shell redirection here: busybox sh parks saved fds at 10+)
	cfg_sh 'ls /proc/1/fd; echo done; exec sleep 100'
	exec 7>"$TESTDIR/extra-fd"
	run rt_bg create "$TEST_ID"
	exec 7>&-
	assert_status 0
	run rt start "$TEST_ID"
	assert_status 0
	for _ in $(seq 50); do
		[[ $(bg_log "$TEST_ID") == *done* ]] && break
		sleep 0.1
	done
	assert_eq "$(echo $(bg_log "$TEST_ID"))" "0 1 2 done" "fds of pid 1"
}

@test "exit status: the process's exit code is the runtime's" {
	local code
	for code in 0 1 42 127 255; do
		cfg_sh "exit $code"
		run "-$code" rt run "$TEST_ID"
	done
	# a command that is not found inside sh
	cfg_sh 'no-such-command'
	run -127 rt run "$TEST_ID"
	assert_contains "$output" "no-such-command"
}
