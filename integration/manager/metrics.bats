#!/usr/bin/env bats
# metrics: the Prometheus endpoint (cAdvisor's metric names, types and labels), scraped and
# parsed by prometheus_client's text parser; its HTTP behaviour and its --listen checks.

load helpers

# The checks on a scrape run in python: j is the parsed scrape (prom-scrape.py), vals(NAME,
# label=value...) the matching sample values, one(...) the single one.
PRELUDE='
import json, os, sys, time
j = json.load(open(os.environ["SCRAPE"]))
def vals(metric_, **labels):
    return [v for n, l, v in j["samples"] if n == metric_ and all(l.get(k) == x for k, x in labels.items())]
def one(metric_, **labels):
    v = vals(metric_, **labels)
    assert len(v) == 1, "%s %s: %d samples" % (metric_, labels, len(v))
    return v[0]
def names():
    return {l.get("name") for n, l, v in j["samples"] if "name" in l}
'

pycheck() {
	SCRAPE=${2:-$TESTDIR/scrape.json} CODE="$1" "$PYTHON" -c "$PRELUDE"'
exec(os.environ["CODE"])' || fail "check failed: $1"
}

free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_metrics [--at HOST] [ARGS...]: `metrics --listen HOST:$PORT ARGS` in the background
# ($MPID; HOST defaults to 127.0.0.1, "" is every address), once it answers on HOST.
start_metrics() {
	MHOST=127.0.0.1
	if [[ ${1:-} == --at ]]; then
		MHOST=$2
		shift 2
	fi
	PORT=$(free_port)
	"$MANAGER" --root "$MROOT" metrics --listen "$MHOST:$PORT" "$@" 2>"$TESTDIR/metrics.err" &
	MPID=$!
	track_bg "$MPID"
	MHOST=${MHOST:-127.0.0.1}
	wait_for 'curl -sg -o /dev/null "http://$MHOST:$PORT/metrics"' 50 ||
		fail "metrics did not answer on $MHOST:$PORT: $(cat "$TESTDIR/metrics.err")"
}

# stop_metrics: SIGTERM; it must exit 0 at once and its port must be closed.
stop_metrics() {
	kill -TERM "$MPID"
	local rc=0
	wait "$MPID" || rc=$?
	assert_eq "$rc" 0 "metrics exit code after SIGTERM ($(cat "$TESTDIR/metrics.err"))"
	pid_alive "$MPID" && fail "metrics $MPID still running"
	curl -sg -o /dev/null "http://$MHOST:$PORT/metrics" && fail "$MHOST:$PORT still answers"
	return 0
}

scrape() {
	"$PYTHON" "$BATS_TEST_DIRNAME/prom-scrape.py" "http://127.0.0.1:$PORT/metrics" >"${1:-$TESTDIR/scrape.json}" ||
		fail "scrape failed"
}

