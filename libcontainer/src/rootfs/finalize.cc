// finalize(): after the switch, paths are the container's own.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libcontainer/unique_fd.h"
#include "rootfs/paths.h"

#include "rootfs/exec.h"
#include "rootfs/options.h"
#include "rootfs/plan.h"
#include "rootfs/rootfs.h"

namespace lc::rootfs {
namespace {

// Bind onto itself, then read-only (keeping nosuid/nodev/noexec it already has).
Result<void> readonlyPath(sys::Syscalls& sys, const std::string& path) {
    if (sys.mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
        if (errno == ENOENT) return {};
        return errnoError("make " + path + " read-only: bind");
    }
    struct statfs st {};
    if (sys.statfs(path.c_str(), &st) < 0) return errnoError("make " + path + " read-only: statfs");
    unsigned long keep = statfsMountFlags(st) & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
    auto r = remountBind(sys, path, keep | MS_RDONLY);
    if (!r) return std::unexpected(r.error().wrap("make " + path + " read-only: remount"));
    return {};
}

// The mask source for files: the container's /dev/null, which the rootfs controls (no tmpfs
// on /dev: the image's own file; a shared /dev: another container may swap it for a symlink
// at any time). It is opened without following anything and must be the null device itself
// (char 1:3); the mask is then mounted from that fd, never by the path again (CVE-2025-31133).
Result<UniqueFd> openDevNull(sys::Syscalls& sys) {
    UniqueFd fd(sys.openat(AT_FDCWD, "/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0));
    if (!fd) return errnoError("open /dev/null as the mask source");
    struct stat st {};
    if (sys.fstatat(fd.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return errnoError("stat /dev/null");
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return fail(EPERM, "/dev/null in the container is not the null device (char 1:3); refusing to use it "
                           "as the source of masked paths");
    return fd;
}

// A directory gets an empty read-only tmpfs, anything else the verified /dev/null (opened on
// first use); missing is fine.
Result<void> maskPath(sys::Syscalls& sys, const std::string& path, UniqueFd& devNull) {
    struct stat st {};
    if (sys.fstatat(AT_FDCWD, path.c_str(), &st, 0) < 0) {
        if (errno == ENOENT) return {};
        return errnoError("mask " + path + ": stat");
    }
    if (S_ISDIR(st.st_mode)) {
        if (sys.mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, nullptr) < 0 && errno != ENOENT)
            return errnoError("mask " + path);
        return {};
    }
    if (!devNull) {
        auto fd = openDevNull(sys);
        if (!fd) return std::unexpected(fd.error().wrap("mask " + path));
        devNull = std::move(*fd);
    }
    // A detached copy of the verified node, moved onto the target (no path lookup of the
    // source); /proc/self/fd/N where open_tree is missing.
    UniqueFd tree(sys.openTree(devNull.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
    int r = tree ? sys.moveMount(tree.get(), "", AT_FDCWD, path.c_str(), MOVE_MOUNT_F_EMPTY_PATH)
            : errno == ENOSYS ? sys.mount(procFdPath(devNull.get()).c_str(), path.c_str(), nullptr, MS_BIND, nullptr)
                              : -1;
    if (r < 0 && errno != ENOENT) return errnoError("mask " + path);
    return {};
}

}  // namespace

Result<void> finalize(const Config& cfg) {
    if (!cfg.sys) return fail(EINVAL, "rootfs: no syscall seam given (Config::sys)");
    sys::Syscalls& sys = *cfg.sys;
    auto plan = planFinal(cfg);
    if (!plan) return std::unexpected(plan.error());

    if (plan->rootPropagation &&
        sys.mount("", "/", nullptr, plan->rootPropagation, nullptr) < 0)
        return errnoError("set propagation of / to " + mountFlagsString(plan->rootPropagation));
    for (const auto& p : plan->readonlyPaths) LC_TRY(readonlyPath(sys, p));
    UniqueFd devNull;
    for (const auto& p : plan->maskedPaths) LC_TRY(maskPath(sys, p, devNull));
    if (plan->devReadonly) LC_TRY_CTX(remountBind(sys, "/dev", plan->devFlags | MS_RDONLY), "remount /dev read-only");
    if (plan->readonlyRoot) LC_TRY_CTX(remountBind(sys, "/", MS_RDONLY), "remount / read-only");
    return {};
}

}  // namespace lc::rootfs
