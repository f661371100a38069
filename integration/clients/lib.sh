# integration/clients/lib.sh: shared by containerd.sh, docker.sh and podman.sh.
# Defines functions only. A client script sets CLIENT, sources this file and
# calls client_init, which makes the work dir and installs the EXIT handler:
# the handler runs the registered cleanups (last registered first), then
# checks that nothing of the run is left (processes, mounts, cgroups, the
# work dir) and prints the summary "N passed, N failed" as the last line.

NPASS=0
NFAIL=0
CLEANUPS=()
CGROUP_NAMES=()   # cgroup directory names (under every hierarchy) we own
WORK=             # /tmp/rcpp-cl-<client>.XXXXXX

note() { printf '# [%s] %s\n' "$CLIENT" "$*" >&2; }

passed() { NPASS=$((NPASS + 1)); echo "PASS: $1"; }
failed() { # failed NAME [DETAILS...]
	NFAIL=$((NFAIL + 1))
	echo "FAIL: $1"
	shift
	(($#)) && printf '%s\n' "$@" | tail -n 15 | sed 's/^/    | /'
	return 0
}

# want_eq NAME EXPECTED ACTUAL [EXTRA]
want_eq() {
	if [[ $2 == "$3" ]]; then passed "$1"; else failed "$1" "expected: $2" "got:      $3" "${@:4}"; fi
}

# want_re NAME ERE TEXT
want_re() {
	if grep -Eq -- "$2" <<<"$3"; then passed "$1"; else failed "$1" "no match for /$2/ in:" "$3"; fi
}

# poll SECONDS CMD...: true as soon as CMD succeeds (tries every 0.1 s)
poll() {
	local end=$((SECONDS + $1))
	shift
	while ((SECONDS <= end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# pty_text TEXT: TEXT read from a pty under script(1), without the \r of
# the tty's output processing and without the "^@" echo of the EOF character
# that script(1) types when its stdin (/dev/null) ends.
pty_text() { sed -e 's/\r//g' -e 's/\^@//g' <<<"$1" | tr -d '\0'; }

on_exit() { CLEANUPS+=("$1"); }

# install_if_missing CMD PACKAGE...: apt-get install, with a temporary
# policy-rc.d so that the packages do not start their own daemons.
install_if_missing() {
	local cmd=$1
	shift
	command -v "$cmd" >/dev/null 2>&1 && return 0
	note "apt-get install $*"
	local policy=/usr/sbin/policy-rc.d made=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq "$@" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null 2>&1; }
	[[ -n $made ]] && rm -f "$policy"
	command -v "$cmd" >/dev/null 2>&1
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS; only a
# process this script started.
stop_pid() {
	local pid=$1 secs=${2:-20}
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	poll "$secs" sh -c "! kill -0 $pid 2>/dev/null" && return 0
	note "pid $pid did not stop on SIGTERM, killing it"
	kill -KILL "$pid" 2>/dev/null
	poll 5 sh -c "! kill -0 $pid 2>/dev/null"
}

# pids_mentioning DIR: live (non-zombie) processes whose command line
# mentions DIR.
pids_mentioning() {
	local p st
	for p in /proc/[0-9]*; do
		[[ ${p#/proc/} == "$$" || ${p#/proc/} == "$BASHPID" ]] && continue
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$1" || continue
		st=$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1)
		[[ $st == Z || -z $st ]] && continue
		echo "${p#/proc/}"
	done
}

mounts_under() { awk -v d="$1" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo; }

# cgroup_dirs NAME: NAME's directories in every hierarchy (v1 and unified)
cgroup_dirs() {
	local d
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[[ -d $d ]] && echo "$d"
	done
	return 0
}

remove_cgroups() { # remove_cgroups NAME: kill what is in them, rmdir bottom-up
	local d f pid
	for d in $(cgroup_dirs "$1"); do
		while read -r f; do
			while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$f"
		done < <(find "$d" -name cgroup.procs 2>/dev/null)
	done
	sleep 0.2
	for d in $(cgroup_dirs "$1"); do
		if mountpoint -q "$(dirname "$d")"; then
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		else
			rm -rf "$d" # a plain directory on the cgroup tmpfs, not a cgroup
		fi
	done
}

client_init() { # client_init: needs root and RUNTIME; makes WORK
	[[ $(id -u) -eq 0 ]] || { echo "$CLIENT: needs root" >&2; exit 2; }
	[[ -x $RUNTIME_SRC ]] || { echo "$CLIENT: runtime $RUNTIME_SRC is not executable" >&2; exit 2; }
	WORK=$(mktemp -d "/tmp/rcpp-cl-$CLIENT.XXXXXX")
	chmod 755 "$WORK"
	# a private copy: a rebuild of the tree during the run cannot swap the
	# binary under the daemons
	mkdir -p "$WORK/bin"
	cp "$RUNTIME_SRC" "$WORK/bin/runc-cpp"
	RUNTIME=$WORK/bin/runc-cpp
	trap client_exit EXIT
	trap 'exit 130' INT TERM
}

client_exit() {
	local rc=$? i
	set +e
	trap - EXIT
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[i]}" >/dev/null 2>&1
	done
	# anything still running from the work dir (shims, conmon, container
	# processes started with paths under it)
	local left=() p m
	for p in $(pids_mentioning "$WORK"); do
		left+=("process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-150)")
		kill -KILL "$p" 2>/dev/null
	done
	while read -r m; do
		[[ -n $m ]] || continue
		left+=("mount $m")
	done < <(mounts_under "$WORK")
	mounts_under "$WORK" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	local name
	# The runtime removes each container's cgroup; the parent directories
	# (the namespace or --cgroup-parent) stay, as with runc: remove them, but
	# any container cgroup below them is a leftover.
	local name sub
	for name in "${CGROUP_NAMES[@]}"; do
		sub=$(for d in $(cgroup_dirs "$name"); do find "$d" -mindepth 1 -type d; done)
		[[ -n $sub ]] && left+=("cgroups: $(echo $sub)")
		remove_cgroups "$name"
		[[ -n $(cgroup_dirs "$name") ]] && left+=("cgroups not removable: $(cgroup_dirs "$name" | tr '\n' ' ')")
	done
	# client-specific leftovers: a script may define client_leftovers, which
	# prints one line per thing left (and may clean it up)
	if declare -F client_leftovers >/dev/null; then
		while read -r m; do
			[[ -n $m ]] && left+=("$m")
		done < <(client_leftovers)
	fi
	if [[ -n ${KEEP_WORK:-} ]]; then
		note "kept $WORK"
	else
		rm -rf "$WORK" 2>/dev/null || { sleep 1; rm -rf "$WORK"; }
		[[ -e $WORK ]] && left+=("work dir $WORK")
	fi
	if ((${#left[@]})); then
		failed "teardown: nothing left behind" "${left[@]}"
	else
		passed "teardown: nothing left behind"
	fi
	echo "$NPASS passed, $NFAIL failed"
	if ((NFAIL)); then exit 1; fi
	exit "$rc"
}
