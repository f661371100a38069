#!/usr/bin/env bats
# exec: every flag of `runc exec`, exit codes, the namespaces, cgroup and
# security settings an exec'd process gets, and the error paths.

load lib/helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# start_long [ID]: a running container whose init sleeps.
start_long() {
	local id=${1:-$TEST_ID}
	cfg_args sleep 1000
	run rt_bg run -d "$id"
	assert_status 0
	wait_status "$id" running
}

init_pid() {
	state_get "${1:-$TEST_ID}" 'j["pid"]'
}

# the bundle's capability set: CHOWN(0) KILL(5) SETGID(6) SETUID(7)
# NET_BIND_SERVICE(10) AUDIT_WRITE(29)
CONFIG_CAPS=00000000200004e1

@test "exec: stdout and exit code of the process (exit 5 -> 5)" {
	start_long
	run rt exec "$TEST_ID" sh -c 'echo out; echo err >&2; exit 5'
	assert_status 5
	# (runc copies stdout and stderr of a foreground exec through two pipes,
	# so their order may differ there)
	assert_eq "$(sort <<<"$output")" $'err\nout' "stdout and stderr"
	run rt exec "$TEST_ID" true
	assert_status 0
	assert_output ""
}

@test "exec: a process killed by a signal gives 128+n" {
	start_long
	run rt exec "$TEST_ID" sh -c 'kill -KILL $$'
	assert_status 137
	run rt exec "$TEST_ID" sh -c 'kill -TERM $$'
	assert_status 143
}

@test "exec: a signal sent to the foreground runtime reaches the process" {
	start_long
	# the runtime itself in the background (not the rt function: $! must be its pid)
	"$RUNTIME" --root "$ROOT" exec "$TEST_ID" sh -c 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done' \
		</dev/null >"$TESTDIR/fg.out" 2>&1 3>&- &
	local fg=$!
	for _ in $(seq 50); do
		grep -q ready "$TESTDIR/fg.out" && break
		sleep 0.1
	done
	grep -q ready "$TESTDIR/fg.out" || fail "exec'd process did not start"
	kill -TERM "$fg"
	local rc=0
	wait "$fg" || rc=$?
	assert_eq "$rc" 9 "exit code after SIGTERM to the runtime"
	assert_eq "$(cat "$TESTDIR/fg.out")" $'ready\ngot-term' output
}

@test "exec: the process is in the container's pid, mnt, net, uts and ipc namespaces" {
	start_long
	local pid ns want got
	pid=$(init_pid)
	for ns in pid mnt net uts ipc; do
		want=$(readlink "/proc/$pid/ns/$ns")
		run rt exec "$TEST_ID" readlink "/proc/self/ns/$ns"
		assert_status 0
		assert_eq "$output" "$want" "ns $ns"
		# and not the host's
		[[ $want != "$(readlink /proc/self/ns/$ns)" ]] || fail "container shares the host's $ns namespace"
	done
	# the pid namespace: the init is pid 1 there and the exec'd shell is not
	run rt exec "$TEST_ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; [ $$ -ne 1 ] && echo notone'
	assert_status 0
	assert_output $'sleep 1000 \nnotone'
	run rt exec "$TEST_ID" hostname
	assert_output "rcpp-test"
}

@test "exec: into a container with a time namespace (its offsets included)" {
	[[ -e /proc/self/ns/time ]] || skip "the kernel has no time namespaces"
	is_go_runc_before_1_2 && skip "runc 1.1 has no time namespaces (added in runc 1.2)"
	cfg_set 'c["linux"]["namespaces"].append({"type": "time"}); c["linux"]["timeOffsets"] = {"boottime": {"secs": 86400, "nanosecs": 0}}'
	start_long
	local pid want
	pid=$(init_pid)
	want=$(readlink "/proc/$pid/ns/time")
	[[ $want != "$(readlink /proc/self/ns/time)" ]] || fail "the container shares the host's time namespace"
	# (runc-cpp's stage 1 cannot run in the runtime's memory here: the kernel lets only a
	# process whose memory is its own join a time namespace)
	run rt exec "$TEST_ID" readlink /proc/self/ns/time
	assert_status 0
	assert_eq "$output" "$want" "time namespace"
	run rt exec "$TEST_ID" sh -c 'read up _ </proc/uptime; echo "${up%%.*}"'
	assert_status 0
	((output >= 86400)) || fail "boot-time offset not seen by the exec'd process: uptime $output"
}

