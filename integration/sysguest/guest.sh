#!/usr/bin/env bash
# Runs inside the systemd guest (vm.sh): waits for the boot to settle, reports what the guest
# is, then runs the bats files through integration/run.sh.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=$(timeout 120 systemctl is-system-running --wait 2>&1)
echo "# guest: $state; uptime $(cut -d' ' -f1 /proc/uptime)s; lsm $(cat /sys/kernel/security/lsm 2>/dev/null);" \
	"cgroup $(stat -fc %T /sys/fs/cgroup); systemd $(systemctl --version | head -1 | cut -d' ' -f2)"
systemctl --failed --no-legend --no-pager | sed 's/^/# failed unit: /'
# python3 without site-packages starts much faster under TCG (the helpers only need json)
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >/run/python3-nosite
chmod 755 /run/python3-nosite
export PYTHON=/run/python3-nosite
# bounded, so that the guest always powers off and reports (a stray process holding bats'
# output would otherwise keep the suite waiting until vm.sh's timeout)
exec timeout -k 10 "${SYSGUEST_SUITE_TIMEOUT:-1200}" bash "$here/../run.sh" "$@"
