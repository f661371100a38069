#!/usr/bin/env bats
# cgroups on the host (v1 or hybrid): every resource written from config.json and read back
# from the kernel's files, OOM kills and `events`, pids.max against a fork loop, pause/resume,
# update, ps, cleanup after delete, and the three forms of linux.cgroupsPath.

load lib/helpers

setup() {
	setup_bundle
	[[ -d $CGROUP_ROOT/memory ]] || skip "needs cgroup v1 controllers at $CGROUP_ROOT (the v2 tier covers v2)"
}

teardown() {
	teardown_bundle
}

# cg CONTROLLER FILE: the path of FILE in this test's cgroup of CONTROLLER.
cg() {
	echo "$CGROUP_ROOT/$1/$CGROUP_PARENT/$TEST_ID/$2"
}

# cg_read CONTROLLER FILE: its content (one line, trimmed).
cg_read() {
	local f
	f=$(cg "$1" "$2")
	[[ -f $f ]] || { echo "missing: $f" >&2; return 1; }
	tr -d '\n' <"$f"
}

# res 'PYTHON': sets c["linux"]["resources"] fields, e.g. res 'r["pids"] = {"limit": 5}'.
res() {
	cfg_set 'r = c["linux"].setdefault("resources", {})
'"$1"
}

# start_detached [ID]: run -d and wait for "running".
start_detached() {
	local id=${1:-$TEST_ID}
	run rt_bg run -d "$id"
	assert_status 0
	wait_status "$id" running
}

init_pid() {
	state_get "${1:-$TEST_ID}" 'j["pid"]'
}

@test "memory limit, reservation and swap are written to the memory cgroup" {
	res 'r["memory"] = {"limit": 67108864, "reservation": 33554432, "swap": 134217728}'
	cfg_args sleep 100
	start_detached
	assert_eq "$(cg_read memory memory.limit_in_bytes)" 67108864 "memory.limit_in_bytes"
	assert_eq "$(cg_read memory memory.soft_limit_in_bytes)" 33554432 "memory.soft_limit_in_bytes"
	assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" 134217728 "memory.memsw.limit_in_bytes"
}

@test "cpu shares, quota and period are written to the cpu cgroup" {
	res 'r["cpu"] = {"shares": 512, "quota": 20000, "period": 50000}'
	cfg_args sleep 100
	start_detached
	assert_eq "$(cg_read cpu cpu.shares)" 512 "cpu.shares"
	assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 20000 "cpu.cfs_quota_us"
	assert_eq "$(cg_read cpu cpu.cfs_period_us)" 50000 "cpu.cfs_period_us"
}

@test "cpuset cpus and mems are written to the cpuset cgroup" {
	res 'r["cpu"] = {"cpus": "0", "mems": "0"}'
	cfg_args sleep 100
	start_detached
	assert_eq "$(cg_read cpuset cpuset.cpus)" 0 "cpuset.cpus"
	assert_eq "$(cg_read cpuset cpuset.mems)" 0 "cpuset.mems"
	# and the process may only run there
	local pid
	pid=$(init_pid)
	assert_eq "$(awk '/^Cpus_allowed_list/ {print $2}' /proc/"$pid"/status)" 0 "Cpus_allowed_list"
}

@test "pids limit is written to pids.max" {
	res 'r["pids"] = {"limit": 42}'
	cfg_args sleep 100
	start_detached
	assert_eq "$(cg_read pids pids.max)" 42 "pids.max"
}

@test "blkio weight is written when the host has a weight file" {
	local f=
	for n in blkio.weight blkio.bfq.weight; do
		[[ -f $CGROUP_ROOT/blkio/$n ]] && f=$n && break
	done
	[[ -n $f ]] || skip "no blkio.weight or blkio.bfq.weight on this host (no CFQ/BFQ scheduler)"
	res 'r["blockIO"] = {"weight": 300}'
	cfg_args sleep 100
	start_detached
	assert_match "$(cg_read blkio "$f")" '(^| )300$' "$f"
}