@test "exec: the process is in the container's cgroup" {
	start_long
	local pid
	pid=$(init_pid)
	run rt exec "$TEST_ID" cat /proc/self/cgroup
	assert_status 0
	assert_eq "$output" "$(cat "/proc/$pid/cgroup")" "/proc/self/cgroup"
	assert_contains "$output" ":/$CGROUP_PARENT/$TEST_ID"
}

@test "exec --env: adds and overrides variables of process.env" {
	start_long
	run rt exec --env FOO=bar --env TERM=dumb "$TEST_ID" env
	assert_status 0
	local sorted
	sorted=$(sort <<<"$output")
	assert_eq "$sorted" "$(printf '%s\n' FOO=bar HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb | sort)" env
}

@test "exec --cwd: the process starts there" {
	start_long
	run rt exec --cwd /home/test "$TEST_ID" pwd
	assert_status 0
	assert_output "/home/test"
	# default: process.cwd of the config
	run rt exec "$TEST_ID" pwd
	assert_output "/"
}

@test "exec --user and --additional-gids" {
	start_long
	run rt exec --user 1000:1000 --additional-gids 1001 "$TEST_ID" id
	assert_status 0
	assert_output "uid=1000(test) gid=1000(test) groups=1001(extra)"
	run rt exec -u 1000 "$TEST_ID" sh -c 'id -u; id -g'
	assert_status 0
	assert_output $'1000\n0'
	run rt exec -u 65534:65534 -g 1000 -g 1001 "$TEST_ID" id -G
	assert_status 0
	assert_output "65534 1000 1001"
}

@test "exec: capabilities come from the config; --cap adds to them" {
	start_long
	run rt exec "$TEST_ID" grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status
	assert_status 0
	assert_output "CapPrm:	$CONFIG_CAPS
CapEff:	$CONFIG_CAPS
CapBnd:	$CONFIG_CAPS"
	# CAP_SYS_ADMIN is bit 21
	run rt exec --cap CAP_SYS_ADMIN "$TEST_ID" grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status
	assert_status 0
	assert_output "CapPrm:	00000000202004e1
CapEff:	00000000202004e1
CapBnd:	00000000202004e1"
	# the missing CAP_DAC_OVERRIDE is enforced
	run rt exec -u 1000:1000 "$TEST_ID" sh -c 'touch /root/x'
	[[ $status -ne 0 ]] || fail "non-root wrote to /root"
}

@test "exec: the container's seccomp filter applies to the exec'd process" {
	cfg_set 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_long
	run rt exec "$TEST_ID" sh -c 'mkdir /tmp/d 2>&1; echo rc=$?; grep ^Seccomp: /proc/self/status'
	assert_status 0
	assert_output "mkdir: can't create directory '/tmp/d': Operation not permitted
rc=1
Seccomp:	2"
	[[ ! -d $BUNDLE/rootfs/tmp/d ]] || fail "mkdir succeeded"
}

@test "exec --no-new-privs: sets NoNewPrivs when the config does not" {
	cfg_set 'c["process"]["noNewPrivileges"] = False'
	start_long
	run rt exec "$TEST_ID" grep NoNewPrivs /proc/self/status
	assert_status 0
	assert_output "NoNewPrivs:	0"
	run rt exec --no-new-privs "$TEST_ID" grep NoNewPrivs /proc/self/status
	assert_status 0
	assert_output "NoNewPrivs:	1"
}

@test "exec --process: args, env, cwd, user and terminal from a JSON file" {
	start_long
	cat >"$TESTDIR/process.json" <<'EOF'
{
	"terminal": false,
	"user": {"uid": 1000, "gid": 1000, "additionalGids": [1001]},
	"args": ["sh", "-c", "id; pwd; echo $FOO; echo $PATH; [ -t 0 ] || echo notty; exit 6"],
	"env": ["PATH=/bin:/usr/bin", "FOO=from-json"],
	"cwd": "/home/test",
	"capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
	"noNewPrivileges": true
}
EOF
	run rt exec --process "$TESTDIR/process.json" "$TEST_ID"
	assert_status 6
	assert_output "uid=1000(test) gid=1000(test) groups=1001(extra)
/home/test
from-json
/bin:/usr/bin
notty"
	# its capabilities are the file's, not the config's (root: CAP_KILL = bit 5)
	"$PYTHON" -c '
import json,sys
p=json.load(open(sys.argv[1])); p["user"]={"uid":0,"gid":0}; p["args"]=["grep","^CapBnd","/proc/self/status"]
json.dump(p,open(sys.argv[1],"w"))' "$TESTDIR/process.json"
	run rt exec -p "$TESTDIR/process.json" "$TEST_ID"
	assert_status 0
	assert_output "CapBnd:	0000000000000020"
}

