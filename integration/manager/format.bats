#!/usr/bin/env bats
# --format: Go templates for inspect and ps (manager/template.h), ps --filter, labels.

load helpers

@test "inspect --format: several actions, json, index, range, if; errors are docker's" {
	mgr_bg --name mgr-f1 --label tier=front --label 'note=a b' "$ROOTFS" sleep 100
	local pid
	pid=$(mgr inspect --format '{{.State.Pid}}' mgr-f1)
	run mgr inspect --format '{{.State.Pid}} {{.Name}}' mgr-f1
	assert_output "$pid mgr-f1"
	assert_eq "$(tr '\0' ' ' </proc/"$pid"/cmdline)" "sleep 100 " "the pid is the container's init"
	run mgr inspect --format '{{json .State}}' mgr-f1
	assert_status 0
	json_get '[j["Status"], j["Pid"], j["Running"]]' <<<"$output" >"$TESTDIR/j"
	assert_eq "$(cat "$TESTDIR/j")" "[\"running\", $pid, true]"
	run mgr inspect --format '{{json .}}' mgr-f1
	json_get '[j["Id"], j["Config"]["Labels"]]' <<<"$output" >"$TESTDIR/j"
	assert_eq "$(cat "$TESTDIR/j")" "[\"$CID\", {\"note\": \"a b\", \"tier\": \"front\"}]"
	run mgr inspect --format '{{index .Config.Labels "tier"}}|{{index .Config.Labels "none"}}|' mgr-f1
	assert_output "front||"
	run mgr inspect --format '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' mgr-f1
	assert_output "note=a b;tier=front;"
	run mgr inspect --format '{{range .Config.Cmd}}<{{.}}>{{end}} {{if .State.Running}}up{{else}}down{{end}} {{upper .State.Status}}' mgr-f1
	assert_output "<sleep><100> up RUNNING"
	run mgr inspect --format '{{println .Name}}' mgr-f1
	assert_output "mgr-f1"

	run mgr inspect --format '{{.Name' mgr-f1
	assert_status 125
	assert_output "Error: template parsing error: template: :1: unclosed action"
	run mgr inspect --format '{{nosuch .Name}}' mgr-f1
	assert_status 125
	assert_output 'Error: template parsing error: template: :1: function "nosuch" not defined'
	run mgr inspect --format '{{.State.Nope}}' mgr-f1
	assert_status 1
	assert_output 'Error: template: :1:2: executing "" at <.State.Nope>: map has no entry for key "Nope"'
}

@test "ps --format: fields, table with docker's headers, json" {
	mgr_bg --name mgr-f2 --label app=x "$ROOTFS" sleep 100
	local id2=$CID
	mgr_bg --name mgr-f3 "$ROOTFS" sleep 100
	run mgr ps --format '{{.ID}} {{.Names}} {{.State}} {{.Labels}}'
	assert_status 0
	assert_eq "${lines[0]}" "${CID:0:12} mgr-f3 running " "newest first"
	assert_eq "${lines[1]}" "${id2:0:12} mgr-f2 running app=x"
	run mgr ps --format 'table {{.ID}}\t{{.Names}}\t{{.Status}}'
	assert_status 0
	assert_eq "${#lines[@]}" 3 "header and two rows"
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ \ \ NAMES\ +STATUS$ ]] || fail "header: '${lines[0]}'"
	[[ ${lines[1]} =~ ^${CID:0:12}\ \ \ mgr-f3\ +Up\  ]] || fail "row: '${lines[1]}'"
	# columns line up: NAMES starts where the names do
	local h=${lines[0]%%NAMES*} r=${lines[1]%%mgr-f3*}
	assert_eq "${#h}" "${#r}" "column offset"
	run mgr ps --no-trunc --format '{{.ID}}|{{.Command}}|{{.Image}}' --filter name=mgr-f2
	assert_output "$id2|\"sleep 100\"|-"
	run mgr ps --format json --filter name=mgr-f3
	json_get '[j["ID"], j["Names"], j["State"], j["Image"]]' <<<"$output" >"$TESTDIR/j"
	assert_eq "$(cat "$TESTDIR/j")" "[\"${CID:0:12}\", \"mgr-f3\", \"running\", \"-\"]"
	run mgr ps --format '{{.Nope}}'
	assert_status 1
	assert_contains "$output" 'map has no entry for key "Nope"'
	run mgr ps --format '{{if}}'
	assert_status 125
	assert_contains "$output" "template parsing error: template: :1: missing value for if"
}

