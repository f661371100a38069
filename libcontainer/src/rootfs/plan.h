// Planning: the spec (plus host facts) -> the list of things prepare() and finalize() do.
// Pure, so that tests can inspect it without privileges.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "libcontainer/error.h"
#include "rootfs/rootfs.h"

namespace lc::rootfs {

enum class StepKind {
    Mount,    // mount a filesystem (proc, tmpfs, sysfs, devpts, mqueue, cgroup2, ...)
    Bind,     // bind-mount a host path, then remount with the flags, propagation, attributes
    Remount,  // bind-remount an existing mount point (MS_REMOUNT | MS_BIND | flags)
    Symlink,  // create a symlink (cgroup v1 co-mounted controllers)
};

struct MountStep {
    StepKind kind = StepKind::Mount;
    // Mount: the filesystem source ("proc"); Bind: absolute host path; Symlink: link text.
    std::string source;
    std::string destination;  // clean, absolute, inside the rootfs
    std::string fstype;       // Mount only
    // Mount: mount(2) flags. Bind: MS_BIND [| MS_REC] | flags for the remount.
    // Remount: the flags to remount with (MS_REMOUNT | MS_BIND are added).
    unsigned long flags = 0;
    unsigned long clearedFlags = 0;  // explicitly cleared by the options ("rw", "suid", ...)
    std::string data;                // Mount: filesystem data
    std::vector<unsigned long> propagation;  // applied in order after the mount
    uint64_t recAttrSet = 0;         // mount_setattr(AT_RECURSIVE) after the mount
    uint64_t recAttrClr = 0;
    bool tmpcopyup = false;          // tmpfs: copy the directory's old contents in
    // Mount: when mount(2) fails with EPERM or EBUSY, bind-mount this host path instead
    // (sysfs in a user namespace -> "/sys"; cgroup2 -> the cgroup directory).
    std::string fallbackBind;
    // Bind only: an idmapped mount (options "idmap"/"ridmap", or mount uidMappings and
    // gidMappings). The index of the mount in spec.mounts (its detached mount in
    // Config::idmapped), or -1.
    long idmapMount = -1;
    bool idmapRecursive = false;  // "ridmap": the mapping applies to every submount too
};

struct DeviceNode {
    std::string path;  // clean, under /dev
    mode_t type = 0;   // S_IFCHR, S_IFBLK or S_IFIFO
    mode_t mode = 0;   // permission bits
    unsigned major = 0;
    unsigned minor = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

struct MountPlan {
    unsigned long rootPropagation = 0;  // applied to "/" first (default MS_SLAVE | MS_REC)
    std::vector<MountStep> steps;
    bool setupDev = true;               // false when the spec bind-mounts /dev
    std::vector<DeviceNode> devices;    // default devices, then spec.linux.devices
    bool ptmx = false;                  // /dev/ptmx -> pts/ptmx
    std::vector<std::pair<std::string, std::string>> devSymlinks;  // {target, link}
};

struct FinalPlan {
    unsigned long rootPropagation = 0;  // re-applied to "/" after the switch (shared or
                                        // unbindable variants only; 0 = nothing)
    std::vector<std::string> readonlyPaths;
    std::vector<std::string> maskedPaths;
    bool devReadonly = false;           // the /dev mount asked for "ro" (deferred)
    unsigned long devFlags = 0;         // its other flags, kept in the remount
    bool readonlyRoot = false;
};

// What a mount step is called in messages: "mount proc to /proc".
std::string stepLabel(const MountStep& step);

Result<MountPlan> planMounts(const Config& cfg, const HostInfo& host);
Result<FinalPlan> planFinal(const Config& cfg);

}  // namespace lc::rootfs