@test "exec --process: a missing file is an error" {
	start_long
	run rt exec --process "$TESTDIR/nope.json" "$TEST_ID"
	[[ $status -ne 0 ]] || fail "exec with a missing process file succeeded"
	assert_contains "$output" "nope.json"
}

@test "exec: a missing binary fails with 255 and 'no such file or directory'" {
	start_long
	run rt exec "$TEST_ID" /nonexistent
	assert_status 255
	assert_contains "$output" "no such file or directory"
	assert_contains "$output" "/nonexistent"
	run rt exec "$TEST_ID" nonexistent-cmd
	assert_status 255
	assert_contains "$output" "executable file not found"
	# the container is unaffected
	assert_eq "$(status_of "$TEST_ID")" running
}

@test "exec: a missing container id fails" {
	run rt exec nosuchcontainer true
	[[ $status -ne 0 ]] || fail "exec into a missing container succeeded"
	assert_contains "$output" "container does not exist"
}

@test "exec: into a stopped container fails with 255" {
	cfg_args true
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt start "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" stopped
	run rt exec "$TEST_ID" true
	assert_status 255
	assert_contains "$output" "cannot exec in a stopped container"
}

@test "exec: into a created (not started) container works, as in runc" {
	cfg_sh 'touch /tmp/started; exec sleep 1000'
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt exec "$TEST_ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; exit 4'
	assert_status 4
	# the init still waits for start (runc's init waits in `runc init`)
	assert_match "$output" '.' "init cmdline"
	assert_eq "$(status_of "$TEST_ID")" created
	[[ ! -e $BUNDLE/rootfs/tmp/started ]] || fail "user process ran before start"
}

@test "exec: into a paused container fails; --ignore-paused lets it through" {
	start_long
	run rt pause "$TEST_ID"
	assert_status 0
	run rt exec "$TEST_ID" true
	assert_status 255
	assert_contains "$output" "paused"
	[[ ! -e $BUNDLE/rootfs/tmp/ran ]] || fail "process ran"

	# With --ignore-paused the exec is not refused. The new process joins the
	# frozen cgroup, so it completes only once the container is resumed.
	timeout 20 "$RUNTIME" --root "$ROOT" exec --ignore-paused -d "$TEST_ID" sh -c 'echo ran >/tmp/ran' \
		</dev/null >"$TESTDIR/ip.out" 2>&1 3>&- &
	local bg=$!
	sleep 0.5
	assert_eq "$(status_of "$TEST_ID")" paused
	run rt resume "$TEST_ID"
	assert_status 0
	local rc=0
	wait "$bg" || rc=$?
	assert_eq "$rc" 0 "exec --ignore-paused exit code ($(cat "$TESTDIR/ip.out"))"
	for _ in $(seq 50); do
		[[ -s $BUNDLE/rootfs/tmp/ran ]] && break
		sleep 0.1
	done
	assert_eq "$(cat "$BUNDLE/rootfs/tmp/ran" 2>&1)" ran "file written by the exec'd process"
}

