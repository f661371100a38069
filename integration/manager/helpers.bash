# Shared setup for the runccpp-manager end-to-end tests (integration/manager/*.bats).
#
# Every test gets:
#   TESTDIR  a fresh /tmp/mgr-it.XXXXXX
#   MROOT    $TESTDIR/r, the manager's --root
#   ROOTFS   $TESTDIR/rootfs, a busybox root filesystem (hard-linked copy of the cached bundle's)
#   BUNDLE   $TESTDIR/bundle, an OCI bundle (config.json + rootfs)
#   CGPARENT mgr-it/$TEST_ID: every container's cgroup is /$CGPARENT/<id>
# mgr ARGS... runs the manager with that root; mgr_run ARGS... is `mgr run` with the cgroup parent.
# teardown removes every container and fails the test if anything was left behind.

load ../lib/helpers

MANAGER=${MANAGER:-$PROJECT_DIR/build/manager/runccpp-manager}

mgr() {
	"$MANAGER" --root "$MROOT" "$@"
}

mgr_run() {
	"$MANAGER" --root "$MROOT" run --cgroup-parent "$CGPARENT" "$@"
}

# mgr_bg ARGS...: `mgr run -d ...` whose id lands in $CID (fails the test when run fails).
mgr_bg() {
	CID=$(mgr_run -d "$@" </dev/null) || fail "run -d $* failed"
	[[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "run -d printed '$CID', not an id"
}

# wait_for 'COMMAND' [TENTHS]: polls until COMMAND succeeds.
wait_for() {
	local tries=${2:-50}
	for ((i = 0; i < tries; i++)); do
		eval "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	return 1
}

# state_of REF: the container's State.Status (created, running, exited, ...).
state_of() {
	mgr inspect --format '{{.State.Status}}' "$1" 2>/dev/null || echo absent
}

# track_bg PID: a background process of the test; teardown kills it if it is still there.
track_bg() {
	echo "$1" >>"$TESTDIR/.bg"
}

supervisor_pids() {
	local f
	for f in "$MROOT"/*/supervisor.pid; do
		[[ -f $f ]] && cut -d' ' -f1 "$f"
	done
	return 0
}

setup_manager() {
	[[ -x $MANAGER ]] || fail "manager $MANAGER is not built"
	ensure_pristine_bundle
	TESTDIR=$(mktemp -d /tmp/mgr-it.XXXXXX)
	MROOT=$TESTDIR/r
	TEST_ID=t${BATS_TEST_NUMBER:-0}-${TESTDIR##*.}
	CGPARENT=mgr-it/$TEST_ID
	BUNDLE=$TESTDIR/bundle
	copy_bundle "$BUNDLE"
	ROOTFS=$TESTDIR/rootfs
	cp -al "$PRISTINE_BUNDLE/rootfs" "$ROOTFS"
	net_state >"$TESTDIR/.net-before"
	cd "$TESTDIR"
}

# net_state: what CNI makes per container on the host: veths on the manager's bridges
# (rccppN) and the per-container iptables chains (CNI-<hash>, CNI-DN-<hash>; the shared
# CNI-HOSTPORT-* chains stay, as docker's do). A test's teardown compares it with its start.
net_state() {
	ip -o link show type veth 2>/dev/null | awk '/ master rccpp[0-9]+ / { sub(/@.*/, "", $2); print "veth " $2 }'
	if command -v iptables >/dev/null; then
		iptables -w -t nat -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CNI-/ && $2 !~ /^CNI-HOSTPORT-/ { print "iptables chain " $2 }'
	fi
	return 0
}

teardown_manager() {
	cd /
	[[ -n ${TESTDIR:-} && -d $TESTDIR ]] || return 0
	local problems=() id d pid sups ids=

	if [[ -f $TESTDIR/.bg ]]; then
		while read -r pid; do
			# only if it is still the manager (the pid may have been reused)
			grep -qs runccpp-manager "/proc/$pid/cmdline" && kill -9 "$pid" 2>/dev/null
		done <"$TESTDIR/.bg"
	fi
	sups=$(supervisor_pids)
	if [[ -d $MROOT ]]; then
		ids=$("$MANAGER" --root "$MROOT" ps -aq --no-trunc 2>/dev/null)
		for id in $ids; do
			"$MANAGER" --root "$MROOT" rm -f "$id" >/dev/null 2>&1 || problems+=("rm -f $id failed")
		done
		# nothing but the runc root, the image store and the event log may stay
		while read -r d; do
			problems+=("left in root: $d")
		done < <(find "$MROOT" -mindepth 1 -maxdepth 1 ! -name runc ! -name images ! -name volumes ! -name networks ! -name netns ! -name events.log ! -name events.log.1 ! -name .lock)
		while read -r d; do
			problems+=("network namespace left: $d")
		done < <(find "$MROOT/netns" -mindepth 1 2>/dev/null)
		for id in $ids; do
			grep -rqs "$id" /var/lib/cni/networks/runccpp-*/ && problems+=("IP lease left for $id")
			iptables -w -t nat -S 2>/dev/null | grep -q "$id" && problems+=("iptables rules left for $id")
		done
		while read -r d; do
			problems+=("libcontainer state left: $d")
		done < <(find "$MROOT/runc" -mindepth 1 -maxdepth 1 2>/dev/null)
	fi
	for pid in $sups; do
		for _ in $(seq 30); do pid_alive "$pid" || break; sleep 0.1; done
		if pid_alive "$pid"; then
			problems+=("supervisor $pid still running")
			kill -9 "$pid" 2>/dev/null
		fi
	done

	# no manager process of this root may outlive the test (an events follower, a client)
	for pid in $(pgrep -f -- "--root $MROOT "); do
		[[ $pid == "$$" ]] && continue
		problems+=("manager process left: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)")
		kill -9 "$pid" 2>/dev/null
	done

	local left tries=0
	left_cgroups() {
		find "$CGROUP_ROOT"/*/mgr-it/"$TEST_ID" "$CGROUP_ROOT"/mgr-it/"$TEST_ID" -mindepth 1 -type d 2>/dev/null
	}
	while [[ -n $(left_cgroups) && $tries -lt 20 ]]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	left=$(left_cgroups)
	if [[ -n $left ]]; then
		while read -r d; do
			problems+=("cgroup left: $d")
			while read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$d/cgroup.procs"
		done <<<"$left"
		sleep 0.2
		sort -r <<<"$left" | while read -r d; do rmdir "$d" 2>/dev/null; done
	fi
	# the per-test parents are ours to remove (libcontainer leaves parents in place)
	for d in "$CGROUP_ROOT"/*/mgr-it/"$TEST_ID" "$CGROUP_ROOT"/mgr-it/"$TEST_ID"; do
		[[ -d $d ]] && rmdir "$d" 2>/dev/null
	done
	for d in "$CGROUP_ROOT"/*/mgr-it "$CGROUP_ROOT"/mgr-it; do
		[[ -d $d ]] && rmdir "$d" 2>/dev/null
	done

	if [[ -f $TESTDIR/.net-before ]]; then
		while read -r d; do
			[[ -n $d ]] && problems+=("left on the host: $d")
		done < <(comm -13 <(sort "$TESTDIR/.net-before") <(net_state | sort))
	fi

	finish_teardown
}

setup() {
	setup_manager
}

teardown() {
	teardown_manager
}