@test "ps --filter: label, name, status, id; ANDed across keys; bad filters are 125" {
	mgr_bg --name mgr-a1 --label tier=front --label env=prod "$ROOTFS" sleep 100
	local a1=$CID
	mgr_bg --name mgr-a2 --label tier=back "$ROOTFS" sleep 100
	local a2=$CID
	run mgr_run --name mgr-a3 --label tier=front "$ROOTFS" true
	assert_status 0
	local a3
	a3=$(mgr inspect --format '{{.Id}}' mgr-a3)
	names() { mgr ps "$@" --format '{{.Names}}' | sort | tr '\n' ' '; }
	assert_eq "$(names --filter label=tier)" "mgr-a1 mgr-a2 " "label=k (running only)"
	assert_eq "$(names -a --filter label=tier=front)" "mgr-a1 mgr-a3 " "label=k=v"
	assert_eq "$(names -a --filter label=tier=front --filter label=env)" "mgr-a1 " "labels ANDed"
	assert_eq "$(names --filter status=exited)" "mgr-a3 " "a status filter shows stopped ones"
	assert_eq "$(names --filter status=exited --filter status=running)" "mgr-a1 mgr-a2 mgr-a3 " "one key ORed"
	assert_eq "$(names --filter status=running --filter label=tier=front)" "mgr-a1 " "keys ANDed"
	assert_eq "$(names -a --filter name=a2)" "mgr-a2 " "name"
	assert_eq "$(names -a --filter name='^mgr-a[13]$')" "mgr-a1 mgr-a3 " "name regex"
	assert_eq "$(names -a --filter id="${a2:0:6}")" "mgr-a2 " "id prefix"
	run mgr ps -aq --no-trunc --filter label=env=prod
	assert_output "$a1"
	run mgr ps --filter bogus=1
	assert_status 125
	assert_output "Error: invalid filter 'bogus'"
	run mgr ps --filter status=sleeping
	assert_status 125
	assert_output "Error: invalid filter 'status=sleeping'"
	run mgr ps --filter label
	assert_status 125
	[[ -n $a3 ]] || fail "no id for mgr-a3"
}

@test "run --label-file, --env-file; exec --env-file and -u" {
	printf '# labels\nteam=core\n\nempty\n' >"$TESTDIR/labels"
	export MGR_PASSED=from-caller
	printf '# env\nA=1\n  B=two words\nMGR_PASSED\nMGR_UNSET_VAR\n\nC=x=y\n' >"$TESTDIR/env"
	mgr_bg --name mgr-e1 --label-file "$TESTDIR/labels" --label team=override --env-file "$TESTDIR/env" -e C=fromflag "$ROOTFS" sleep 100
	run mgr inspect --format '{{json .Config.Labels}}' mgr-e1
	assert_output '{"empty":"","team":"override"}'
	run mgr exec mgr-e1 sh -c 'echo "$A|$B|$MGR_PASSED|${MGR_UNSET_VAR-unset}|$C"'
	assert_output "1|two words|from-caller|unset|fromflag"
	printf 'D=4\n' >"$TESTDIR/env2"
	run mgr exec --env-file "$TESTDIR/env2" -e E=5 mgr-e1 sh -c 'echo $D$E'
	assert_output 45
	run mgr exec -u nobody mgr-e1 id -u
	assert_output "$(awk -F: '$1=="nobody"{print $3}' "$ROOTFS/etc/passwd")"
	run mgr exec -u 1234:5678 mgr-e1 sh -c 'echo $(id -u) $(id -g)'
	assert_output "1234 5678"
	run mgr exec -u nosuchuser mgr-e1 true
	assert_status 125
	assert_contains "$output" nosuchuser

	printf 'BAD NAME=1\n' >"$TESTDIR/bad"
	run mgr_run --name mgr-e2 --env-file "$TESTDIR/bad" "$ROOTFS" true
	assert_status 125
	assert_contains "$output" "variable 'BAD NAME' contains whitespaces"
	run mgr_run --name mgr-e2 --env-file "$TESTDIR/missing" "$ROOTFS" true
	assert_status 125
	assert_contains "$output" "$TESTDIR/missing"
	run mgr_run --name mgr-e2 --label =x "$ROOTFS" true
	assert_status 125
	run mgr ps -a --filter name=mgr-e2 -q
	assert_output ""
}

@test "every command's --help exits 0; --version" {
	local c
	for c in run ps logs stats top exec stop start restart attach kill rm inspect events wait pause unpause load images rmi volume; do
		run mgr "$c" --help
		assert_status 0
		[[ $output == *Usage* ]] || fail "$c --help: $output"
	done
	run mgr --version
	assert_status 0
	[[ $output =~ ^runccpp-manager\ version\ [0-9] ]] || fail "--version: $output"
}