@test "metrics: cAdvisor's families and types, labels name the containers, the memory limit; paused stays, stopped and removed ones disappear" {
	mgr_bg --name mgr-m1 -m 64m "$ROOTFS" sleep 100
	local id1=$CID
	mgr_bg --name mgr-m2 "$ROOTFS" sh -c 'sleep 100 & sleep 100 & wait'
	local id2=$CID
	wait_for '[[ $(mgr top mgr-m2 | grep -c "sleep 100$") -eq 2 ]]'
	start_metrics
	scrape
	ID1=$id1 ID2=$id2 CGPARENT=$CGPARENT pycheck '
assert j["status"] == 200
assert j["contentType"] == "text/plain; version=0.0.4; charset=utf-8", j["contentType"]
want = {
    "container_cpu_usage_seconds_total": "counter", "container_cpu_user_seconds_total": "counter",
    "container_cpu_system_seconds_total": "counter", "container_memory_usage_bytes": "gauge",
    "container_memory_working_set_bytes": "gauge", "container_memory_rss": "gauge",
    "container_memory_cache": "gauge", "container_memory_swap": "gauge",
    "container_memory_mapped_file": "gauge", "container_memory_max_usage_bytes": "gauge",
    "container_memory_failcnt": "counter", "container_memory_failures_total": "counter",
    "container_spec_memory_limit_bytes": "gauge", "container_spec_memory_swap_limit_bytes": "gauge",
    "container_spec_memory_reservation_limit_bytes": "gauge", "container_processes": "gauge",
    "container_threads": "gauge", "container_threads_max": "gauge", "container_last_seen": "gauge",
    "container_start_time_seconds": "gauge", "container_oom_events_total": "counter",
    "container_scrape_error": "gauge", "machine_memory_bytes": "gauge", "machine_cpu_cores": "gauge",
}
for name, t in want.items():
    assert j["types"].get(name) == t, "%s: %s, want %s" % (name, j["types"].get(name), t)
    assert j["help"].get(name), "%s has no HELP" % name
assert names() == {"mgr-m1", "mgr-m2"}, names()
assert one("container_scrape_error") == 0
now = time.time()
for n, cid in (("mgr-m1", os.environ["ID1"]), ("mgr-m2", os.environ["ID2"])):
    usage = [l for nm, l, v in j["samples"] if nm == "container_cpu_usage_seconds_total" and l["name"] == n]
    assert len(usage) == 1 and usage[0]["cpu"] == "total", usage
    l = usage[0]
    assert l["id"] == "/" + os.environ["CGPARENT"] + "/" + cid, l["id"]
    assert l["image"] == "", l
    assert one("container_memory_usage_bytes", name=n) > 0
    assert 0 < one("container_memory_working_set_bytes", name=n) <= one("container_memory_usage_bytes", name=n)
    assert abs(one("container_last_seen", name=n) - now) < 30
    assert now - 120 < one("container_start_time_seconds", name=n) <= now
    assert one("container_oom_events_total", name=n) == 0
assert one("container_spec_memory_limit_bytes", name="mgr-m1") == 64 << 20
assert one("container_spec_memory_limit_bytes", name="mgr-m2") == 0
assert one("container_processes", name="mgr-m1") == 1
assert one("container_processes", name="mgr-m2") == 3
assert one("container_threads", name="mgr-m2") == 3
assert one("machine_memory_bytes") > 0 and one("machine_cpu_cores") >= 1
' 
	# the limit is the one of the container's memory cgroup
	local lim
	lim=$CGROUP_ROOT/memory/$CGPARENT/$id1/memory.limit_in_bytes
	[[ -f $lim ]] || lim=$CGROUP_ROOT/$CGPARENT/$id1/memory.max
	[[ -f $lim ]] || fail "no memory limit file for $id1"
	assert_eq "$(cat "$lim")" $((64 << 20)) "cgroup limit"

	mgr rm -f mgr-m2 >/dev/null
	# a paused container is still reported (its cgroup is there, frozen)
	mgr pause mgr-m1 >/dev/null
	scrape
	pycheck 'assert names() == {"mgr-m1"}, names()
assert one("container_scrape_error") == 0'
	mgr unpause mgr-m1 >/dev/null
	mgr stop -t 1 mgr-m1 >/dev/null
	scrape
	pycheck 'assert names() == set(), names()'
	stop_metrics
}

@test "metrics: CPU seconds grow while a busy container runs" {
	mgr_bg --name mgr-busy "$ROOTFS" sh -c 'while :; do :; done'
	start_metrics
	scrape "$TESTDIR/a.json"
	sleep 2
	scrape "$TESTDIR/b.json"
	A=$TESTDIR/a.json pycheck '
a = json.load(open(os.environ["A"]))
def av(name):
    return [v for n, l, v in a["samples"] if n == name and l.get("name") == "mgr-busy"][0]
d = one("container_cpu_usage_seconds_total", name="mgr-busy") - av("container_cpu_usage_seconds_total")
du = one("container_cpu_user_seconds_total", name="mgr-busy") - av("container_cpu_user_seconds_total")
# a shared CPU may give the loop a small part of 2 s; an idle container gains ~0
assert d > 0.05, "cpu seconds grew by %s in 2 s" % d
assert du > 0.02, "user seconds grew by %s" % du
' "$TESTDIR/b.json"
	stop_metrics
}

