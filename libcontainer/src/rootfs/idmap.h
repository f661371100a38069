// Idmapped bind mounts (mount options "idmap" / "ridmap", mount uidMappings / gidMappings).
//
// The kernel wants privilege over the filesystem's user namespace (the initial one) to put an
// id mapping on a mount, and it takes the mapping from a user namespace. So the parent, before
// clone, for every idmapped bind mount of the plan:
//   1. gets a user namespace with the mapping: the mount's own uidMappings/gidMappings (a new
//      one, from a short-lived child), else the container's (linux.uidMappings/gidMappings
//      likewise, or the user namespace the container joins by path);
//   2. clones the source into a detached mount: open_tree(OPEN_TREE_CLONE [| AT_RECURSIVE when
//      the bind is recursive]);
//   3. sets MOUNT_ATTR_IDMAP on it with that user namespace (AT_RECURSIVE for "ridmap", so
//      that submounts are mapped too; "idmap" maps the top mount only).
// The init later moves each detached mount onto its target, resolved inside the rootfs
// (mount.cc), and then applies the mount's flags and propagation as for any bind.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "rootfs/plan.h"
#include "rootfs/rootfs.h"
#include "spec/spec.h"
#include "sys/syscalls.h"

namespace lc::rootfs {

class DetachedMounts {
public:
    // The detached mount made for spec.mounts[index], or -1.
    int fdFor(long index) const;
    void add(long index, UniqueFd fd) { fds_[index] = std::move(fd); }
    size_t size() const { return fds_.size(); }

private:
    std::map<long, UniqueFd> fds_;
};

// "0 100000 65536\n..." as uid_map and gid_map want it.
std::string idMapText(const std::vector<spec::IdMapping>& maps);

// A user namespace carrying these mappings, as an O_RDONLY descriptor of its ns file. Made by
// a child cloned into a new user namespace that only waits on a pipe: its maps are written,
// its ns/user opened, then the pipe is closed and the child reaped before this returns (on
// every path). The namespace lives on as long as the descriptor (and the mounts using it).
Result<UniqueFd> userNamespaceWith(const std::vector<spec::IdMapping>& uids,
                                   const std::vector<spec::IdMapping>& gids);

// Steps 1-3 above for every idmapped step of `plan`. Nothing when there is none.
Result<std::shared_ptr<const DetachedMounts>> makeIdmappedMounts(sys::Syscalls& sys, const Config& cfg,
                                                                 const MountPlan& plan);

// Whether the kernel has mount_setattr(2) (and so MOUNT_ATTR_IDMAP): for `features`.
bool kernelHasIdmappedMounts();

}  // namespace lc::rootfs
