#!/usr/bin/env bash
# integration/sysguest/vm.sh - run one command inside a throw-away QEMU guest that looks like a
# modern container host: systemd as PID 1, a cgroup v2 only hierarchy, AppArmor active (or
# SELinux with --append "security=selinux selinux=1"), and exit with the command's status.
#
#   integration/sysguest/vm.sh [--timeout SECS] [--boot-timeout SECS] [--mem MB] [--cpus N]
#                              [--append "KARGS"] [--prepare] -- COMMAND [ARG...]
#
# The guest boots Debian's kernel (the one integration/v2/vm.sh unpacks, never installed) with
# the host's / exported read-only over virtio-9p and a tmpfs overlay on top, so binaries built
# on the host and the host's packages (systemd, docker.io, podman, ...) run inside at their
# host paths; writes vanish at power-off. The initramfs switches to /lib/systemd/systemd as
# PID 1; a unit ordered after multi-user.target runs COMMAND (bash, as root, from the current
# directory), and the guest powers off with its status. COMMAND's stdout and stderr are
# printed when the guest is done, then one line on stderr with the boot and run times.
#
# Inside the guest: the host's /tmp is read-only at /host-tmp (the guest's /tmp starts empty:
# systemd-tmpfiles would otherwise clean the host's /tmp over 9p), /sysguest-io is a
# writable share with the host (SYSGUEST_OUT=DIR on the host copies it there afterwards).
# RUNTIME, BATS, BUSYBOX and variables named SYSGUEST_* travel along.
#
# Two things the initramfs undoes because they break systemd on this kind of host: a
# /.dockerenv (or /run/.containerenv) makes systemd believe it runs in a container (it then
# ignores the kernel command line and skips securityfs, so AppArmor never starts), and units
# that only slow the boot or cannot work without hardware/network are masked.
#
# A boot that stalls (COMMAND not started --boot-timeout seconds after QEMU starts, default
# 240; a normal boot takes 10-15 s) is killed, its console tail printed, and the guest booted
# once more without "quiet" so that a second stall shows where it stops. --timeout (default
# 900) bounds each boot and its command.
#
# Exit status: COMMAND's; 124 on timeout; 125 when the guest could not be started, stalled
# twice or did not report a status (the console tail is printed then).
#
# Environment: RCPP_SYSGUEST_CACHE (default /var/cache/runc-cpp-sysguest) holds the modules
# with their depmod index and the initramfs; RCPP_SYSGUEST_VERBOSE=1 copies the console to
# stderr at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${RCPP_SYSGUEST_CACHE:-/var/cache/runc-cpp-sysguest}
V2CACHE=${RCPP_VM_CACHE:-/var/cache/runc-cpp-vm}
TIMEOUT=900 BOOT_TIMEOUT=${RCPP_SYSGUEST_BOOT_TIMEOUT:-240} MEM=3072 CPUS=2 APPEND= PREPARE=0
MODULES="virtio_mmio 9pnet_virtio 9p overlay"

die() { echo "sysguest: $*" >&2; exit 125; }

while (($#)); do
	case $1 in
	--timeout) TIMEOUT=$2; shift 2 ;;
	--boot-timeout) BOOT_TIMEOUT=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--cpus) CPUS=$2; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--prepare) PREPARE=1; shift ;;
	--) shift; break ;;
	-h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