@test "metrics: network counters of the container's namespace, by interface" {
	command -v ip >/dev/null || skip "no ip (iproute2)"
	command -v nsenter >/dev/null || skip "no nsenter"
	mgr_bg --name mgr-net "$ROOTFS" sleep 100
	local pid host=rcm$$m net=10.199.$((RANDOM % 250)).
	pid=$(mgr inspect --format '{{.State.Pid}}' mgr-net)
	# a veth pair: our end on the host, the other (mgrtest0) in the container's namespace
	ip link add "$host" type veth peer name mgrtest0 || fail "ip link add"
	echo "$host" >"$TESTDIR/.veth"
	ip link set mgrtest0 netns "$pid"
	ip addr add "${net}1/30" dev "$host"
	ip link set "$host" up
	nsenter -t "$pid" -n ip addr add "${net}2/30" dev mgrtest0
	nsenter -t "$pid" -n ip link set mgrtest0 up
	# 20 UDP datagrams to the container (nothing listens: it answers port unreachable)
	"$PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(b"x" * 100, (sys.argv[1], 9)); time.sleep(0.01)' "${net}2"
	start_metrics
	scrape
	pycheck '
fams = ["container_network_%s_%s_total" % (d, k) for d in ("receive", "transmit")
        for k in ("bytes", "packets", "errors", "packets_dropped")]
for f in fams:
    assert j["types"].get(f) == "counter", f
    assert len(vals(f, name="mgr-net", interface="mgrtest0")) == 1, f
assert not [l for n, l, v in j["samples"] if n == fams[0] and l.get("interface") == "lo"], "lo is reported"
assert one("container_network_receive_packets_total", name="mgr-net", interface="mgrtest0") >= 20
assert one("container_network_receive_bytes_total", name="mgr-net", interface="mgrtest0") >= 20 * 128
assert one("container_network_transmit_packets_total", name="mgr-net", interface="mgrtest0") >= 1
'
	# and stats shows the same traffic in NET I/O
	run mgr stats --no-stream --format json mgr-net
	json_get 'j["netInput"] >= 20 * 128 and j["netOutput"] > 0' <<<"$output" >"$TESTDIR/n"
	assert_eq "$(cat "$TESTDIR/n")" true "stats netInput/netOutput: $output"
	stop_metrics
	# the veth goes with the container's namespace
	mgr rm -f mgr-net >/dev/null
	wait_for '! ip link show "$host" >/dev/null 2>&1' || fail "veth $host left"
	rm -f "$TESTDIR/.veth"
}

@test "metrics: block I/O counters by device" {
	mgr_bg --name mgr-fs "$ROOTFS" sh -c 'dd if=/dev/zero of=/var/tmp/f bs=1M count=8 oflag=direct 2>/dev/null; echo written; sleep 100'
	wait_for '[[ $(mgr logs mgr-fs) == written ]]' 100
	run mgr stats --no-stream --format json mgr-fs
	json_get 'j["blockWrite"]' <<<"$output" >"$TESTDIR/w"
	(($(cat "$TESTDIR/w") >= 8 << 20)) || skip "this host's blkio cgroup counted $(cat "$TESTDIR/w") bytes of 8 MiB of O_DIRECT writes"
	start_metrics
	scrape
	pycheck '
for f in ("container_fs_reads_bytes_total", "container_fs_writes_bytes_total", "container_fs_reads_total", "container_fs_writes_total"):
    assert j["types"].get(f) == "counter", f
devs = [l["device"] for n, l, v in j["samples"] if n == "container_fs_writes_bytes_total" and l["name"] == "mgr-fs"]
assert devs and all(d.startswith("/dev/") or ":" in d for d in devs), devs
assert sum(vals("container_fs_writes_bytes_total", name="mgr-fs")) >= 8 << 20
assert sum(vals("container_fs_writes_total", name="mgr-fs")) >= 8
'
	stop_metrics
}

@test "metrics: container_label_* from the labels in meta.json, sanitized names, escaped values" {
	mgr_bg --name mgr-lbl "$ROOTFS" sleep 100
	# labels as `run --label` records them; written here so this test does not depend on that flag
	"$PYTHON" - "$MROOT/$CID/meta.json" <<-'EOF'
	import json, sys
	m = json.load(open(sys.argv[1]))
	m["labels"] = {"com.example.team": "a \"quoted\"\nvalue\\", "9-lives": "x"}
	json.dump(m, open(sys.argv[1], "w"))
	EOF
	start_metrics
	scrape
	pycheck '
l = [l for n, l, v in j["samples"] if n == "container_memory_usage_bytes" and l.get("name") == "mgr-lbl"][0]
assert l["container_label_com_example_team"] == "a \"quoted\"\nvalue\\", l
assert l["container_label_9_lives"] == "x", l
'
	stop_metrics
}

@test "metrics: CPU shares, quota and period from the spec, where set" {
	cfg_set 'c["linux"].setdefault("resources", {})["cpu"] = {"shares": 512, "quota": 50000, "period": 100000}'
	mgr_bg --name mgr-cpu "$BUNDLE" sleep 100
	start_metrics
	scrape
	pycheck '
assert one("container_spec_cpu_shares", name="mgr-cpu") == 512
assert one("container_spec_cpu_quota", name="mgr-cpu") == 50000
assert one("container_spec_cpu_period", name="mgr-cpu") == 100000
assert j["types"]["container_cpu_cfs_periods_total"] == "counter"
assert len(vals("container_cpu_cfs_throttled_seconds_total", name="mgr-cpu")) == 1
'
	stop_metrics
}

