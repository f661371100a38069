#!/usr/bin/env bats
# The command line itself: --version, spec, usage errors and logging.

load lib/helpers

setup() {
	setup_plain
}

teardown() {
	teardown_bundle
}

@test "--version and -v: name, version and spec version" {
	run "$RUNTIME" --version
	assert_status 0
	local first
	first=$(head -n 1 <<<"$output")
	assert_match "$first" '^[A-Za-z0-9._-]+ version [0-9]+\.[0-9]+\.[0-9]+' "first line"
	grep -Eq '^spec: 1\.[0-9]+\.[0-9]+' <<<"$output" || fail "no 'spec: 1.x.y' line in: $output"
	local long=$output

	run "$RUNTIME" -v
	assert_status 0
	assert_output "$long"
}

@test "--help lists the lifecycle commands" {
	run "$RUNTIME" --help
	assert_status 0
	local c
	for c in create start run state kill delete list spec; do
		grep -Eq "^ +$c( |,)" <<<"$output" || fail "command $c not listed in --help"
	done
}

@test "spec: writes a default config.json in the current directory" {
	run "$RUNTIME" spec
	assert_status 0
	assert_output ""
	[[ -f $TESTDIR/config.json ]] || fail "no config.json written"
	local f=$TESTDIR/config.json
	assert_match "$(json_get 'j["ociVersion"]' "$f")" '^1\.[0-9]+\.[0-9]+' ociVersion
	assert_eq "$(json_get 'j["process"]["args"]' "$f")" '["sh"]' args
	assert_eq "$(json_get 'j["process"]["terminal"]' "$f")" true terminal
	assert_eq "$(json_get 'j["process"]["cwd"]' "$f")" / cwd
	assert_eq "$(json_get 'j["process"]["user"]' "$f")" '{"uid": 0, "gid": 0}' user
	assert_eq "$(json_get 'j["root"]' "$f")" '{"path": "rootfs", "readonly": true}' root
	assert_eq "$(json_get 'sorted(n["type"] for n in j["linux"]["namespaces"])' "$f")" '["ipc", "mount", "network", "pid", "uts"]' namespaces
	assert_eq "$(json_get 'sorted(j["process"]["capabilities"]["bounding"])' "$f")" '["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]' "bounding caps"
	assert_eq "$(json_get '[m["destination"] for m in j["mounts"]]' "$f")" '["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"]' mounts
	assert_eq "$(json_get '"/proc/kcore" in j["linux"]["maskedPaths"] and "/proc/sys" in j["linux"]["readonlyPaths"]' "$f")" true "masked and readonly paths"
	assert_eq "$(json_get 'j["linux"]["resources"]["devices"]' "$f")" '[{"allow": false, "access": "rwm"}]' "device rules"
}

@test "spec: refuses to overwrite an existing config.json" {
	echo '{"keep": "me"}' >"$TESTDIR/config.json"
	run "$RUNTIME" spec
	assert_status 1
	assert_contains "$output" "config.json"
	assert_contains "$output" "exists"
	assert_one_error_line
	assert_eq "$(cat "$TESTDIR/config.json")" '{"keep": "me"}' "config.json content"
}

@test "spec --bundle DIR and -b DIR write into DIR" {
	mkdir "$TESTDIR/b1" "$TESTDIR/b2"
	run "$RUNTIME" spec --bundle "$TESTDIR/b1"
	assert_status 0
	run "$RUNTIME" spec -b "$TESTDIR/b2"
	assert_status 0
	[[ -f $TESTDIR/b1/config.json && -f $TESTDIR/b2/config.json ]] || fail "config.json not written in the bundle dirs"
	[[ ! -e $TESTDIR/config.json ]] || fail "config.json written in the current directory"
	cmp -s "$TESTDIR/b1/config.json" "$TESTDIR/b2/config.json" || fail "--bundle and -b outputs differ"
}

