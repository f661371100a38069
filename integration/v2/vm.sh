#!/usr/bin/env bash
# integration/v2/vm.sh - run one command inside a throw-away QEMU guest whose kernel has
# cgroup v2 only, and exit with the command's status.
#
#   integration/v2/vm.sh [--timeout SECS] [--mem MB] [--cpus N] [--prepare] -- COMMAND [ARG...]
#
# The guest boots Debian's own kernel (the package linux-image-amd64 depends on; downloaded
# with `apt-get download` and unpacked with `dpkg -x`, never installed) with cgroup_no_v1=all,
# and mounts cgroup2 on /sys/fs/cgroup with every controller enabled for children. The host's
# / is exported read-only over virtio-9p with a tmpfs overlay on top, so binaries built on the
# host and the test tools run inside at their host paths; writes vanish at power-off.
# COMMAND runs as root in the guest's root cgroup, from the current directory. Its stdout and
# stderr are printed when the guest is done; the exit status comes back through a 9p share.
#
# Exit status: COMMAND's; 124 on timeout; 125 when the guest could not be started or did not
# report a status (the console log is printed then).
#
# Environment: RCPP_VM_CACHE (default /var/cache/runc-cpp-vm) holds the unpacked kernel and
# the initramfs; RCPP_VM_KERNEL_PKG names another kernel package; RCPP_VM_MODULES adds kernel
# modules (with their dependencies) that the guest loads at boot (CRIU's tests need some); RCPP_VM_VERBOSE=1 copies
# the guest console to stderr.
set -euo pipefail

CACHE=${RCPP_VM_CACHE:-/var/cache/runc-cpp-vm}
TIMEOUT=600 MEM=1024 CPUS=2 PREPARE=0
MODULES="virtio_mmio 9pnet_virtio 9p overlay ${RCPP_VM_MODULES:-}"

die() { echo "vm.sh: $*" >&2; exit 125; }

while (($#)); do
	case $1 in
	--timeout) TIMEOUT=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--cpus) CPUS=$2; shift 2 ;;
	--prepare) PREPARE=1; shift ;;
	--) shift; break ;;
	-h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