@test "a container that overruns its memory limit is OOM-killed (exit 137)" {
	res 'r["memory"] = {"limit": 16777216, "swap": 16777216}'
	# tail buffers the "line" it reads from /dev/zero until memory runs out.
	cfg_args tail /dev/zero
	run rt run "$TEST_ID"
	assert_status 137
}

@test "events reports the oom of a memory-limited container and ends when it stops" {
	res 'r["memory"] = {"limit": 16777216, "swap": 16777216}'
	# The memory hog starts once events is watching (/tmp/go appears).
	cfg_sh 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero'
	start_detached
	local out=$TESTDIR/events.out pid
	pid=$(state_get "$TEST_ID" 'j["pid"]')
	timeout 30 "$RUNTIME" --root "$ROOT" events --interval 30s "$TEST_ID" >"$out" 2>&1 3>&- &
	local ev=$!
	sleep 1
	touch /proc/"$pid"/root/tmp/go
	wait "$ev" || true
	grep -q '"type":"oom"' "$out" || { cat "$out" >&2; fail "no oom event"; }
	grep -q "\"id\":\"$TEST_ID\"" "$out" || fail "oom event without the id"
	[[ $(status_of "$TEST_ID") == stopped ]] || fail "events returned while the container runs"
	# the kernel agrees
	assert_match "$(grep '^oom_kill ' "$(cg memory memory.oom_control)")" '^oom_kill [1-9]' "oom_kill"
}

@test "events --stats prints one stats event in runc's shape" {
	res 'r["memory"] = {"limit": 67108864}; r["pids"] = {"limit": 30}'
	cfg_args sleep 100
	start_detached
	run rt events --stats "$TEST_ID"
	assert_status 0
	local js=$output
	assert_eq "$(json_get 'j["type"]' <<<"$js")" stats type
	assert_eq "$(json_get 'j["id"]' <<<"$js")" "$TEST_ID" id
	assert_eq "$(json_get 'j["data"]["memory"]["usage"]["limit"]' <<<"$js")" 67108864 "memory.usage.limit"
	assert_match "$(json_get 'j["data"]["memory"]["usage"]["usage"]' <<<"$js")" '^[1-9][0-9]*$' "memory.usage.usage"
	assert_eq "$(json_get 'j["data"]["pids"]["current"]' <<<"$js")" 1 "pids.current"
	assert_eq "$(json_get 'j["data"]["pids"]["limit"]' <<<"$js")" 30 "pids.limit"
	assert_match "$(json_get 'j["data"]["cpu"]["usage"]["total"]' <<<"$js")" '^[1-9][0-9]*$' "cpu.usage.total"
	assert_match "$(json_get 'sorted(j["data"].keys())' <<<"$js")" '"blkio".*"cpu".*"hugetlb".*"memory".*"pids"' "sections"
	assert_eq "$(json_get '"raw" in j["data"]["memory"]' <<<"$js")" true "memory.raw"
}

@test "events: bad interval and stopped container are errors" {
	cfg_args true
	run rt events --interval 0s "$TEST_ID"
	assert_status 1
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt events --interval 0s "$TEST_ID"
	assert_status 1
	assert_contains "$output" "duration interval must be greater than 0"
	rt start "$TEST_ID"
	wait_status "$TEST_ID" stopped
	run rt events --stats "$TEST_ID"
	assert_status 1
	assert_contains "$output" "is not running"
}