@test "spec --rootless: a user namespace mapping the caller, no network namespace" {
	run "$RUNTIME" spec --rootless
	assert_status 0
	local f=$TESTDIR/config.json
	assert_eq "$(json_get 'sorted(n["type"] for n in j["linux"]["namespaces"])' "$f")" '["ipc", "mount", "pid", "user", "uts"]' namespaces
	assert_eq "$(json_get 'j["linux"]["uidMappings"]' "$f")" "[{\"containerID\": 0, \"hostID\": $(id -u), \"size\": 1}]" uidMappings
	assert_eq "$(json_get 'j["linux"]["gidMappings"]' "$f")" "[{\"containerID\": 0, \"hostID\": $(id -g), \"size\": 1}]" gidMappings
	assert_eq "$(json_get '[(m["type"], sorted(m["options"])) for m in j["mounts"] if m["destination"] == "/sys"]' "$f")" \
		'[["none", ["nodev", "noexec", "nosuid", "rbind", "ro"]]]' "/sys mount"
	assert_eq "$(json_get '"resources" in j["linux"]' "$f")" false "resources present"
}

@test "spec: the generated config runs a container" {
	run "$RUNTIME" spec
	assert_status 0
	cp -al "$PRISTINE_BUNDLE/rootfs" "$TESTDIR/rootfs"
	BUNDLE=$TESTDIR
	cfg_set 'c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c", "echo spec-ok; hostname"]
c["linux"]["cgroupsPath"] = "/'"$CGROUP_PARENT/$TEST_ID"'"'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "spec-ok
$(json_get 'j["hostname"]' "$TESTDIR/config.json")"
}

@test "an unknown command is an error" {
	run "$RUNTIME" frobnicate
	[[ $status -ne 0 ]] || fail "exit status 0 for an unknown command"
	assert_contains "$output" "frobnicate"
}

@test "an unknown global flag is an error" {
	run "$RUNTIME" --frobnicate list
	assert_status 1
	assert_contains "$output" "frobnicate"
}

@test "an unknown command flag is an error" {
	run "$RUNTIME" --root "$ROOT" list --frobnicate
	assert_status 1
	assert_contains "$output" "frobnicate"
}

@test "a missing container id is an error" {
	local c
	for c in start state kill delete create run; do
		run "$RUNTIME" --root "$ROOT" "$c"
		assert_status 1
		assert_contains "$output" "$c"
	done
}

@test "errors go to stderr as a logfmt-style line by default" {
	run --separate-stderr "$RUNTIME" --root "$ROOT" start nosuchcontainer
	assert_status 1
	assert_eq "$output" "" stdout
	assert_match "$stderr" '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+(\.[0-9]+)?(Z|[+-][0-9:]+)" level=error msg="container does not exist"$' stderr
}

@test "--log FILE --log-format json: one JSON object per line with level, msg and time" {
	local log=$TESTDIR/runtime-log.json
	run "$RUNTIME" --root "$ROOT" --log "$log" --log-format json start nosuchcontainer
	assert_status 1
	[[ -f $log ]] || fail "log file not written"
	assert_eq "$(wc -l <"$log")" 1 "log lines"
	assert_eq "$(json_get 'sorted(j)' "$log")" '["level", "msg", "time"]' keys
	assert_eq "$(json_get 'j["level"]' "$log")" error level
	assert_eq "$(json_get 'j["msg"]' "$log")" "container does not exist" msg
	assert_match "$(json_get 'j["time"]' "$log")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' time
	assert_match "$(head -c 9 "$log")" '^\{"level":' "key order (level, msg, time)"
	# the error is still reported on stderr, as a bare message
	assert_eq "$output" "container does not exist" stderr
}

@test "--log FILE (text format) writes the logfmt line to the file" {
	local log=$TESTDIR/runtime-log.txt
	run "$RUNTIME" --root "$ROOT" --log "$log" start nosuchcontainer
	assert_status 1
	assert_match "$(cat "$log")" '^time="[^"]+" level=error msg="container does not exist"$' "log file"
}