@test "exec --detach --pid-file: the pid file holds the host pid; the process reparents" {
	start_long
	# stdio away from bats: the detached process keeps it open
	local rc=0
	rt exec --detach --pid-file "$TESTDIR/exec.pid" "$TEST_ID" sleep 777 </dev/null >"$TESTDIR/d.out" 2>&1 3>&- || rc=$?
	assert_eq "$rc" 0 "exec -d exit code ($(cat "$TESTDIR/d.out"))"
	# written before the runtime returned: read it right away
	[[ -f $TESTDIR/exec.pid ]] || fail "no pid file"
	local pid
	pid=$(cat "$TESTDIR/exec.pid")
	assert_match "$pid" '^[1-9][0-9]*$' "pid file content"
	pid_alive "$pid" || fail "pid $pid is not alive"
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 777 " "cmdline of pid $pid"
	assert_eq "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$(init_pid)/ns/pid")" "pid ns"
	# not a child of a live runtime process
	local ppid pexe
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
	pexe=$(readlink "/proc/$ppid/exe" 2>/dev/null || true)
	[[ $pexe != "$(readlink -f "$RUNTIME")" ]] || fail "pid $pid is still a child of the runtime (pid $ppid)"
	# the container's ps lists it
	run rt ps --format json "$TEST_ID"
	assert_status 0
	assert_contains "$output" "$pid"
}

@test "exec --pid-file: a relative path is relative to the cwd" {
	start_long
	mkdir "$TESTDIR/pids"
	cd "$TESTDIR/pids"
	local rc=0
	rt exec -d --pid-file rel.pid "$TEST_ID" sleep 778 </dev/null >"$TESTDIR/d.out" 2>&1 3>&- || rc=$?
	assert_eq "$rc" 0 "exec -d exit code ($(cat "$TESTDIR/d.out"))"
	local pid
	pid=$(cat "$TESTDIR/pids/rel.pid")
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 778 " "cmdline"
}

@test "exec --detach: returns at once; the output goes to the runtime's stdout" {
	start_long
	rt exec -d "$TEST_ID" sh -c 'sleep 3; echo late' </dev/null >"$TESTDIR/d.out" 2>&1 3>&-
	# returned before the process printed anything
	assert_eq "$(cat "$TESTDIR/d.out")" "" "output when exec -d returned"
	for _ in $(seq 80); do
		[[ -s $TESTDIR/d.out ]] && break
		sleep 0.1
	done
	assert_eq "$(cat "$TESTDIR/d.out")" late "output of the detached process"
}

