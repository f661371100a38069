#!/usr/bin/env bats
# --log FILE, --log-format json|text and --debug. containerd's shim passes
# `--log $B/log.json --log-format json` on every call and shows its user the
# msg of the last "level":"error" line of that file.

load lib/helpers

setup() {
	setup_bundle
	LOG=$TESTDIR/log.json
}

teardown() {
	teardown_bundle
}

# check_json_lines FILE: every line is a JSON object whose keys are exactly
# level, msg, time in that order, level is one of logrus' names and time is
# RFC 3339 within a minute of now. Prints "level<TAB>msg" per line.
check_json_lines() {
	"$PYTHON" - "$1" <<'EOF'
import datetime, json, re, sys
now = datetime.datetime.now(datetime.timezone.utc)
rfc3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ok = True
for n, line in enumerate(open(sys.argv[1]), 1):
    try:
        obj = json.loads(line, object_pairs_hook=lambda kv: kv)
    except ValueError as e:
        print(f"line {n} is not JSON ({e}): {line!r}", file=sys.stderr); ok = False; continue
    keys = [k for k, _ in obj]
    d = dict(obj)
    if keys != ["level", "msg", "time"]:
        print(f"line {n}: keys {keys}, want ['level', 'msg', 'time']", file=sys.stderr); ok = False
    if d.get("level") not in ("debug", "info", "warning", "error", "fatal", "panic"):
        print(f"line {n}: level {d.get('level')!r}", file=sys.stderr); ok = False
    t = d.get("time", "")
    if not rfc3339.match(t):
        print(f"line {n}: time {t!r} is not RFC 3339", file=sys.stderr); ok = False
    else:
        ts = datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
        if abs((now - ts).total_seconds()) > 60:
            print(f"line {n}: time {t} is not now ({now})", file=sys.stderr); ok = False
    print(f"{d.get('level')}\t{d.get('msg')}")
sys.exit(0 if ok else 1)
EOF
}

@test "--log --log-format json: a failure writes one error line; stderr has the bare message" {
	run rt --log "$LOG" --log-format json state nosuch
	assert_status 1
	assert_output "container does not exist"
	run check_json_lines "$LOG"
	assert_status 0
	assert_output "error	container does not exist"
}

@test "--log-format json without --log: the JSON line goes to stderr" {
	run rt --log-format json state nosuch
	assert_status 1
	printf '%s\n' "$output" >"$TESTDIR/stderr"
	run check_json_lines "$TESTDIR/stderr"
	assert_status 0
	assert_output "error	container does not exist"
}

@test "--log FILE (text): time=\"...\" level=error msg=\"...\"" {
	run rt --log "$TESTDIR/log.txt" state nosuch
	assert_status 1
	assert_output "container does not exist"
	run cat "$TESTDIR/log.txt"
	assert_match "$output" '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})" level=error msg="container does not exist"$' "log line"
	# --log-format text is the same
	run rt --log "$TESTDIR/log2.txt" --log-format text state nosuch
	assert_status 1
	run cat "$TESTDIR/log2.txt"
	assert_match "$output" '^time="[^"]+" level=error msg="container does not exist"$' "log line"
}

@test "text format without --log: stderr is one logrus line" {
	run rt state nosuch
	assert_status 1
	assert_match "$output" '^time="[^"]+" level=error msg="container does not exist"$' stderr
}

@test "--log: lines are appended, the last error line is the latest failure" {
	rt --log "$LOG" --log-format json state nosuch 2>/dev/null && fail "state succeeded"
	rt --log "$LOG" --log-format json kill nosuch KILL 2>/dev/null && fail "kill succeeded"
	run rt --log "$LOG" --log-format json start nosuch
	assert_status 1
	run check_json_lines "$LOG"
	assert_status 0
	assert_output "error	container does not exist
error	container does not exist
error	container does not exist"
	[[ $(wc -l <"$LOG") -eq 3 ]] || fail "expected 3 lines"
}

