#!/usr/bin/env bats
# issue 12 item 4: the manager's root is 0700 and every file it writes is 0600 from its creation,
# so no other local user reads a container's environment, ids or logs.

load helpers

# as_nobody CMD...: runs CMD as the unprivileged user nobody, no supplementary groups.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

@test "perms: root 0700, files 0600, nothing readable by nobody" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	# the test dir itself must not be what protects the root
	chmod 0755 "$TESTDIR"
	umask 000   # the modes must come from the manager, not from our umask
	mgr_bg --name mgr-perm -e SECRET=hunter2 "$ROOTFS" sh -c 'echo out; echo err >&2; sleep 100'
	mgr_run --name mgr-perm2 -e SECRET=hunter2 "$ROOTFS" true
	wait_for "grep -qs out $MROOT/$CID/container.log"
	mgr exec mgr-perm true
	mgr kill -s USR1 mgr-perm
	umask 022

	assert_eq "$(stat -c %a "$MROOT")" 700 "root mode"
	local f n=0 bad=()
	while read -r f; do
		n=$((n + 1))
		if as_nobody cat "$f" >/dev/null 2>&1; then bad+=("nobody reads $f"); fi
	done < <(find "$MROOT" -type f)
	# and with the root opened up for traversal, the manager's own files still say no
	chmod 0711 "$MROOT"
	while read -r f; do
		case $(stat -c %a "$f") in 600) ;; *) bad+=("$f is $(stat -c %a "$f")") ;; esac
		if as_nobody cat "$f" >/dev/null 2>&1; then bad+=("nobody reads $f (root 0711)"); fi
	done < <(find "$MROOT" -maxdepth 2 -type f ! -path "$MROOT/runc/*" ! -path "$MROOT/netns/*")  # netns/: nsfs mounts, the kernel's mode
	while read -r f; do
		case $(stat -c %a "$f") in 700) ;; *) bad+=("dir $f is $(stat -c %a "$f")") ;; esac
	done < <(find "$MROOT" -mindepth 1 -maxdepth 1 -type d)
	chmod 0700 "$MROOT"
	((n >= 8)) || fail "only $n files found under the root"
	as_nobody ls "$MROOT" >/dev/null 2>&1 && bad+=("nobody lists the root")
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
	# the secret is there (the files checked are the right ones)
	grep -q hunter2 "$MROOT/$CID/config.json"
}

@test "perms: an existing root of an older manager is tightened" {
	mkdir -m 0755 "$MROOT"
	touch "$MROOT/.lock"
	mgr_run --rm "$ROOTFS" true
	assert_eq "$(stat -c %a "$MROOT")" 700
	# a directory that is not a manager root keeps its mode
	local other=$TESTDIR/other
	mkdir -m 0755 "$other"
	"$MANAGER" --root "$other" run --rm --cgroup-parent "$CGPARENT" "$ROOTFS" true
	assert_eq "$(stat -c %a "$other")" 755
	rm -rf "$other"
}

@test "a user who is not root keeps the manager's state under \$XDG_RUNTIME_DIR/runccpp-manager (0700), as runc does" {
	local d
	d=$(mktemp -d /tmp/mgr-xdg.XXXXXX)
	chown nobody "$d"
	run runuser -u nobody -- env -u RUNCCPP_MANAGER_ROOT XDG_RUNTIME_DIR="$d" "$MANAGER" volume create v1
	local made
	made=$(stat -c '%A %U' "$d/runccpp-manager" 2>&1)
	rm -rf "$d"
	assert_status 0
	assert_eq "$made" "drwx------ nobody" "the default root"
	# without $XDG_RUNTIME_DIR the root default is /run's, which the user cannot make
	run runuser -u nobody -- env -u RUNCCPP_MANAGER_ROOT -u XDG_RUNTIME_DIR "$MANAGER" volume create v1
	assert_status 125
	assert_contains "$output" "/run/runccpp-manager"
	assert_contains "$output" "permission denied"
}
