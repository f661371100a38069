// switchRoot(): pivot_root(".", ".") or, with --no-pivot, MS_MOVE + chroot.
#include <fcntl.h>
#include <sys/mount.h>

#include "libcontainer/unique_fd.h"
#include "rootfs/exec.h"

namespace lc::rootfs {
namespace {

Result<void> pivot(sys::Syscalls& sys, const std::string& rootfs) {
    UniqueFd oldRoot(sys.openat(AT_FDCWD, "/", O_DIRECTORY | O_RDONLY | O_CLOEXEC, 0));
    if (!oldRoot) return errnoError("open /");
    UniqueFd newRoot(sys.openat(AT_FDCWD, rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC, 0));
    if (!newRoot) return errnoError("open " + rootfs);
    if (sys.fchdir(newRoot.get()) < 0) return errnoError("chdir " + rootfs);
    // new_root == put_old: the old root ends up stacked under the new one, at ".".
    if (sys.pivotRoot(".", ".") < 0) return errnoError("pivot_root " + rootfs);
    if (sys.fchdir(oldRoot.get()) < 0) return errnoError("chdir to the old root");
    // Unmounting the old root must not propagate to the host.
    if (sys.mount("", ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0)
        return errnoError("make the old root rslave");
    if (sys.umount2(".", MNT_DETACH) < 0) return errnoError("detach the old root");
    if (sys.chdir("/") < 0) return errnoError("chdir /");
    return {};
}

// chroot leaves the host's mounts in the namespace; the kernel lets a new procfs or sysfs
// be mounted only where a full one is visible, so the host's are removed (or covered).
Result<void> moveRoot(sys::Syscalls& sys, const std::string& rootfs, const HostInfo& host) {
    for (const auto& p : host.pseudoMounts) {
        if (sys.mount("", p.c_str(), nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
            if (errno == ENOENT) continue;  // under something already detached
            return errnoError("make " + p + " rslave");
        }
        if (sys.umount2(p.c_str(), MNT_DETACH) < 0) {
            int err = errno;
            if (err != EINVAL && err != EPERM) return errnoError("unmount " + p, err);
            if (sys.mount("tmpfs", p.c_str(), "tmpfs", 0, nullptr) < 0)
                return errnoError("cover " + p + " with a tmpfs");
        }
    }
    if (sys.chdir(rootfs.c_str()) < 0) return errnoError("chdir " + rootfs);
    if (sys.mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) < 0)
        return errnoError("move " + rootfs + " to /");
    if (sys.chroot(".") < 0) return errnoError("chroot " + rootfs);
    if (sys.chdir("/") < 0) return errnoError("chdir /");
    return {};
}

}  // namespace

Result<void> switchRoot(const Config& cfg) {
    if (!cfg.sys) return fail(EINVAL, "rootfs: no syscall seam given (Config::sys)");
    sys::Syscalls& sys = *cfg.sys;
    if (!cfg.noPivot) return pivot(sys, cfg.rootfs);
    auto host = hostInfoOf(sys, cfg);
    if (!host) return std::unexpected(host.error());
    return moveRoot(sys, cfg.rootfs, *host);
}

}  // namespace lc::rootfs
