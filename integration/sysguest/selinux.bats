#!/usr/bin/env bats
# SELinux on the sysguest booted with security=selinux (Debian's selinux-policy-default,
# permissive: the 9p root carries no labels, so enforcing cannot boot it): process.selinuxLabel
# is the init's and exec's label, linux.mountLabel goes on the container's tmpfs mounts.
# Also checked against runc 1.1.5.

load ../lib/helpers

LABEL=system_u:system_r:svirt_t:s0:c1,c2
MOUNT_LABEL=system_u:object_r:svirt_image_t:s0:c1,c2

setup() {
	setup_bundle
	[[ -d /sys/fs/selinux ]] && grep -q selinuxfs /proc/mounts || skip "SELinux is not enabled"
}

teardown() {
	teardown_bundle
}

@test "selinuxLabel is the init's label" {
	cfg_set 'c["process"]["selinuxLabel"] = "'$LABEL'"'
	cfg_sh 'cat /proc/self/attr/current'
	run rt run "$TEST_ID"
	assert_status 0
	assert_output "$LABEL"
}

@test "exec gets the container's label; exec --process-label sets another" {
	cfg_set 'c["process"]["selinuxLabel"] = "'$LABEL'"'
	cfg_sh 'sleep 100'
	run rt_bg run -d "$TEST_ID"
	assert_status 0
	run rt exec "$TEST_ID" cat /proc/self/attr/current
	assert_status 0
	assert_output "$LABEL"
	run rt exec --process-label system_u:system_r:svirt_t:s0:c3,c4 "$TEST_ID" cat /proc/self/attr/current
	assert_status 0
	assert_output "system_u:system_r:svirt_t:s0:c3,c4"
	rt delete -f "$TEST_ID"
}

@test "mountLabel: the container's tmpfs mounts carry context=" {
	cfg_set 'c["linux"]["mountLabel"] = "'$MOUNT_LABEL'"'
	cfg_sh 'grep -E " /dev (rw|ro)" /proc/self/mountinfo'
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "svirt_image_t:s0:c1,c2"
}
