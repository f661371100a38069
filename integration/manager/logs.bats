#!/usr/bin/env bats
# logs: JSON-lines log files, streams, --tail, timestamps, -f, rotation.

load helpers

@test "logs: stdout and stderr go back to their streams; the file is JSON lines" {
	run mgr_run --name mgr-l "$ROOTFS" sh -c 'echo one; echo two >&2; printf "no newline"'
	assert_status 0
	run --separate-stderr mgr logs mgr-l
	assert_status 0
	assert_output "$(printf 'one\nno newline')"
	assert_eq "$stderr" "two" "stderr"
	local id
	id=$(mgr inspect --format '{{.Id}}' mgr-l)
	"$PYTHON" - "$MROOT/$id/container.log" <<'PY'
import json, re, sys
entries = [json.loads(l) for l in open(sys.argv[1])]
assert [(e["stream"], e["log"]) for e in entries] == [("stdout", "one\n"), ("stderr", "two\n"), ("stdout", "no newline")], entries
for e in entries:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", e["time"]), e
PY
}

@test "logs: NUL and bytes that are not UTF-8 become U+FFFD instead of losing the line" {
	run mgr_run --name mgr-bin "$ROOTFS" sh -c 'printf "\377 bin\nh\303\251llo\nnul\0here\n"'
	assert_status 0
	run mgr logs mgr-bin
	assert_output "$(printf '\357\277\275 bin\nh\303\251llo\nnul\357\277\275here')"
}

@test "logs --tail N and -t (timestamps)" {
	run mgr_run --name mgr-t "$ROOTFS" sh -c 'for i in 1 2 3 4 5; do echo line$i; done'
	assert_status 0
	run mgr logs --tail 2 mgr-t
	assert_output "$(printf 'line4\nline5')"
	run mgr logs --tail 0 mgr-t
	assert_output ""
	run mgr logs --tail all mgr-t
	assert_eq "$(wc -l <<<"$output")" 5 "lines"
	run mgr logs -t --tail 1 mgr-t
	assert_match "$output" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z line5$'
}

@test "logs --since/--until pick entries by time; -n is --tail" {
	run mgr_run --name mgr-when "$ROOTFS" sh -c 'echo early; sleep 1.2; echo late'
	assert_status 0
	local t_early t_late
	t_early=$(mgr logs -t mgr-when | awk '/early/ {print $1}')
	t_late=$(mgr logs -t mgr-when | awk '/late/ {print $1}')
	run mgr logs --since "$t_late" mgr-when
	assert_output late
	run mgr logs --until "$t_early" mgr-when
	assert_output early
	run mgr logs --since 1h mgr-when
	assert_output "$(printf 'early\nlate')"
	run mgr logs --since "$(($(date +%s) + 60))" mgr-when
	assert_output ""
	run mgr logs -n 1 mgr-when
	assert_output late
}

@test "logs -f: follows new output and returns when the container exits" {
	mgr_bg --name mgr-f "$ROOTFS" sh -c 'for i in 1 2 3 4 5 6; do echo tick$i; sleep 0.2; done; exit 0'
	SECONDS=0
	run timeout 20 "$MANAGER" --root "$MROOT" logs -f mgr-f
	assert_status 0
	assert_output "$(printf 'tick%s\n' 1 2 3 4 5 6 | head -c -1)"
	# it waited for the container (6 x 0.2s) and no longer
	[[ $SECONDS -lt 10 ]] || fail "logs -f took ${SECONDS}s"
	assert_eq "$(state_of mgr-f)" exited
}

@test "logs: rotated at --log-max-size, --log-max-files kept; logs reads across files" {
	run mgr_run --name mgr-rot --log-max-size 2k --log-max-files 3 "$ROOTFS" sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done'
	assert_status 0
	local id f
	id=$(mgr inspect --format '{{.Id}}' mgr-rot)
	[[ -f $MROOT/$id/container.log.1 && -f $MROOT/$id/container.log.2 ]] || fail "not rotated: $(ls "$MROOT/$id")"
	[[ ! -e $MROOT/$id/container.log.3 ]] || fail "more files kept than --log-max-files"
	for f in "$MROOT/$id"/container.log*; do
		(($(stat -c %s "$f") <= 2048)) || fail "$f is $(stat -c %s "$f") bytes"
	done
	run mgr logs mgr-rot
	# the newest lines, contiguous, up to the last one
	assert_eq "$(tail -1 <<<"$output")" "line 299"
	local n first
	n=$(wc -l <<<"$output")
	first=$(head -1 <<<"$output")
	assert_eq "$first" "line $((300 - n))" "first kept line"
	((n > 50 && n < 300)) || fail "$n lines kept"
	run mgr logs --tail 3 mgr-rot
	assert_output "$(printf 'line 297\nline 298\nline 299')"
}