@test "--log-format json without --log: JSON on stderr" {
	run --separate-stderr "$RUNTIME" --root "$ROOT" --log-format json start nosuchcontainer
	assert_status 1
	assert_eq "$(json_get 'j["msg"]' <<<"$stderr")" "container does not exist" msg
	assert_eq "$(json_get 'j["level"]' <<<"$stderr")" error level
}

@test "--log-format with an unknown format is an error" {
	run "$RUNTIME" --root "$ROOT" --log-format xml list
	assert_status 1
	assert_contains "$output" "xml"
}

@test "--version: '<name> version X' and 'commit: Y' as Docker parses them; -h and --version use the invoked name" {
	run "$RUNTIME" --version
	assert_status 0
	local first name
	name=$(basename "$RUNTIME")
	first=$(head -n 1 <<<"$output")
	assert_match "$first" "^$name version [^ ]+$" "first line"
	grep -Eq '^commit: [^ ]+$' <<<"$output" || fail "no 'commit: Y' line in: $output"
	# installed as runc (the name Docker and containerd look for), it calls itself runc
	mkdir -p "$TESTDIR/bin"
	ln -s "$RUNTIME" "$TESTDIR/bin/runc"
	run "$TESTDIR/bin/runc" --version
	assert_status 0
	assert_match "$(head -n 1 <<<"$output")" '^runc version [^ ]+$' "first line as runc"
	run "$TESTDIR/bin/runc" -h
	assert_status 0
	assert_match "$(head -n 2 <<<"$output" | tail -n 1)" '^ +runc - ' "NAME line as runc"
	assert_not_contains "$output" "runc-cpp -"
}

@test "--log-format: an unknown format fails as runc does (error line on stderr, log file untouched); an empty one is text" {
	run --separate-stderr "$RUNTIME" --root "$ROOT" --log "$TESTDIR/log" --log-format xml list
	assert_status 1
	assert_eq "$output" "" stdout
	assert_match "$stderr" '^time="[^"]+" level=error msg="invalid log-format: xml"$' stderr
	[[ ! -s $TESTDIR/log ]] || fail "the log file got: $(cat "$TESTDIR/log")"
	# checked before the command: an unknown command or none says the same
	run "$RUNTIME" --log-format xml nosuchcommand
	assert_status 1
	assert_contains "$output" "invalid log-format: xml"
	run "$RUNTIME" --root "$ROOT" --log-format= list
	assert_status 0
}

@test "a spec with ambient capabilities and no inheritable ones (Debian's runc spec) runs with nothing on stderr" {
	ensure_pristine_bundle
	BUNDLE=$TESTDIR/b
	copy_bundle "$BUNDLE"
	cd "$BUNDLE"
	cfg_set 'c["process"]["capabilities"] = {k: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] for k in ("bounding", "effective", "permitted", "ambient")}
c["process"]["terminal"] = False
c["linux"]["cgroupsPath"] = "/'"$CGROUP_PARENT/$TEST_ID"'"' 
	cfg_args sh -c 'grep CapAmb /proc/self/status'
	run --separate-stderr "$RUNTIME" --root "$ROOT" run "$TEST_ID"
	assert_status 0
	assert_eq "$stderr" "" stderr
	# not raised: the kernel raises only what is also inheritable
	assert_eq "$output" $'CapAmb:\t0000000000000000' stdout
	if ! is_go_runc_before_1_2; then
		# the note is there at debug level
		run --separate-stderr "$RUNTIME" --root "$ROOT" --debug --log "$TESTDIR/debug.log" run "$TEST_ID"
		assert_status 0
		assert_contains "$(grep 'level=debug' "$TESTDIR/debug.log")" 'ambient capability \"CAP_KILL\"'
	fi
}

@test "no command: the usage, exit 0, as runc" {
	run "$RUNTIME"
	assert_status 0
	assert_contains "$output" "USAGE:"
}
