#!/bin/bash
# make-bundle.sh DIR
#
# Builds a minimal OCI bundle in DIR, entirely offline:
#   DIR/rootfs       busybox (static) plus one symlink per applet, a few
#                    /etc files and the usual empty mount points
#   DIR/config.json  an OCI runtime config written here (not by `<runtime> spec`,
#                    because the runtime's own `spec` command is under test)
#
# BUSYBOX may point to another static busybox binary (default /bin/busybox).
set -euo pipefail

dir=${1:?usage: make-bundle.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}

if [[ ! -x $busybox ]]; then
	echo "make-bundle.sh: $busybox not found (apt-get install busybox-static)" >&2
	exit 1
fi
banner=$(LC_ALL=C "$busybox" --help 2>&1 || true)
if [[ ${banner%%$'\n'*} != BusyBox* ]]; then
	echo "make-bundle.sh: $busybox does not look like busybox" >&2
	exit 1
fi

rootfs=$dir/rootfs
mkdir -p "$rootfs"
for d in bin sbin usr/bin usr/sbin etc tmp proc sys dev root home/test var/tmp; do
	mkdir -p "$rootfs/$d"
done
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
chown 1000:1000 "$rootfs/home/test"

cp "$busybox" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"
# `busybox --list-full` prints install paths (bin/sh, usr/bin/env, ...);
# fall back to putting everything in /bin when it is not supported.
if applets=$("$busybox" --list-full 2>/dev/null) && [[ -n $applets ]]; then
	while read -r path; do
		[[ $path == bin/busybox ]] && continue
		mkdir -p "$rootfs/$(dirname "$path")"
		ln -sf /bin/busybox "$rootfs/$path"
	done <<<"$applets"
else
	while read -r name; do
		[[ $name == busybox ]] && continue
		ln -sf busybox "$rootfs/bin/$name"
	done < <("$busybox" --list)
fi
# Make sure the basics are reachable from /bin whatever the layout.
for a in sh true false echo cat ls id; do
	[[ -e $rootfs/bin/$a ]] || ln -sf busybox "$rootfs/bin/$a"
done

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
test:x:1000:1000:test user:/home/test:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
test:x:1000:
extra:x:1001:test
nogroup:x:65534:
GROUP
: >"$rootfs/etc/hosts"
: >"$rootfs/etc/resolv.conf"
echo bundle >"$rootfs/etc/hostname"

cat >"$dir/config.json" <<'JSON'
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh",
			"-c",
			"echo hello"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_CHOWN",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE",
				"CAP_SETGID",
				"CAP_SETUID"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_CHOWN",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE",
				"CAP_SETGID",
				"CAP_SETUID"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_CHOWN",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE",
				"CAP_SETGID",
				"CAP_SETUID"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": false
	},
	"hostname": "rcpp-test",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": ["nosuid", "strictatime", "mode=755", "size=65536k"]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": ["nosuid", "noexec", "nodev"]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": ["nosuid", "noexec", "nodev", "ro"]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{ "type": "pid" },
			{ "type": "network" },
			{ "type": "ipc" },
			{ "type": "uts" },
			{ "type": "mount" }
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/proc/scsi",
			"/sys/firmware"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
JSON