@test "pids limit stops a fork loop" {
	res 'r["pids"] = {"limit": 10}'
	# The shell gives up when fork fails, so the loop runs in a subshell.
	cfg_sh '(i=0; while [ $i -lt 40 ]; do sleep 100 & i=$((i+1)); done) 2>/dev/null; exec sleep 100'
	start_detached
	sleep 1
	local cur
	cur=$(cg_read pids pids.current)
	((cur <= 10)) || fail "pids.current is $cur, above the limit 10"
	((cur >= 8)) || fail "pids.current is $cur: the loop did not run into the limit"
	assert_match "$(cat "$(cg pids pids.events)")" '^max [1-9]' "pids.events"
	run rt ps --format json "$TEST_ID"
	assert_status 0
	local n
	n=$(json_get 'len(j)' <<<"$output")
	((n <= 10)) || fail "ps lists $n processes"
}

# cpu_ticks PID: utime + stime of PID.
cpu_ticks() {
	sed 's/.*) //' /proc/"$1"/stat | awk '{ print $12 + $13 }'
}

@test "pause freezes every process, state says paused; resume thaws them" {
	# A busy loop (its cpu time moves as long as it runs) and a second process.
	cfg_sh 'sleep 100 & while :; do :; done'
	start_detached
	sleep 0.3
	run rt pause "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" paused status
	assert_eq "$(cg_read freezer freezer.state)" FROZEN freezer.state
	local pids pid a b
	pids=$(rt ps --format json "$TEST_ID" | json_get '" ".join(map(str, j))')
	[[ $(wc -w <<<"$pids") -ge 2 ]] || fail "expected 2 processes, ps says: $pids"
	pid=$(init_pid)
	a=$(cpu_ticks "$pid")
	sleep 0.5
	b=$(cpu_ticks "$pid")
	assert_eq "$b" "$a" "cpu ticks of the busy loop while paused"
	for p in $pids; do
		# frozen tasks sleep: never R (running)
		assert_match "$(awk '/^State:/ {print $2}' /proc/"$p"/status)" '^[SD]$' "state of pid $p"
	done
	run rt resume "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" running status
	assert_eq "$(cg_read freezer freezer.state)" THAWED freezer.state
	sleep 0.5
	b=$(cpu_ticks "$pid")
	((b > a)) || fail "the busy loop did not run after resume ($a -> $b ticks)"
}

@test "pause/resume errors: resume of a running container, pause of a stopped one" {
	cfg_args sleep 100
	start_detached
	run rt resume "$TEST_ID"
	assert_status 1
	assert_contains "$output" "not paused"
	rt kill "$TEST_ID" KILL
	wait_status "$TEST_ID" stopped
	run rt pause "$TEST_ID"
	assert_status 1
	assert_contains "$output" "not running"
}

@test "pause of a created container: state says paused, start fails at once, resume and start work" {
	cfg_sh 'echo STARTED'
	run rt_bg create "$TEST_ID"
	assert_status 0
	run rt pause "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" paused "status after pause of a created container"
	run timeout 10 "$RUNTIME" --root "$ROOT" start "$TEST_ID"
	[[ $status -ne 0 && $status -ne 124 ]] || fail "start of a paused container: exit $status (124: it blocked)"
	assert_contains "$output" "paused"
	assert_eq "$(status_of "$TEST_ID")" paused "status after the refused start"
	run rt resume "$TEST_ID"
	assert_status 0
	assert_eq "$(status_of "$TEST_ID")" created "status after resume"
	run rt start "$TEST_ID"
	assert_status 0
	wait_status "$TEST_ID" stopped
	assert_contains "$(bg_log "$TEST_ID")" STARTED
}