((PREPARE || $#)) || die "no command given (see --help)"
[[ $(id -u) == 0 ]] || die "needs root"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (scripts/deps.sh installs qemu-system-x86)"
[[ -x /lib/systemd/systemd ]] || die "/lib/systemd/systemd not found (scripts/deps.sh installs systemd)"
for t in cpio busybox depmod kmod; do command -v $t >/dev/null || die "$t not found (scripts/deps.sh installs it)"; done

# --- kernel, modules, initramfs -------------------------------------------------------------
# The kernel comes from the v2 runner's cache (it downloads and unpacks Debian's package).
prepare() {
	bash "$here/../v2/vm.sh" --prepare >/dev/null 2>&1 || die "cannot prepare the kernel (integration/v2/vm.sh --prepare)"
	KDIR=$V2CACHE/kernel
	KVER=$(cat "$KDIR/kver")
	[[ -s $KDIR/vmlinux && -d $KDIR/pkg/lib/modules/$KVER ]] || die "no kernel in $KDIR"
	local sum
	sum=$({ cat "$0" "$(command -v busybox)"; echo "$KVER"; } | sha256sum | cut -c1-12)
	INITRD=$CACHE/initramfs-$sum.cpio.gz
	MODROOT=$CACHE/modules-$KVER
	if [[ ! -s $MODROOT/lib/modules/$KVER/modules.dep ]]; then
		rm -rf "$MODROOT.tmp"
		mkdir -p "$MODROOT.tmp/lib/modules"
		cp -a "$KDIR/pkg/lib/modules/$KVER" "$MODROOT.tmp/lib/modules/"
		depmod -b "$MODROOT.tmp" "$KVER" || die "depmod failed"
		rm -rf "$MODROOT"
		mv "$MODROOT.tmp" "$MODROOT"
	fi
	[[ -s $INITRD ]] && return 0
	local st f n
	st=$(mktemp -d)
	mkdir -p "$st"/{bin,proc,sys,dev,mods,lower,rw,newroot}
	cp "$(command -v busybox)" "$st/bin/busybox"
	ln -s busybox "$st/bin/sh"
	write_init "$st/init"
	: >"$st/modules.list"
	for f in $(module_files); do
		n=$(basename "$f")
		case $n in
		*.ko.xz) xz -dc "$f" >"$st/mods/${n%.xz}"; n=${n%.xz} ;;
		*.ko.zst) zstd -dcq "$f" >"$st/mods/${n%.zst}"; n=${n%.zst} ;;
		*) cp "$f" "$st/mods/$n" ;;
		esac
		echo "/mods/$n" >>"$st/modules.list"
	done
	echo "$MODROOT/lib/modules/$KVER" >"$st/modroot"
	(cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
	rm -rf "$st"
	find "$CACHE" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -path "$INITRD" -delete
}

# The files of $MODULES and their dependencies (modules.dep), dependencies first.
module_files() {
	local dep=$MODROOT/lib/modules/$KVER/modules.dep
	awk -v want="$MODULES" -v base="$MODROOT/lib/modules/$KVER/" '
	function norm(p,   b) { b = p; sub(".*/", "", b); sub("\\.ko.*$", "", b); gsub("-", "_", b); return b }
	{ f = $1; sub(":$", "", f); m = norm(f); path[m] = f; nd[m] = NF - 1
	  for (i = 2; i <= NF; i++) d[m, i - 1] = norm($i) }
	function visit(m,   i) { if (m in done) return; done[m] = 1; if (!(m in path)) return
	  for (i = 1; i <= nd[m]; i++) visit(d[m, i]); print base path[m] }
	END { n = split(want, w, " "); for (i = 1; i <= n; i++) visit(w[i]) }' "$dep"
}

