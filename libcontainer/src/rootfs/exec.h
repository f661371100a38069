// Carrying out a plan: internal interfaces shared by rootfs.cc, mount.cc, devices.cc,
// copyup.cc, pivot.cc and finalize.cc.
#pragma once

#include <sys/statfs.h>

#include <string>

#include "libcontainer/error.h"
#include "rootfs/plan.h"
#include "rootfs/rootfs.h"
#include "sys/syscalls.h"

namespace lc::rootfs {

struct Env {
    sys::Syscalls& sys;
    const Config& cfg;
    int rootFd = -1;       // O_PATH descriptor of the rootfs (after its bind mount)
    std::string rootReal;  // where rootFd points to on the host (for containment checks)
};

// cfg.host, or the host mount table read now when resolve() was not called in the parent.
Result<HostInfo> hostInfoOf(sys::Syscalls& sys, const Config& cfg);

// Performs one step; errors read "<step label> (rootfs <rootfs>): <what>".
Result<void> runStep(Env& env, const MountStep& step);

// Default and spec devices, /dev symlinks, /dev/ptmx.
Result<void> setupDev(Env& env, const MountPlan& plan);

// The MS_* flags a statfs result reports (ST_RDONLY -> MS_RDONLY, ...).
unsigned long statfsMountFlags(const struct statfs& st);

// Bind-remounts the mount at `target` with `flags` (MS_REMOUNT | MS_BIND added; MS_REC and
// propagation flags dropped). When the kernel refuses (EPERM: a flag locked by a more
// privileged mount namespace would be cleared), retries keeping the mount's current
// ro/nosuid/nodev/noexec flags, unless the caller explicitly asked to clear one of those.
Result<void> remountBind(sys::Syscalls& sys, const std::string& target, unsigned long flags,
                         unsigned long clearedFlags = 0);

// Copies the contents of directory `fromDir` into directory `toDir` (tmpcopyup): regular
// files, directories, symlinks and fifos, with owners, modes and times. Does nothing when
// both name the same directory.
Result<void> copyTree(sys::Syscalls& sys, int fromDir, int toDir);

}  // namespace lc::rootfs
