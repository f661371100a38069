// The container's filesystem: mounts, devices, pivot_root, masked and readonly paths.
// Called in the container's init after clone, inside its new mount namespace.
#pragma once

#include <map>
#include <string>

#include "libcontainer/error.h"
#include "spec/spec.h"
#include "sys/syscalls.h"

namespace lc::rootfs {

struct Config {
    const spec::Spec* spec = nullptr;
    std::string rootfs;      // absolute host path of root.path (resolved against the bundle)
    bool noPivot = false;    // --no-pivot: MS_MOVE + chroot instead of pivot_root
    bool inUserNs = false;   // a new user namespace: bind-mount devices instead of mknod
    bool newCgroupNs = false;
    // The container's cgroup directories, as cgroups::Manager::paths() gives them
    // (controller name -> absolute host dir; "" = the cgroup2 hierarchy), and whether the
    // host is cgroup v2 only. Used for mounts of type "cgroup".
    std::map<std::string, std::string> cgroupPaths;
    bool cgroupV2Only = false;
    sys::Syscalls* sys = nullptr;  // nullptr = sys::real()
};

// Before hooks: makes / private (or rootfsPropagation), bind-mounts the rootfs onto itself,
// performs every entry of spec.mounts in order (targets resolved inside the rootfs, never
// through a symlink out of it), creates /dev (default devices, /dev/fd etc. symlinks,
// /dev/ptmx, spec.linux.devices).
Result<void> prepare(const Config& cfg);
// pivot_root (or MS_MOVE + chroot), detach the old root, chdir("/").
Result<void> switchRoot(const Config& cfg);
// After the switch: maskedPaths, readonlyPaths, root.readonly, final rootfsPropagation.
Result<void> finalize(const Config& cfg);

}  // namespace lc::rootfs