@test "update changes live limits: individual flags" {
	res 'r["memory"] = {"limit": 67108864}; r["pids"] = {"limit": 20}'
	cfg_args sleep 100
	start_detached
	run rt update --memory 96m --memory-swap 192M --memory-reservation 32m --pids-limit 25 \
		--cpu-share 256 --cpu-period 40000 --cpu-quota 10000 --cpuset-cpus 0 "$TEST_ID"
	assert_status 0
	assert_eq "$(cg_read memory memory.limit_in_bytes)" $((96 << 20)) memory.limit_in_bytes
	assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" $((192 << 20)) memory.memsw.limit_in_bytes
	assert_eq "$(cg_read memory memory.soft_limit_in_bytes)" $((32 << 20)) memory.soft_limit_in_bytes
	assert_eq "$(cg_read pids pids.max)" 25 pids.max
	assert_eq "$(cg_read cpu cpu.shares)" 256 cpu.shares
	assert_eq "$(cg_read cpu cpu.cfs_period_us)" 40000 cpu.cfs_period_us
	assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 10000 cpu.cfs_quota_us
	assert_eq "$(cg_read cpuset cpuset.cpus)" 0 cpuset.cpus
	# flags not given are left alone; -1 lifts the memory limit
	run rt update --memory -1 "$TEST_ID"
	assert_status 0
	assert_match "$(cg_read memory memory.limit_in_bytes)" '^9223372036854[0-9]+$' memory.limit_in_bytes
	assert_eq "$(cg_read pids pids.max)" 25 pids.max
	assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 10000 cpu.cfs_quota_us
	run rt update --memory 12x "$TEST_ID"
	assert_status 1
	assert_contains "$output" "invalid value for memory"
}

@test "update changes live limits: --resources FILE, --resources=FILE and -r - (Docker's JSON)" {
	res 'r["memory"] = {"limit": 33554432}; r["pids"] = {"limit": 20}; r["cpu"] = {"shares": 1024}'
	cfg_args sleep 100
	start_detached
	echo '{"memory":{"limit":67108864,"swap":134217728}}' >"$TESTDIR/res.json"
	run rt update --resources="$TESTDIR/res.json" "$TEST_ID"
	assert_status 0
	assert_eq "$(cg_read memory memory.limit_in_bytes)" 67108864 memory.limit_in_bytes
	assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" 134217728 memory.memsw.limit_in_bytes
	echo '{"pids":{"limit":33}}' >"$TESTDIR/res2.json"
	run rt update -r "$TESTDIR/res2.json" "$TEST_ID"
	assert_status 0
	assert_eq "$(cg_read pids pids.max)" 33 pids.max
	# Docker sends zeros for everything it does not change
	run rt update --resources - "$TEST_ID" <<<'{"memory":{"limit":50331648,"reservation":0,"swap":100663296,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"pids":{"limit":50},"blockIO":{"weight":0}}'
	assert_status 0
	assert_eq "$(cg_read memory memory.limit_in_bytes)" 50331648 memory.limit_in_bytes
	assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" 100663296 memory.memsw.limit_in_bytes
	assert_eq "$(cg_read pids pids.max)" 50 pids.max
	assert_eq "$(cg_read cpu cpu.shares)" 1024 "cpu.shares (unchanged)"
	run rt update -r - "$TEST_ID" <<<'{"pids":{"limit":0}}'
	assert_status 0
	assert_eq "$(cg_read pids pids.max)" 50 "pids.max (limit 0 leaves it)"
	run rt update -r - "$TEST_ID" <<<'{bad'
	assert_status 1
	run rt update -r "$TESTDIR/nonexistent.json" "$TEST_ID"
	assert_status 1
	assert_contains "$output" "no such file or directory"
}

@test "update: unknown and stopped containers, Intel RDT flags" {
	run rt update --memory 64m nonexistent-"$TEST_ID"
	assert_status 1
	assert_contains "$output" "container does not exist"
	cfg_args sleep 100
	start_detached
	run rt update --l3-cache-schema 'L3:0=f' "$TEST_ID"
	assert_status 1
	assert_contains "$output" "Intel RDT"
	run rt update --mem-bw-schema 'MB:0=50' "$TEST_ID"
	assert_status 1
	assert_contains "$output" "Intel RDT"
	rt kill "$TEST_ID" KILL
	wait_status "$TEST_ID" stopped
	run rt update --memory 64m "$TEST_ID"
	assert_status 1
	assert_contains "$output" "container not running"
}