@test "metrics: HTTP: 404 elsewhere, 405, HEAD, keep-alive, 400 and 431, many scrapes, a silent client times out" {
	mgr_bg --name mgr-h "$ROOTFS" sleep 100
	start_metrics --timeout 1
	local u=http://127.0.0.1:$PORT
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$u/")" 404 "GET /"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$u/metricsx")" 404 "GET /metricsx"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$u/metrics?x=1")" 200 "GET /metrics?x=1"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$u/metrics")" 405 "POST"
	run curl -sI "$u/metrics"
	assert_contains "$output" "HTTP/1.1 200 OK"
	assert_contains "$output" "Content-Type: text/plain; version=0.0.4; charset=utf-8"
	# raw requests: keep-alive (two answers on one connection), a bad one, an oversized one,
	# and a client that sends nothing is closed after --timeout while others are served
	"$PYTHON" - "$PORT" <<-'EOF' || fail "raw HTTP checks failed"
	import socket, sys, time, urllib.request
	port = int(sys.argv[1])
	def conn():
	    return socket.create_connection(("127.0.0.1", port), timeout=5)
	def read_all(s):
	    out = b""
	    while True:
	        b = s.recv(65536)
	        if not b:
	            return out
	        out += b
	s = conn()
	s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	out = read_all(s)
	assert out.startswith(b"HTTP/1.1 200 OK\r\n"), out[:100]
	assert b"HTTP/1.1 404 Not Found\r\n" in out, out[-200:]
	for req, want in ((b"HELLO\r\n\r\n", b"400"), (b"GET /metrics HTTP/1.1\r\n\r\n", b"400"),
	                  (b"GET /metrics HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20000 + b"\r\n\r\n", b"431"),
	                  (b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", b"400")):
	    s = conn()
	    s.sendall(req)
	    out = read_all(s)
	    assert out.startswith(b"HTTP/1.1 " + want), (req[:40], out[:80])
	silent = [conn() for _ in range(5)]
	partial = conn()
	partial.sendall(b"GET /metrics HTTP/1.1\r\n")
	t0 = time.time()
	for _ in range(30):
	    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
	        assert r.status == 200 and b"container_memory_usage_bytes" in r.read()
	for s in silent:
	    s.settimeout(5)
	    assert s.recv(100) == b"", "a silent client got data"
	partial.settimeout(5)
	assert partial.recv(100).startswith(b"HTTP/1.1 408"), "no 408 for a request that did not arrive in time"
	assert time.time() - t0 < 5, "silent clients were not closed after --timeout 1"
	EOF
	# still serving after all that
	scrape
	pycheck 'assert names() == {"mgr-h"}'
	stop_metrics
}

@test "metrics: --listen [::1]:PORT and :PORT (every address)" {
	[[ -f /proc/net/if_inet6 ]] && "$PYTHON" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback here"
	start_metrics --at "[::1]"
	curl -s -o /dev/null --connect-timeout 1 "http://127.0.0.1:$PORT/metrics" && fail "[::1] also answers on 127.0.0.1"
	stop_metrics
	start_metrics --at ""
	assert_eq "$(curl -sg -o /dev/null -w '%{http_code}' "http://[::1]:$PORT/metrics")" 200 ":PORT on ::1"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")" 200 ":PORT on 127.0.0.1"
	stop_metrics
}

@test "metrics: a bad --listen or argument exits 125 with a clear message and leaves nothing" {
	local bad
	for bad in "" 9100 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 127.0.0.1:-5 127.0.0.1:http localhost:9100 \
		999.1.1.1:80 ::1:9100 "[::1:9100" "[zz]:80"; do
		run mgr metrics --listen "$bad"
		assert_status 125
		assert_contains "$output" "invalid --listen address \"$bad\""
	done
	run mgr metrics --listen 127.0.0.1:9100 extra
	assert_status 125
	assert_contains "$output" "takes no arguments"
	run mgr metrics --timeout 0 --listen 127.0.0.1:9100
	assert_status 125
	assert_contains "$output" "invalid --timeout"
	# a port in use
	local port
	port=$(free_port)
	"$PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("ok", flush=True); time.sleep(30)' "$port" >"$TESTDIR/holder" &
	local holder=$!
	wait_for '[[ -s $TESTDIR/holder ]]'
	run mgr metrics --listen "127.0.0.1:$port"
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	assert_status 125
	assert_contains "$output" "listen tcp 127.0.0.1:$port"
	assert_contains "$output" "in use"
	run mgr metrics --help
	assert_status 0
	assert_contains "$output" "--listen"
}

# Besides the manager's teardown: a veth a test made must be gone with the container's
# namespace (it is deleted and reported otherwise).
teardown() {
	local veth rc=0
	veth=$(cat "${TESTDIR:-/nonexistent}/.veth" 2>/dev/null)
	teardown_manager || rc=1
	if [[ -n $veth ]]; then
		wait_for '! ip link show "$veth" >/dev/null 2>&1' 30 || {
			ip link del "$veth"
			echo "teardown: veth $veth left" >&2
			rc=1
		}
	fi
	return $rc
}