write_init() {
	cat >"$1" <<'EOF'
#!/bin/busybox sh
# sysguest init: host / (9p, read-only) + tmpfs overlay, guest-only fixes, systemd as PID 1.
B=/bin/busybox
die() { echo "sysguest-init: $*" >/dev/console; $B poweroff -f; }
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
for m in $($B cat /modules.list); do $B insmod "$m" || die "insmod $m"; done
$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /lower || die "9p host root"
$B mount -t tmpfs -o mode=0755 tmpfs /rw
$B mkdir -p /rw/up /rw/work
# /tmp: a whiteout hides the host's /tmp; the directory made over it below is opaque, empty,
# and on the overlay like the rest, so tests can hard-link host files into it (a separate
# tmpfs could not), and systemd-tmpfiles' "D /tmp" does not walk the host's /tmp over 9p.
$B mknod /rw/up/tmp c 0 0
$B mount -t overlay -o lowerdir=/lower,upperdir=/rw/up,workdir=/rw/work overlay /newroot || die "overlay"
N=/newroot
$B mkdir -p $N/sysguest-io
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none io $N/sysguest-io || die "io share"
# the guest kernel's modules (with their depmod index) for modprobe
KVER=$($B uname -r)
$B mkdir -p $N/lib/modules/$KVER
$B mount --bind "$N$($B cat /modroot)" $N/lib/modules/$KVER || die "modules"
echo sysguest >$N/etc/hostname
# Not a container: without this systemd ignores the kernel command line, skips securityfs,
# and AppArmor's unit never starts.
$B rm -f $N/.dockerenv $N/run/.containerenv
# The host's /tmp stays visible, read-only, at /host-tmp.
$B mkdir -p $N/host-tmp $N/tmp
$B chmod 1777 $N/tmp
$B mount --bind /lower/tmp $N/host-tmp
N=$N $B sh $N/sysguest-io/setup.sh || die "setup.sh"
$B umount /proc /sys /dev
exec $B switch_root $N /lib/systemd/systemd
EOF
	chmod 755 "$1"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
prepare
flock -u 9
((PREPARE)) && { echo "sysguest: ready ($KVER)" >&2; exit 0; }

# --- run ------------------------------------------------------------------------------------
RUN=$(mktemp -d /tmp/rcpp-sysguest.XXXXXX)
QPID=
cleanup() {
	[[ -n $QPID ]] && kill "$QPID" 2>/dev/null
	rm -rf "$RUN"
}
trap cleanup EXIT
mkdir "$RUN/io"
{
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$RUN/io/cmd"
: >"$RUN/io/env"
for v in RUNTIME BATS BUSYBOX $(compgen -v SYSGUEST_ || true); do
	[[ -n ${!v:-} ]] && printf 'export %s=%q\n' "$v" "${!v}" >>"$RUN/io/env"
done
echo "$PWD" >"$RUN/io/cwd"

# Guest-only setup, run by the initramfs on the new root ($N) before systemd starts.
cat >"$RUN/io/setup.sh" <<'EOF'
U=$N/etc/systemd/system
mkdir -p $U/multi-user.target.wants
# Units that only slow the boot, or need hardware, network or a terminal the guest lacks.
for u in e2scrub_reap.service e2scrub_all.timer systemd-pstore.service systemd-timesyncd.service \
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer man-db.timer fstrim.timer \
	logrotate.timer podman-auto-update.timer podman-auto-update.service podman-restart.service \
	getty@tty1.service serial-getty@ttyS0.service console-getty.service \
	proc-sys-fs-binfmt_misc.automount systemd-binfmt.service networking.service \
	ssh.service cron.service rsyslog.service postgresql.service; do
	ln -sf /dev/null $U/$u
done
# The test starts the container engines itself.
rm -f $U/multi-user.target.wants/docker.service $U/multi-user.target.wants/containerd.service \
	$U/sockets.target.wants/docker.socket $U/sockets.target.wants/podman.socket \
	$U/default.target.wants/podman.service
cat >$U/sysguest.service <<'UNIT'
[Unit]
Description=sysguest test command
After=multi-user.target
[Service]
Type=exec
ExecStart=/bin/bash /sysguest-io/inner.sh
StandardOutput=journal+console
StandardError=journal+console
UNIT
ln -sf ../sysguest.service $U/multi-user.target.wants/sysguest.service
EOF
cat >"$RUN/io/inner.sh" <<'EOF'
IO=/sysguest-io
echo "start $(cut -d' ' -f1 /proc/uptime)" >$IO/timing
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb
. $IO/env
cd "$(cat $IO/cwd)" 2>/dev/null || cd /
bash $IO/cmd </dev/null >$IO/stdout 2>$IO/stderr
echo $? >$IO/status.tmp
mv $IO/status.tmp $IO/status
echo "end $(cut -d' ' -f1 /proc/uptime)" >>$IO/timing
sync
systemctl poweroff -ff
EOF

accel=(-accel tcg,thread=multi -cpu max)
append="console=ttyS0 panic=-1 quiet systemd.unified_cgroup_hierarchy=1 systemd.unit=multi-user.target"
append+=" systemd.show_status=0 mitigations=off nokaslr tsc=reliable no_timer_check"
append+=" i8042.noaux i8042.nokbd i8042.nopnp"
if [[ -r /dev/kvm && -w /dev/kvm && ( -d /sys/module/kvm_intel || -d /sys/module/kvm_amd ) ]]; then
	accel=(-accel kvm -cpu host)
else
	# microvm has no timer to calibrate the TSC against under TCG: give the rate.
	mhz=$(awk -F: '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
	[[ -n $mhz ]] && append+=" tsc_early_khz=$(awk -v m="$mhz" 'BEGIN { printf "%d", m * 1000 }')"
fi
[[ -n $APPEND ]] && append+=" $APPEND"

console=$RUN/console.log
# One boot: QEMU in the background; returns its exit status, or 200 when the command had not
# started BOOT_TIMEOUT seconds in (QEMU is killed then).
boot() {
	local kargs=$1 waited=0
	rm -f "$RUN/io/timing" "$RUN/io/stdout" "$RUN/io/stderr" "$RUN/io/status" "$RUN/io/status.tmp"
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -machine microvm -no-reboot -nodefaults -no-user-config \
		-display none -nic none "${accel[@]}" -smp "$CPUS" -m "$MEM" \
		-kernel "$KDIR/vmlinux" -initrd "$INITRD" -append "$kargs" \
		-serial "file:$console" \
		-fsdev "local,id=host,path=/,security_model=none,readonly=on,multidevs=remap" \
		-device "virtio-9p-device,fsdev=host,mount_tag=host" \
		-fsdev "local,id=io,path=$RUN/io,security_model=none" \
		-device "virtio-9p-device,fsdev=io,mount_tag=io" </dev/null >"$RUN/qemu.out" 2>&1 &
	QPID=$!
	while [[ ! -e $RUN/io/timing ]] && kill -0 "$QPID" 2>/dev/null; do
		if ((waited >= BOOT_TIMEOUT)); then
			kill "$QPID" 2>/dev/null
			wait "$QPID" 2>/dev/null
			QPID=
			return 200
		fi
		sleep 1
		waited=$((waited + 1))
	done
	local rc=0
	wait "$QPID" || rc=$?
	QPID=
	return $rc
}
t0=$(date +%s.%N)
set +e
boot "$append"
qrc=$?
if [[ $qrc == 200 ]]; then
	echo "sysguest: the guest had not started the command ${BOOT_TIMEOUT}s after boot; console tail:" >&2
	tail -n 15 "$console" >&2 2>/dev/null || true
	echo "sysguest: booting once more (without quiet)" >&2
	boot "${append/ quiet / } loglevel=6"
	qrc=$?
fi
set -e
t1=$(date +%s.%N)
[[ -f $RUN/io/stdout ]] && cat "$RUN/io/stdout"
[[ -f $RUN/io/stderr ]] && cat "$RUN/io/stderr" >&2
[[ ${RCPP_SYSGUEST_VERBOSE:-0} == 1 ]] && cat "$console" >&2
if [[ -n ${SYSGUEST_OUT:-} ]]; then
	mkdir -p "$SYSGUEST_OUT"
	cp -a "$RUN/io/." "$SYSGUEST_OUT/"
fi
timing=; [[ -f $RUN/io/timing ]] && timing=$(tr "\n" " " <"$RUN/io/timing")
echo "sysguest: wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s; guest uptime at command ${timing:-?}" >&2
if [[ -s $RUN/io/status ]]; then
	exit "$(cat "$RUN/io/status")"
fi
if [[ $qrc == 200 ]]; then
	echo "sysguest: the guest stalled twice before the command started; console tail:" >&2
	tail -n 30 "$console" >&2 2>/dev/null || true
	exit 125
fi
if [[ $qrc == 124 ]]; then
	echo "sysguest: timed out after ${TIMEOUT}s; console tail:" >&2
	tail -n 30 "$console" >&2 2>/dev/null || true
	exit 124
fi
echo "sysguest: the guest reported no status (qemu exit $qrc); console and qemu output:" >&2
tail -n 40 "$console" "$RUN/qemu.out" >&2 2>/dev/null || true
exit 125
