// finalize(): after the switch, paths are the container's own.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

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

// A directory gets an empty read-only tmpfs, anything else /dev/null; missing is fine.
Result<void> maskPath(sys::Syscalls& sys, const std::string& path) {
    struct stat st {};
    if (sys.fstatat(AT_FDCWD, path.c_str(), &st, 0) < 0) {
        if (errno == ENOENT) return {};
        return errnoError("mask " + path + ": stat");
    }
    int r = S_ISDIR(st.st_mode)
                ? sys.mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, nullptr)
                : sys.mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr);
    if (r < 0 && errno != ENOENT) return errnoError("mask " + path);
    return {};
}

}  // namespace

Result<void> finalize(const Config& cfg) {
    sys::Syscalls& sys = cfg.sys ? *cfg.sys : sys::real();
    auto plan = planFinal(cfg);
    if (!plan) return std::unexpected(plan.error());

    if (plan->rootPropagation &&
        sys.mount("", "/", nullptr, plan->rootPropagation, nullptr) < 0)
        return errnoError("set propagation of / to " + mountFlagsString(plan->rootPropagation));
    for (const auto& p : plan->readonlyPaths) LC_TRY(readonlyPath(sys, p));
    for (const auto& p : plan->maskedPaths) LC_TRY(maskPath(sys, p));
    if (plan->devReadonly) LC_TRY_CTX(remountBind(sys, "/dev", plan->devFlags | MS_RDONLY), "remount /dev read-only");
    if (plan->readonlyRoot) LC_TRY_CTX(remountBind(sys, "/", MS_RDONLY), "remount / read-only");
    return {};
}

}  // namespace lc::rootfs