@test "ps --format json lists the init and a second process" {
	cfg_sh 'sleep 100 & exec sleep 101'
	start_detached
	sleep 0.3
	run rt ps --format json "$TEST_ID"
	assert_status 0
	local init n
	init=$(init_pid)
	assert_eq "$(json_get "$init in j" <<<"$output")" true "init pid $init listed in $output"
	n=$(json_get 'len(j)' <<<"$output")
	assert_eq "$n" 2 "number of processes in $output"
	if rt exec --help >/dev/null 2>&1; then
		rt_bg exec -d "$TEST_ID" sleep 102 || fail "exec failed"
		sleep 0.3
		run rt ps --format json "$TEST_ID"
		assert_eq "$(json_get 'len(j)' <<<"$output")" 3 "processes after exec in $output"
	fi
}

@test "the container is in every v1 hierarchy (and unified on hybrid); delete removes them all" {
	cfg_args sleep 100
	start_detached
	local pid line dirs=() d
	pid=$(init_pid)
	while IFS=: read -r _ ctrl path; do
		[[ $ctrl == "" || $ctrl == name=* ]] && continue
		assert_eq "$path" "/$CGROUP_PARENT/$TEST_ID" "cgroup of $ctrl"
	done <"/proc/$pid/cgroup"
	for d in "$CGROUP_ROOT"/*/; do
		d=${d%/}
		[[ -f $d/cgroup.procs ]] || continue
		[[ -d $d/$CGROUP_PARENT/$TEST_ID ]] || fail "no cgroup in $d"
		dirs+=("$d/$CGROUP_PARENT/$TEST_ID")
	done
	if [[ -f $CGROUP_ROOT/unified/cgroup.controllers ]]; then
		assert_contains "$(cat /proc/"$pid"/cgroup)" "0::/$CGROUP_PARENT/$TEST_ID"
	fi
	rt kill "$TEST_ID" KILL
	wait_status "$TEST_ID" stopped
	run rt delete "$TEST_ID"
	assert_status 0
	for d in "${dirs[@]}"; do
		[[ ! -d $d ]] || fail "left after delete: $d"
	done
	[[ -z $(test_cgroup_dirs) ]] || fail "left after delete: $(test_cgroup_dirs)"
}

@test "delete --force of a running container with children leaves no cgroup" {
	cfg_sh 'sleep 100 & sleep 100 & sleep 100'
	start_detached
	run rt delete --force "$TEST_ID"
	assert_status 0
	[[ -z $(test_cgroup_dirs) ]] || fail "left after delete: $(test_cgroup_dirs)"
}

# own_cgroup CONTROLLER: this shell's cgroup path in the hierarchy of CONTROLLER.
own_cgroup() {
	awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup
}

# check_relative ID SUFFIX: the container's cgroups are SUFFIX below our own in every
# v1 hierarchy; after delete they are gone.
check_relative() {
	local id=$1 suffix=$2 pid ctrl path own dirs=() d
	pid=$(init_pid "$id")
	for ctrl in memory pids cpu freezer; do
		path=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/"$pid"/cgroup)
		own=$(own_cgroup "$ctrl")
		[[ $own == / ]] && own=
		assert_eq "$path" "$own/$suffix" "$ctrl cgroup"
		d=$(ls -d "$CGROUP_ROOT"/*"$ctrl"*/ | head -1)
		dirs+=("${d%/}$path")
	done
	rt kill "$id" KILL
	wait_status "$id" stopped
	rt delete "$id"
	for d in "${dirs[@]}"; do
		[[ ! -d $d ]] || fail "left after delete: $d"
	done
}