@test "exec --tty: the process gets a pty; output and exit code come back" {
	start_long
	run timeout 20 script -qec "$RUNTIME --root $ROOT exec -t $TEST_ID sh -c 'tty; exit 3'" /dev/null
	assert_status 3
	# without the \r of the tty and the ^@ echo of the EOF that script(1)
	# types when its stdin ends
	local out=${output//$'\r'/}
	out=$(printf '%s' "${out//^@/}")
	assert_match "$out" '^/dev/pts/[0-9]+$' "tty output"
	# without -t: no tty
	run rt exec "$TEST_ID" sh -c 'tty; true'
	assert_output "not a tty"
}

@test "exec --cgroup: the process goes to an existing sub-cgroup" {
	start_long
	local d subs=()
	for d in "$CGROUP_ROOT"/*/"$CGROUP_PARENT/$TEST_ID"; do
		mkdir "$d/sub"
		subs+=("$d/sub")
		if [[ -f $d/cpuset.cpus ]]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
	done
	run rt exec --cgroup sub "$TEST_ID" cat /proc/self/cgroup
	local out=$output st=$status
	run rt exec --cgroup memory:sub "$TEST_ID" cat /proc/self/cgroup
	local out2=$output st2=$status
	run rt exec --cgroup nosuch "$TEST_ID" true
	local st3=$status
	for d in "${subs[@]}"; do rmdir "$d"; done
	assert_eq "$st" 0 "exec --cgroup sub ($out)"
	local line
	while read -r line; do
		assert_match "$line" ":/$CGROUP_PARENT/$TEST_ID/sub\$" "cgroup line"
	done <<<"$out"
	assert_eq "$st2" 0 "exec --cgroup memory:sub ($out2)"
	while read -r line; do
		if [[ $line == *:memory:* ]]; then
			assert_match "$line" ":/$CGROUP_PARENT/$TEST_ID/sub\$" "memory line"
		else
			assert_match "$line" ":/$CGROUP_PARENT/$TEST_ID\$" "other line"
		fi
	done <<<"$out2"
	[[ $st3 -ne 0 ]] || fail "exec --cgroup into a missing sub-cgroup succeeded"
}

@test "exec --preserve-fds: fds 3 and 4 are passed in" {
	start_long
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	run rt exec --preserve-fds 2 "$TEST_ID" sh -c 'cat <&3; cat <&4; ls /proc/self/fd | sort -n | tr "\n" " "' \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4"
	assert_status 0
	# ls itself opens one more fd (the directory) while listing
	assert_output "three
four
0 1 2 3 4 5 "
}

@test "exec: rlimits come from the config, or from the --process file" {
	start_long
	run rt exec "$TEST_ID" sh -c 'ulimit -Sn; ulimit -Hn'
	assert_status 0
	assert_output $'1024\n1024'
	cat >"$TESTDIR/p.json" <<'JSON'
{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "ulimit -Sn; ulimit -Hn"],
 "env": ["PATH=/bin"], "cwd": "/", "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 300, "hard": 600}]}
JSON
	run rt exec --process "$TESTDIR/p.json" "$TEST_ID"
	assert_status 0
	assert_output $'300\n600'
}

@test "exec: uid, gid and additionalGids of the config's user apply" {
	cfg_set 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [1001]}'
	start_long
	run rt exec "$TEST_ID" id
	assert_status 0
	assert_output "uid=1000(test) gid=1000(test) groups=1001(extra)"
}

@test "exec --cwd: a missing directory is an error (runc: chdir to cwd ... failed)" {
	start_long
	run rt exec --cwd /nonexistent-cwd "$TEST_ID" pwd
	assert_status 255
	assert_contains "$output" "/nonexistent-cwd"
	assert_contains "$output" "no such file or directory"
	[[ ! -e $BUNDLE/rootfs/nonexistent-cwd ]] || fail "exec created the cwd in the container"
}

@test "exec: runtime failures exit 255 with runc's 'exec failed:'; usage errors 1; the process's own codes unchanged" {
	run rt exec nosuchcontainer true
	assert_status 255
	assert_contains "$output" "exec failed: container does not exist"
	start_long
	# no command: runc 1.1 says so from the process setup (255)
	run rt exec "$TEST_ID"
	assert_status 255
	assert_contains "$output" "exec failed: process args cannot be empty"
	run rt exec "$TEST_ID" /nonexistent
	assert_status 255
	assert_contains "$output" "exec failed: "
	# flag parsing is a usage error, before anything runs
	run rt exec --no-such-flag "$TEST_ID" true
	assert_status 1
	run rt exec
	assert_status 1
	# the process's own exit codes, 255 included, come through as they are
	local code
	for code in 0 1 7 254 255; do
		run rt exec "$TEST_ID" sh -c "exit $code"
		assert_status "$code"
	done
	assert_eq "$(status_of "$TEST_ID")" running
}

@test "exec --cgroup: a path that leaves the container's cgroup is 'not a sub cgroup path' (255)" {
	start_long
	local p
	for p in .. ../.. sub/../.. memory:../x; do
		run rt exec --cgroup "$p" "$TEST_ID" true
		assert_status 255
		assert_contains "$output" "is not a sub cgroup path"
		assert_contains "$output" "${p#memory:}"
	done
	# climbing back down inside it is fine: "sub/.." is the container's own cgroup
	run rt exec --cgroup sub/.. "$TEST_ID" true
	assert_status 0
}

@test "exec --tty without a controlling terminal fails as runc does (255, open /dev/tty), nothing runs" {
	start_long
	local rc=0
	# setsid: no controlling terminal; stdio are files, not terminals
	setsid -w "$RUNTIME" --root "$ROOT" exec -t "$TEST_ID" touch /exec-ran </dev/null >"$TESTDIR/out" 2>&1 3>&- || rc=$?
	assert_eq "$rc" 255 "exit status ($(cat "$TESTDIR/out"))"
	assert_contains "$(cat "$TESTDIR/out")" "exec failed: open /dev/tty: no such device or address"
	[[ ! -e $BUNDLE/rootfs/exec-ran ]] || fail "the process ran"
	# with a console socket (or -d) no terminal of ours is needed, and without -t none either
	rc=0
	setsid -w "$RUNTIME" --root "$ROOT" exec "$TEST_ID" touch /exec-ran </dev/null >"$TESTDIR/out" 2>&1 3>&- || rc=$?
	assert_eq "$rc" 0 "exec without -t ($(cat "$TESTDIR/out"))"
	[[ -e $BUNDLE/rootfs/exec-ran ]] || fail "exec without -t did not run"
	rm -f "$BUNDLE/rootfs/exec-ran"
}
