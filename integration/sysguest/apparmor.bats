#!/usr/bin/env bats
# process.apparmorProfile on a host that runs AppArmor (the sysguest): the profile confines the
# init and exec'd processes (attr/current names it, its deny rule holds), exec --apparmor
# overrides it, and an unknown profile is an error. Also checked against runc 1.1.5.

load ../lib/helpers

PROFILE=rcpp-test

setup_file() {
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] || return 0
	mkdir -p /etc/apparmor.d
	cat >/etc/apparmor.d/$PROFILE <<'P'
abi <abi/3.0>,
#include <tunables/global>
profile rcpp-test flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /etc/hostname r,
}
P
	apparmor_parser -r -W /etc/apparmor.d/$PROFILE
}

setup() {
	setup_bundle
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] || skip "AppArmor is not enabled"
	grep -q "^$PROFILE " /sys/kernel/security/apparmor/profiles || skip "profile $PROFILE did not load"
}

teardown() {
	teardown_bundle
}

@test "apparmorProfile confines the init: attr/current names it, the deny rule holds" {
	cfg_set 'c["process"]["apparmorProfile"] = "'$PROFILE'"'
	cfg_sh 'cat /proc/self/attr/current; cat /etc/hostname >/dev/null 2>&1 && echo READ-OK || echo READ-DENIED'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "$PROFILE (enforce)
READ-DENIED"
}

@test "exec gets the container's profile; exec --apparmor sets another" {
	cfg_set 'c["process"]["apparmorProfile"] = "'$PROFILE'"'
	cfg_sh 'sleep 100'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt exec "$TEST_ID" sh -c 'cat /proc/self/attr/current; cat /etc/hostname >/dev/null 2>&1 && echo READ-OK || echo READ-DENIED'
	assert_status 0
	assert_output "$PROFILE (enforce)
READ-DENIED"
	run rt exec --apparmor unconfined "$TEST_ID" sh -c 'cat /proc/self/attr/current; cat /etc/hostname >/dev/null 2>&1 && echo READ-OK'
	assert_status 0
	assert_output "unconfined
READ-OK"
	rt delete -f "$TEST_ID"
}

@test "without apparmorProfile the container runs unconfined" {
	cfg_sh 'cat /proc/self/attr/current'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output unconfined
}

@test "an unknown profile is an error naming AppArmor, nothing left" {
	cfg_set 'c["process"]["apparmorProfile"] = "rcpp-no-such-profile"'
	cfg_sh 'echo should-not-run'
	run rt run "$TEST_ID"
	[[ $status -ne 0 ]] || fail "ran with an unknown profile"
	assert_not_contains "$output" should-not-run
	assert_contains "$output" apparmor
	[[ -z $(ls "$ROOT" 2>/dev/null) ]] || fail "state left"
}
