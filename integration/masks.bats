#!/usr/bin/env bats
# Files the runtime mounts by a path that the rootfs controls (CVE-2025-31133 class): the
# source of masked files is the container's /dev/null, which an image without a tmpfs on /dev
# (or a container sharing /dev) may make a symlink to anything. The runtime must refuse it,
# or mask with something empty; a masked path must never show another file's content.

load lib/helpers

setup() {
	setup_bundle
	# no tmpfs on /dev: /dev is the image's own directory
	cfg_set 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]'
	mkdir -p "$BUNDLE/rootfs/dev"
}

teardown() {
	teardown_bundle
}

# masked_probe FILE: prints what the container reads at FILE (masked), then MASKED-OK.
masked_probe() {
	cfg_set 'c["linux"]["maskedPaths"] = ["'"$1"'"]'
	# (no 2>/dev/null in the probes: /dev/null itself is the bait here)
	cfg_sh 'echo "SIZE=$(cat '"$1"' | wc -c)"; head -c 200 '"$1"'; echo MASKED-OK'
}

# no_leak: the run either refused (naming /dev/null) or masked with an empty file.
no_leak() {
	if [[ $status -eq 0 ]]; then
		assert_contains "$output" "SIZE=0"
		assert_contains "$output" "MASKED-OK"
	else
		assert_contains "$output" "/dev/null"
		assert_not_contains "$output" "MASKED-OK"
		assert_eq "$(status_of "$TEST_ID")" "absent" "container after the refused run"
	fi
}

runc_1_1_is_vulnerable() {
	is_go_runc_before_1_2 && skip "runc 1.1.5 bind-mounts the symlink's target (CVE-2025-31133, fixed in runc 1.2.8; docs/security.md)"
	return 0
}

@test "CVE-2025-31133: /dev/null -> /proc/keys symlink never shows through a masked path" {
	runc_1_1_is_vulnerable
	[[ -e /proc/timer_list ]] || skip "no /proc/timer_list on this host"
	rm -f "$BUNDLE/rootfs/dev/null"
	ln -s /proc/keys "$BUNDLE/rootfs/dev/null"
	masked_probe /proc/timer_list
	run rt run "$TEST_ID"
	no_leak
	# the probe ran without the mask never (timer_list's own text must not show either)
	assert_not_contains "$output" "Timer List"
}

@test "CVE-2025-31133: /dev/null as a regular file or a directory is not used as a mask" {
	runc_1_1_is_vulnerable
	[[ -e /proc/timer_list ]] || skip "no /proc/timer_list on this host"
	rm -f "$BUNDLE/rootfs/dev/null"
	echo LEAKED-CONTENT >"$BUNDLE/rootfs/dev/null"
	masked_probe /proc/timer_list
	run rt run "$TEST_ID"
	no_leak
	assert_not_contains "$output" "LEAKED-CONTENT"
}

@test "CVE-2025-31133: /dev/null -> a host-writable sysctl never becomes writable in the container" {
	runc_1_1_is_vulnerable
	local before
	before=$(cat /proc/sys/kernel/core_pattern)
	rm -f "$BUNDLE/rootfs/dev/null"
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
	cfg_set 'c["linux"]["maskedPaths"] = ["/proc/kcore"]'
	cfg_sh '(echo "|/bin/rcpp-pwned" > /proc/kcore) 2>&1 && echo WROTE; echo MASKED-OK'
	run rt run "$TEST_ID"
	assert_not_contains "$output" "WROTE"
	assert_eq "$(cat /proc/sys/kernel/core_pattern)" "$before" "host kernel.core_pattern"
}

@test "a genuine /dev/null in the image (no tmpfs on /dev) masks files as before" {
	[[ -e /proc/timer_list ]] || skip "no /proc/timer_list on this host"
	rm -f "$BUNDLE/rootfs/dev/null"
	mknod -m 666 "$BUNDLE/rootfs/dev/null" c 1 3
	masked_probe /proc/timer_list
	run rt run "$TEST_ID"
	assert_status 0
	assert_contains "$output" "SIZE=0"
	assert_contains "$output" "MASKED-OK"
}
