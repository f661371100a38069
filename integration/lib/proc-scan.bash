# The /proc scanner of visibility.bats (lib/proc-scan.c), for the CLI and the manager tests.

# install_proc_scan ROOTFS: builds the scanner (cached, static) and copies it to ROOTFS/proc-scan;
# skips the test when no compiler or static libc is there. Sets MARKER to a fresh host file.
install_proc_scan() {
	command -v gcc >/dev/null || skip "gcc is needed to build the scanner (apt-get install gcc)"
	local src=$INTEGRATION_DIR/lib/proc-scan.c bin=$CACHE_DIR/proc-scan stamp
	stamp=$(cksum <"$src")
	(
		flock 9
		if [[ ! -x $bin || $(cat "$bin.stamp" 2>/dev/null) != "$stamp" ]]; then
			gcc -static -O2 -Wall -o "$bin.tmp" "$src" >&2 && mv "$bin.tmp" "$bin" && echo "$stamp" >"$bin.stamp"
		fi
	) 9>"$CACHE_DIR/.scan.lock"
	[[ -x $bin ]] || skip "could not build the scanner statically (a static libc: libc6-dev)"
	cp "$bin" "$1/proc-scan"
	MARKER=$TESTDIR/host-marker-$RANDOM$RANDOM
	echo host >"$MARKER"
}

# scanner_config CONFIG SECONDS: the init is the scanner, with CAP_SYS_PTRACE in every set.
scanner_config() {
	cfg_set 'c["process"]["args"] = ["/proc-scan", "'"$MARKER"'", "'"$2"'", "/scan-ready"]
caps = c["process"]["capabilities"]
for k in caps:
    if "CAP_SYS_PTRACE" not in caps[k]:
        caps[k].append("CAP_SYS_PTRACE")' "$1"
}

# wait_scan_ready ROOTFS: the scanner has taken its snapshot of /proc.
wait_scan_ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -e $1/scan-ready ]] && return 0
		sleep 0.05
	done
	fail "the scanner did not start"
}

# check_scan_output OUTPUT MIN: nothing of the host reached, at least MIN new processes seen.
check_scan_output() {
	local log=$1 min=$2 summary scanned
	echo "$log" | grep -v '^HIT ' | tail -5
	summary=$(grep '^scanned=' <<<"$log") || fail "no summary from the scanner"
	assert_not_contains "$log" "HIT "
	assert_contains "$summary" "host_hits=0"
	scanned=$(sed 's/^scanned=\([0-9]*\).*/\1/' <<<"$summary")
	((scanned >= min)) || fail "the scanner saw only $scanned new processes (want >= $min)"
	# runtime_privileged (a process of the runtime stopped by the container's ptrace before
	# it dropped the capabilities the container lacks) is reported, not asserted: runc 1.1.5
	# has the same window (docs/security.md).
}