@test "--log json: a failed create logs runc's 'no such file or directory' wording" {
	cfg_args /nonexistent
	run rt_bg --log "$LOG" --log-format json create "$TEST_ID"
	assert_status 1
	run check_json_lines "$LOG"
	assert_status 0
	local last
	last=$(grep -P '^error\t' <<<"$output" | tail -n 1)
	assert_contains "$last" "create failed"
	assert_contains "$last" '"/nonexistent"'
	assert_contains "$last" "no such file or directory"
	run rt state "$TEST_ID"
	assert_status 1
}

@test "--log json: a failed exec logs the error; a failed kill of a stopped container too" {
	cfg_args sleep 1000
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt --log "$LOG" --log-format json exec "$TEST_ID" /nonexistent
	assert_status 255
	run check_json_lines "$LOG"
	assert_status 0
	assert_match "$output" $'^error\t.*no such file or directory' "exec error line"
	[[ $(grep -c . "$LOG") -eq 1 ]] || fail "expected one line, got: $(cat "$LOG")"
}

@test "--log json: special characters in the message are escaped" {
	run rt --log "$LOG" --log-format json create --bundle $'/no/"such\tdir\\x' "$TEST_ID"
	assert_status 1
	run check_json_lines "$LOG"
	assert_status 0
	assert_contains "$output" $'/no/"such\tdir\\x'
	# text: the quote is escaped inside msg="..."
	run rt --log "$TESTDIR/log.txt" create --bundle '/no/"such' "$TEST_ID"
	assert_status 1
	assert_contains "$(cat "$TESTDIR/log.txt")" 'msg="'
	assert_contains "$(cat "$TESTDIR/log.txt")" '/no/\"such'
}

@test "successful commands leave the log empty" {
	cfg_args sleep 1000
	local a
	for a in "create $TEST_ID" "state $TEST_ID" "start $TEST_ID" "list" "ps $TEST_ID" \
		"exec $TEST_ID true" "pause $TEST_ID" "resume $TEST_ID" "kill $TEST_ID KILL"; do
		# shellcheck disable=SC2086
		"$RUNTIME" --root "$ROOT" --log "$LOG" --log-format json $a </dev/null >"$TESTDIR/out" 2>&1 3>&- ||
			fail "$a failed: $(cat "$TESTDIR/out")"
		[[ ! -s $LOG ]] || fail "log not empty after '$a': $(cat "$LOG")"
	done
	wait_status "$TEST_ID" stopped
	run rt --log "$LOG" --log-format json delete "$TEST_ID"
	assert_status 0
	cfg_sh 'echo hi; exit 0'
	run rt --log "$LOG" --log-format json run "$TEST_ID"
	assert_status 0
	assert_output "hi"
	[[ ! -s $LOG ]] || fail "log not empty: $(cat "$LOG")"
}

@test "--debug adds debug lines (json and text)" {
	cfg_sh 'echo hi'
	run rt --debug --log "$LOG" --log-format json run "$TEST_ID"
	assert_status 0
	assert_output hi
	run check_json_lines "$LOG"
	assert_status 0
	local n
	n=$(grep -cP '^debug\t' <<<"$output")
	[[ $n -ge 1 ]] || fail "no debug lines with --debug: $output"
	assert_not_contains "$output" "error	"

	run rt --debug --log "$TESTDIR/log.txt" state nosuch
	assert_status 1
	run cat "$TESTDIR/log.txt"
	assert_match "$output" 'level=debug msg="' "text debug line"
	assert_match "$output" 'level=error msg="container does not exist"' "text error line"
	# every line is logrus text
	local line
	while read -r line; do
		assert_match "$line" '^time="[^"]+" level=(debug|info|warning|error) msg=".*"$' "text line"
	done <<<"$output"
	# and without --debug none
	run rt --log "$TESTDIR/log3.txt" state nosuch
	assert_not_contains "$(cat "$TESTDIR/log3.txt")" "level=debug"
}

@test "an unknown --log-format is refused" {
	run rt --log-format bogus list
	[[ $status -ne 0 ]] || fail "--log-format bogus accepted"
	assert_contains "$output" "bogus"
}
