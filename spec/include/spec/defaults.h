// The config.json that `runc spec` writes, as a model value.
#pragma once

#include "spec/spec.h"

namespace spec {

// The OCI version this implementation writes (`runc spec`, state documents).
inline constexpr const char* kOciVersion = "1.2.0";

// A minimal, locked-down container running `sh` on a terminal from ./rootfs (read-only):
// capabilities AUDIT_WRITE, KILL and NET_BIND_SERVICE; new pid, network, ipc, uts, mount and
// cgroup namespaces; the usual /proc, /dev, /sys mounts; all devices denied in the cgroup;
// sensitive /proc and /sys paths masked or read-only. The hostname is "runc", as with runc.
//
// With `rootless`, the variant for an unprivileged user: a user namespace mapping root in the
// container to the calling user's effective uid and gid (size 1), no network namespace, /sys
// bind-mounted from the host (sysfs cannot be mounted without owning a network namespace), no
// uid=/gid= mount options, and no cgroup resources.
Spec defaultSpec(bool rootless = false);

}  // namespace spec
