// The container's filesystem: mounts, devices, pivot_root, masked and readonly paths.
//
// Sequence (the process engineer's side):
//   parent, before clone:  rootfs::resolve(cfg)            reads the host mount table
//   init child (new mount namespace, single-threaded):
//                          rootfs::prepare(cfg)
//                          ... prestart/createRuntime hooks (parent), createContainer hooks ...
//                          rootfs::switchRoot(cfg)
//                          rootfs::finalize(cfg)
//
// resolve() is optional: when it was not called, prepare() and switchRoot() read the host
// mount table themselves (in the child). Calling it in the parent keeps the child lean.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::sys {
class Syscalls;  // sys/syscalls.h
}

namespace lc::rootfs {

// A cgroup v1 hierarchy mounted on the host.
struct CgroupHierarchy {
    std::string mountpoint;               // "/sys/fs/cgroup/cpu,cpuacct"
    std::vector<std::string> subsystems;  // {"cpu", "cpuacct"} or {"name=systemd"}
};

// Facts about the host mount table that the child needs; filled by resolve().
struct HostInfo {
    bool resolved = false;
    std::vector<CgroupHierarchy> cgroupV1;  // v1 hierarchies, in mount table order
    std::string cgroupUnified;              // hybrid hosts: the cgroup2 mountpoint, else ""
    std::string rootfsParentMount;          // the mount the rootfs lives on (may be rootfs)
    bool rootfsParentShared = false;        // ... and whether it has shared propagation
    std::vector<std::string> pseudoMounts;  // full proc/sysfs mounts outside the rootfs
    bool hasKcore = false;                  // /proc/kcore exists (for the /dev/core link)
};

// Idmapped bind mounts, made ready by resolve() in the parent: setting MOUNT_ATTR_IDMAP needs
// privilege in the initial user namespace, which the init no longer has. Each is a detached
// mount (open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_IDMAP)) that prepare() moves
// onto its target inside the rootfs. Shared so that Config stays copyable; the descriptors
// are closed when the last copy goes (the init inherits them across clone, O_CLOEXEC).
class DetachedMounts;

struct Config {
    const spec::Spec* spec = nullptr;
    std::string rootfs;      // absolute host path of root.path (resolved against the bundle,
                             // symlinks resolved: resolve() canonicalises it)
    std::string bundle;      // bundle directory: relative bind sources are relative to it
                             // ("" = the current directory)
    bool noPivot = false;    // --no-pivot: MS_MOVE + chroot instead of pivot_root
    bool inUserNs = false;   // a new user namespace: bind-mount devices instead of mknod
    bool newCgroupNs = false;
    // The container's cgroup directories, as cgroups::Manager::paths() gives them
    // (controller name -> absolute host dir; "" = the cgroup2 hierarchy), and whether the
    // host is cgroup v2 only. Used for mounts of type "cgroup".
    std::map<std::string, std::string> cgroupPaths;
    bool cgroupV2Only = false;
    HostInfo host;           // filled by resolve()
    // Filled by resolve(): spec.mounts index -> detached idmapped mount (see above).
    std::shared_ptr<const DetachedMounts> idmapped;
    // The seam every privileged call goes through (sys::real() in the runtime, a recording
    // fake in tests). Required: nothing falls back to the real calls by itself.
    sys::Syscalls* sys = nullptr;
    // prepare() leaves out the proc mounts (and every later mount under them): a procfs
    // shows the pid namespace of the process that mounts it, and an init that joins a pid
    // namespace by path only enters it after the root switch (process/stage.h).
    // mountDeferred() makes them then.
    bool deferProc = false;
};

// In the parent, before clone: canonicalises cfg.rootfs and fills cfg.host from
// /proc/self/mountinfo (cgroup v1 hierarchies, the rootfs's parent mount, host proc/sysfs
// mounts for --no-pivot, /proc/kcore), and makes the idmapped mounts (cfg.idmapped).
Result<void> resolve(Config& cfg);

// Before hooks: makes / rslave (or linux.rootfsPropagation), makes the rootfs's parent mount
// private if it is shared, bind-mounts the rootfs onto itself, performs every entry of
// spec.mounts in order (targets resolved inside the rootfs, never through a symlink out of
// it), creates /dev (default devices, spec.linux.devices, /dev/fd etc. symlinks, /dev/ptmx)
// unless the spec bind-mounts /dev.
Result<void> prepare(const Config& cfg);
// Whether prepare() can leave the proc mounts for later: no bind mount from a host path
// lands under a proc mount (it could not be made after the root switch).
Result<bool> procDeferrable(const Config& cfg);
// With cfg.deferProc, after switchRoot() and before finalize(): the proc mounts left out.
Result<void> mountDeferred(const Config& cfg);
// pivot_root (or MS_MOVE + chroot), detach the old root, chdir("/").
Result<void> switchRoot(const Config& cfg);
// After the switch: rootfsPropagation (shared/unbindable) on /, readonlyPaths, maskedPaths,
// read-only /dev (when its mount asked for "ro"), root.readonly.
Result<void> finalize(const Config& cfg);

}  // namespace lc::rootfs