@test "cgroupsPath relative: below the runtime's own cgroups" {
	local rel=rcpp-it-rel-$TEST_ID
	cfg_set 'c["linux"]["cgroupsPath"] = "'"$rel/inner"'"'
	cfg_args sleep 100
	start_detached
	check_relative "$TEST_ID" "$rel/inner"
	for d in "$CGROUP_ROOT"/*/; do
		find "$d" -maxdepth 4 -type d -name "$rel" -exec rmdir {} + 2>/dev/null || true
	done
}

@test "cgroupsPath unset: a cgroup named after the container id" {
	cfg_set 'del c["linux"]["cgroupsPath"]'
	cfg_args sleep 100
	local id=$TEST_ID-unset
	start_detached "$id"
	check_relative "$id" "$id"
}

# run_bounded ARGS...: the runtime with this test's --root, killed after 30s; $status and
# $output as `run` sets them. The output goes through a file: a container process stuck in D
# state would keep a pipe open forever.
run_bounded() {
	status=0
	timeout -k 5 30 "$RUNTIME" --root "$ROOT" "$@" </dev/null >"$TESTDIR/bounded.out" 2>&1 3>&- || status=$?
	output=$(cat "$TESTDIR/bounded.out")
}

# no_processes_in DIR: DIR/cgroup.procs lists nothing (no init stuck in a frozen cgroup)
no_processes_in() {
	[[ ! -s $1/cgroup.procs ]] || fail "processes left in $1: $(cat "$1/cgroup.procs")"
}

@test "run/create into a frozen cgroup fails at once with runc's 'unexpectedly frozen'; nothing is left" {
	local fz=$CGROUP_ROOT/freezer/$CGROUP_PARENT/$TEST_ID
	mkdir -p "$fz"
	echo FROZEN >"$fz/freezer.state"
	cfg_args true
	local cmd
	for cmd in run create; do
		run_bounded $cmd "$TEST_ID"
		[[ $status -ne 124 && $status -ne 137 ]] || fail "$cmd hung in the frozen cgroup"
		assert_status 1
		assert_contains "$output" "container's cgroup unexpectedly frozen"
		no_processes_in "$fz"
		assert_eq "$(status_of "$TEST_ID")" absent "status after $cmd"
		# only the frozen directory we made is there, no other hierarchy got one
		assert_eq "$(test_cgroup_dirs)" "$fz" "cgroup dirs after $cmd"
	done
	echo THAWED >"$fz/freezer.state"
	rmdir "$fz"
}

@test "run into a cgroup whose parent is frozen fails too (the init would freeze with it)" {
	if is_go_runc_before_1_2; then
		skip "runc 1.1 only checks freezer.self_freezing of the cgroup itself: its init hangs in D state here"
	fi
	local pod=$CGROUP_ROOT/freezer/$CGROUP_PARENT/$TEST_ID-pod
	mkdir -p "$pod"
	echo FROZEN >"$pod/freezer.state"
	cfg_set 'c["linux"]["cgroupsPath"] = "/'"$CGROUP_PARENT/$TEST_ID"'-pod/ctr"'
	cfg_args true
	run_bounded run "$TEST_ID"
	echo THAWED >"$pod/freezer.state"
	[[ $status -ne 124 && $status -ne 137 ]] || fail "run hung in the frozen cgroup"
	assert_status 1
	assert_contains "$output" "container's cgroup unexpectedly frozen"
	assert_eq "$(test_cgroup_dirs)" "$pod" "cgroup dirs"
	rmdir "$pod"
}

@test "run into a cgroup that already holds processes: refused as in runc 1.2 (runc 1.1 warns); they are left alone" {
	local d dirs=() sp
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	sp=$!
	# runc 1.1 counts the processes of the devices hierarchy, runc-cpp those of pids
	for d in devices pids memory freezer; do
		d=$CGROUP_ROOT/$d/$CGROUP_PARENT/$TEST_ID
		mkdir -p "$d"
		echo "$sp" >"$d/cgroup.procs"
		dirs+=("$d")
	done
	cfg_args true
	run rt_bg run -d "$TEST_ID"
	local st=$status out=$output alive=yes
	kill -0 "$sp" 2>/dev/null || alive=no
	rt delete --force "$TEST_ID" >/dev/null 2>&1 || true
	kill -9 "$sp" 2>/dev/null || true
	wait "$sp" 2>/dev/null || true
	for d in "${dirs[@]}"; do rmdir "$d"; done
	status=$st output=$out
	if is_go_runc_before_1_2; then
		assert_status 0
		assert_contains "$output" "container's cgroup is not empty: 1 process(es) found"
		return
	fi
	assert_status 1
	assert_contains "$output" "container's cgroup is not empty: 1 process(es) found"
	assert_eq "$alive" yes "the process that was in the cgroup"
}

@test "linux.resources.unified on a v1 or hybrid host: runc's 'invalid configuration', nothing created" {
	[[ ! -f $CGROUP_ROOT/cgroup.controllers ]] || skip "a cgroup v2 only host takes unified"
	res 'r["unified"] = {"hugetlb.2MB.max": "4194304"}'
	cfg_args true
	run rt_bg run -d "$TEST_ID"
	assert_status 1
	assert_contains "$output" "invalid configuration: cannot use unified on cgroup v1"
	assert_eq "$(test_cgroup_dirs)" "" "cgroup dirs"
	assert_eq "$(status_of "$TEST_ID")" absent
	assert_eq "$(ls -A "$ROOT" 2>/dev/null)" "" "state root"
}

@test "update ID --memory 10M: options may follow the container id, as runc's CLI takes them" {
	cfg_args sleep 100
	start_detached
	run rt update "$TEST_ID" --memory 10M
	assert_status 0
	assert_eq "$(cg_read memory memory.limit_in_bytes)" 10485760 "memory.limit_in_bytes"
	run rt update "$TEST_ID" --pids-limit 7 --memory=20M
	assert_status 0
	assert_eq "$(cg_read memory memory.limit_in_bytes)" 20971520 "memory.limit_in_bytes"
	assert_eq "$(cg_read pids pids.max)" 7 "pids.max"
	# a stray argument is still one too many
	run rt update "$TEST_ID" --memory 30M extra
	assert_status 1
	assert_contains "$output" "requires exactly 1 argument"
}

@test "update of a container that does not exist: 'container does not exist', options before or after" {
	run rt update nosuch --memory 10M
	assert_status 1
	assert_contains "$output" "container does not exist"
	run rt update --memory 10M nosuch
	assert_status 1
	assert_contains "$output" "container does not exist"
}

@test "device rules take every access string runc takes ('rwa', 'mr', 'r w'); runc's refusals stay" {
	res 'r["devices"] = [{"allow": False, "access": "rwm"},
		{"allow": True, "type": "c", "major": 1, "minor": 11, "access": "rwa"},
		{"allow": True, "type": "c", "major": 10, "minor": 229, "access": "mr"},
		{"allow": True, "type": "c", "major": 4, "minor": 1, "access": "r w"}]'
	cfg_args sleep 100
	start_detached
	local list rule
	list=$(cat "$(cg devices devices.list)")
	for rule in "c 1:11 rw" "c 10:229 rm" "c 4:1 rw"; do
		grep -qx "$rule" <<<"$list" || fail "no '$rule' in devices.list: $list"
	done
	rt delete --force "$TEST_ID"
	# what runc refuses: an unknown device type, an access with none of r, w, m (runc 1.1:
	# "devices cgroup doesn't precisely match target" on this v1 host)
	res 'r["devices"] = [{"allow": True, "type": "u", "major": 1, "minor": 11, "access": "rwm"}]'
	run rt_bg run -d "$TEST_ID"
	assert_status 1
	assert_contains "$output" 'device type \"u\"'
	res 'r["devices"] = [{"allow": False, "access": "rwm"}, {"allow": True, "type": "c", "major": 1, "minor": 11, "access": "RWM"}]'
	run rt_bg run -d "$TEST_ID"
	assert_status 1
	assert_eq "$(status_of "$TEST_ID")" absent
}