((PREPARE || $#)) || die "no command given (see --help)"
[[ $(id -u) == 0 ]] || die "needs root"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
for t in cpio xz busybox; do command -v $t >/dev/null || die "$t not found"; done

# --- kernel ---------------------------------------------------------------------------------
kernel_package() {
	if [[ -n ${RCPP_VM_KERNEL_PKG:-} ]]; then echo "$RCPP_VM_KERNEL_PKG"; return; fi
	apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1
}

# Sets KDIR (unpacked package, vmlinux, kver) for the kernel package, preparing it once.
prepare_kernel() {
	local pkg
	if [[ -z ${RCPP_VM_KERNEL_PKG:-} && -s $CACHE/kernel/vmlinux ]]; then
		KDIR=$CACHE/kernel
		return
	fi
	pkg=$(kernel_package)
	[[ -n $pkg ]] || { apt-get update -qq >&2; pkg=$(kernel_package); }
	[[ -n $pkg ]] || die "cannot tell which kernel package linux-image-amd64 depends on"
	KDIR=$CACHE/kernel
	echo "vm.sh: preparing $pkg in $KDIR" >&2
	rm -rf "$KDIR" "$CACHE/dl"
	mkdir -p "$CACHE/dl"
	(cd "$CACHE/dl" && apt-get download "$pkg" >/dev/null 2>&1) ||
		(apt-get update -qq && cd "$CACHE/dl" && apt-get download "$pkg" >/dev/null 2>&1) ||
		die "apt-get download $pkg failed"
	mkdir -p "$KDIR.tmp"
	dpkg -x "$CACHE"/dl/*.deb "$KDIR.tmp/pkg"
	local bz
	bz=$(ls "$KDIR.tmp"/pkg/boot/vmlinuz-* | head -1)
	[[ -f $bz ]] || die "no vmlinuz in $pkg"
	basename "$bz" | sed 's/^vmlinuz-//' >"$KDIR.tmp/kver"
	# QEMU's microvm starts an ELF vmlinux directly (PVH entry): find the compressed kernel
	# inside the bzImage and decompress it.
	local off
	off=$(grep -abo $'\xfd7zXZ\x00' "$bz" | head -1 | cut -d: -f1 || true)
	if [[ -n $off ]]; then
		tail -c +$((off + 1)) "$bz" | xz -dc >"$KDIR.tmp/vmlinux" 2>/dev/null || true
	else
		off=$(grep -abo $'\x28\xb5\x2f\xfd' "$bz" | head -1 | cut -d: -f1 || true)
		[[ -n $off ]] && { tail -c +$((off + 1)) "$bz" | zstd -dcq >"$KDIR.tmp/vmlinux" 2>/dev/null || true; }
	fi
	[[ $(head -c 4 "$KDIR.tmp/vmlinux" 2>/dev/null) == $'\x7fELF' ]] || die "cannot unpack an ELF kernel from $bz"
	rm -rf "$CACHE/dl"
	mv "$KDIR.tmp" "$KDIR"
}

# The module files for $MODULES with their dependencies, dependencies first.
module_files() {
	local kver moddir
	kver=$(cat "$KDIR/kver")
	moddir=$KDIR/pkg/lib/modules/$kver
	declare -A seen=()
	local order=()
	visit() {
		local name=$1 f deps d
		[[ -n ${seen[$name]:-} ]] && return 0
		seen[$name]=1
		f=$(find "$moddir" -name "$name.ko*" -o -name "${name//_/-}.ko*" | head -1)
		[[ -n $f ]] || return 0 # built in
		deps=$(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$f" | head -1 | cut -d= -f2)
		for d in ${deps//,/ }; do visit "$d"; done
		order+=("$f")
	}
	for m in $MODULES; do visit "$m"; done
	printf '%s\n' "${order[@]}"
}

# --- initramfs ----------------------------------------------------------------------------
write_init() {
	cat >"$1" <<'EOF'
#!/bin/busybox sh
# Guest init. Stage 1 (initramfs): modules, host root over 9p + tmpfs overlay, switch_root.
# Stage 2 (new root): the usual file systems, cgroup2 only, run the command, power off.
B=/bin/busybox
[ -x /.rcppvm/busybox ] && B=/.rcppvm/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "rcppvm-init: $*" >/dev/console; $B poweroff -f; }

if [ "$1" != stage2 ]; then
	$B mount -t proc proc /proc
	$B mount -t sysfs sysfs /sys
	$B mount -t devtmpfs devtmpfs /dev
	for m in $($B cat /modules.list); do $B insmod "$m" || die "insmod $m"; done
	$B mkdir -p /host /rw /newroot
	$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /host || die "mount host root"
	$B mount -t tmpfs -o mode=0755 tmpfs /rw
	$B mkdir -p /rw/up /rw/work
	$B mount -t overlay -o lowerdir=/host,upperdir=/rw/up,workdir=/rw/work overlay /newroot || die "overlay"
	$B mkdir -p /newroot/.rcppvm
	$B cp /bin/busybox /init /newroot/.rcppvm/
	$B umount /proc /sys
	$B umount /dev
	exec $B switch_root /newroot /.rcppvm/busybox sh /.rcppvm/init stage2
fi

$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
$B mkdir -p /dev/pts /dev/shm /run /tmp /.rcppvm/io
# /tmp stays on the overlay root: tests hard-link from the host tree into it.
$B chmod 1777 /tmp
$B mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
$B mount -t tmpfs -o mode=1777 tmpfs /dev/shm
$B mount -t tmpfs -o mode=0755 tmpfs /run
[ -e /dev/fd ] || $B ln -s /proc/self/fd /dev/fd
$B mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup || die "mount cgroup2"
for c in $($B cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || die "enable $c"
done
$B mount -t bpf bpf /sys/fs/bpf 2>/dev/null
$B hostname rcpp-v2
$B ip link set lo up 2>/dev/null
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none io /.rcppvm/io || die "mount io share"
IO=/.rcppvm/io
export HOME=/root TERM=dumb LANG=C.UTF-8
. $IO/env
cd "$($B cat $IO/cwd)" 2>/dev/null || cd /
$B sh $IO/cmd </dev/null >$IO/stdout 2>$IO/stderr
echo $? >$IO/status.tmp
$B mv $IO/status.tmp $IO/status
$B sync
$B poweroff -f
EOF
	chmod 755 "$1"
}

# Sets INITRD to the cached base initramfs (busybox, init, modules).
prepare_initramfs() {
	local mods sum st
	mods=$(module_files)
	sum=$({ cat "$0" "$(command -v busybox)"; echo "$mods"; } | sha256sum | cut -c1-12)
	INITRD=$CACHE/initramfs-$sum.cpio.gz
	[[ -s $INITRD ]] && return 0
	st=$(mktemp -d)
	mkdir -p "$st"/{bin,proc,sys,dev,mods}
	cp "$(command -v busybox)" "$st/bin/busybox"
	ln -s busybox "$st/bin/sh"
	write_init "$st/init"
	: >"$st/modules.list"
	local f n
	for f in $mods; do
		n=$(basename "$f")
		case $n in
		*.ko.xz) xz -dc "$f" >"$st/mods/${n%.xz}"; n=${n%.xz} ;;
		*.ko.zst) zstd -dcq "$f" >"$st/mods/${n%.zst}"; n=${n%.zst} ;;
		*) cp "$f" "$st/mods/$n" ;;
		esac
		echo "/mods/$n" >>"$st/modules.list"
	done
	(cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
	rm -rf "$st"
	find "$CACHE" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -path "$INITRD" -delete
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
prepare_kernel
prepare_initramfs
flock -u 9
((PREPARE)) && { echo "vm.sh: ready ($(cat "$KDIR/kver"))" >&2; exit 0; }

# --- run ----------------------------------------------------------------------------------
RUN=$(mktemp -d /tmp/rcpp-vm.XXXXXX)
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
# Variables the tests look at travel along.
: >"$RUN/io/env"
for v in RUNTIME BATS PYTHON BUSYBOX V2_REPORT; do
	[[ -n ${!v:-} ]] && printf 'export %s=%q\n' "$v" "${!v}" >>"$RUN/io/env"
done
echo "$PWD" >"$RUN/io/cwd"

accel=(-accel tcg,thread=multi -cpu max)
append="console=ttyS0 panic=-1 quiet cgroup_no_v1=all mitigations=off nokaslr tsc=reliable no_timer_check"
if [[ -r /dev/kvm && -w /dev/kvm && ( -d /sys/module/kvm_intel || -d /sys/module/kvm_amd ) ]]; then
	accel=(-accel kvm -cpu host)
else
	# microvm has no timer to calibrate the TSC against under TCG: give the rate.
	mhz=$(awk -F: '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
	[[ -n $mhz ]] && append+=" tsc_early_khz=$(awk -v m="$mhz" 'BEGIN { printf "%d", m * 1000 }')"
fi

console=$RUN/console.log
qemu=(qemu-system-x86_64 -machine microvm -no-reboot -nodefaults -no-user-config -display none
	-nic none "${accel[@]}" -smp "$CPUS" -m "$MEM"
	-kernel "$KDIR/vmlinux" -initrd "$INITRD" -append "$append"
	-serial "file:$console"
	-fsdev "local,id=host,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-device,fsdev=host,mount_tag=host"
	-fsdev "local,id=io,path=$RUN/io,security_model=none"
	-device "virtio-9p-device,fsdev=io,mount_tag=io")
if [[ ${RCPP_VM_VERBOSE:-0} == 1 ]]; then
	qemu=("${qemu[@]/file:$console/stdio}")
fi
timeout -k 5 "$TIMEOUT" "${qemu[@]}" </dev/null >"$RUN/qemu.out" 2>&1 &
QPID=$!
set +e
wait "$QPID"
qrc=$?
set -e
QPID=
[[ -f $RUN/io/stdout ]] && cat "$RUN/io/stdout"
[[ -f $RUN/io/stderr ]] && cat "$RUN/io/stderr" >&2
if [[ -s $RUN/io/status ]]; then
	exit "$(cat "$RUN/io/status")"
fi
if [[ $qrc == 124 ]]; then
	echo "vm.sh: timed out after ${TIMEOUT}s" >&2
	exit 124
fi
echo "vm.sh: the guest reported no status (qemu exit $qrc); console and qemu output:" >&2
tail -n 30 "$console" "$RUN/qemu.out" >&2 2>/dev/null || true
exit 125
