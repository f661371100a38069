// prepare(): / propagation, the rootfs bind mount, spec mounts, /dev.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include <string>
#include <vector>

#include "libcontainer/unique_fd.h"
#include "rootfs/exec.h"
#include "rootfs/host.h"
#include "rootfs/options.h"
#include "rootfs/paths.h"
#include "rootfs/rootfs.h"

namespace lc::rootfs {

Result<HostInfo> hostInfoOf(sys::Syscalls& sys, const Config& cfg) {
    if (cfg.host.resolved) return cfg.host;
    char real[PATH_MAX];
    if (!::realpath(cfg.rootfs.c_str(), real)) return errnoError("resolve rootfs " + cfg.rootfs);
    return readHostInfo(sys, real);
}

namespace {

bool under(const std::string& path, const std::string& dir) {
    return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                           (dir == "/" || path[dir.size()] == '/'));
}

// Which steps mountDeferred() makes: every proc mount, and every later step under one.
std::vector<bool> deferredSteps(const MountPlan& plan) {
    std::vector<bool> out(plan.steps.size(), false);
    std::vector<std::string> procs;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        const MountStep& s = plan.steps[i];
        bool isProc = s.kind == StepKind::Mount && s.fstype == "proc";
        for (const auto& d : procs)
            if (under(s.destination, d)) out[i] = true;
        if (isProc) {
            out[i] = true;
            procs.push_back(s.destination);
        }
    }
    return out;
}

// The first proc mount, at /proc after the root switch: nothing of /proc/self exists yet,
// so the new mount API (fsopen, fsmount, move_mount onto an fd) makes it.
Result<void> mountProc(const MountStep& s) {
    UniqueFd fs(static_cast<int>(::syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC)));
    if (!fs) return errnoError("fsopen proc");
    size_t at = 0;
    while (at <= s.data.size() && !s.data.empty()) {
        size_t comma = s.data.find(',', at);
        std::string opt = s.data.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (!opt.empty()) {
            size_t eq = opt.find('=');
            long r = eq == std::string::npos
                         ? ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0)
                         : ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, opt.substr(0, eq).c_str(),
                                     opt.substr(eq + 1).c_str(), 0);
            if (r < 0) return errnoError("proc option " + opt);
        }
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return errnoError("create procfs");
    unsigned attrs = 0;
    if (s.flags & MS_NOSUID) attrs |= MOUNT_ATTR_NOSUID;
    if (s.flags & MS_NODEV) attrs |= MOUNT_ATTR_NODEV;
    if (s.flags & MS_NOEXEC) attrs |= MOUNT_ATTR_NOEXEC;
    if (s.flags & MS_RDONLY) attrs |= MOUNT_ATTR_RDONLY;
    UniqueFd mnt(static_cast<int>(::syscall(SYS_fsmount, fs.get(), FSMOUNT_CLOEXEC, attrs)));
    if (!mnt) return errnoError("fsmount procfs");
    // Root is the container's now: nothing resolves out of it; no symlink is followed.
    struct open_how how {};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    UniqueFd target(static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, "/proc", &how, sizeof how)));
    if (!target) return errnoError("open /proc");
    if (::syscall(SYS_move_mount, mnt.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return errnoError("move_mount procfs");
    return {};
}

}  // namespace

Result<bool> procDeferrable(const Config& cfg) {
    if (!cfg.sys) return fail(EINVAL, "rootfs: no syscall seam given (Config::sys)");
    sys::Syscalls& sys = *cfg.sys;
    if (!cfg.spec) return fail(EINVAL, "rootfs: no spec");
    auto host = hostInfoOf(sys, cfg);
    if (!host) return std::unexpected(host.error());
    auto plan = planMounts(cfg, *host);
    if (!plan) return std::unexpected(plan.error());
    auto deferred = deferredSteps(*plan);
    bool first = true;
    for (size_t i = 0; i < plan->steps.size(); ++i) {
        if (!deferred[i]) continue;
        // The first is mounted without /proc (mountProc), the rest with it.
        if (first && plan->steps[i].destination != "/proc") return false;
        first = false;
        if (plan->steps[i].kind == StepKind::Bind) return false;
    }
    return true;
}

Result<void> mountDeferred(const Config& cfg) {
    if (!cfg.deferProc) return {};
    if (!cfg.sys) return fail(EINVAL, "rootfs: no syscall seam given (Config::sys)");
    sys::Syscalls& sys = *cfg.sys;
    auto host = hostInfoOf(sys, cfg);
    if (!host) return std::unexpected(host.error());
    auto plan = planMounts(cfg, *host);
    if (!plan) return std::unexpected(plan.error());
    UniqueFd root(sys.openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
    if (!root) return errnoError("open /");
    Env env{sys, cfg, root.get(), "/"};
    auto deferred = deferredSteps(*plan);
    bool first = true;
    for (size_t i = 0; i < plan->steps.size(); ++i) {
        if (!deferred[i]) continue;
        if (first) LC_TRY_CTX(mountProc(plan->steps[i]), "mount " + plan->steps[i].destination);
        else LC_TRY(runStep(env, plan->steps[i]));
        first = false;
    }
    return {};
}

Result<void> prepare(const Config& cfg) {
    if (!cfg.sys) return fail(EINVAL, "rootfs: no syscall seam given (Config::sys)");
    sys::Syscalls& sys = *cfg.sys;
    if (!cfg.spec) return fail(EINVAL, "rootfs: no spec");
    if (cfg.rootfs.empty() || cfg.rootfs.front() != '/')
        return fail(EINVAL, "rootfs path " + cfg.rootfs + " is not absolute");
    auto host = hostInfoOf(sys, cfg);
    if (!host) return std::unexpected(host.error());
    auto plan = planMounts(cfg, *host);
    if (!plan) return std::unexpected(plan.error());

    // Nothing done below may reach the host: / becomes rslave (or what the spec asks).
    if (sys.mount("", "/", nullptr, plan->rootPropagation, nullptr) < 0)
        return errnoError("set propagation of / to " + mountFlagsString(plan->rootPropagation));

    // pivot_root refuses a new root whose parent mount is shared; a shared parent would
    // also carry the bind below to its peers.
    bool parentShared = false;
    if (!host->rootfsParentMount.empty()) {
        if ((plan->rootPropagation & MS_REC) || host->rootfsParentMount == "/")
            parentShared = plan->rootPropagation & MS_SHARED;
        else
            parentShared = host->rootfsParentShared;
    }
    if (parentShared &&
        sys.mount("", host->rootfsParentMount.c_str(), nullptr, MS_PRIVATE, nullptr) < 0)
        return errnoError("make " + host->rootfsParentMount + " private");

    if (sys.mount(cfg.rootfs.c_str(), cfg.rootfs.c_str(), "bind", MS_BIND | MS_REC, nullptr) < 0)
        return errnoError("bind-mount rootfs " + cfg.rootfs + " onto itself");

    // Opened after the bind, so that everything below lands in the new mount.
    UniqueFd root(sys.openat(AT_FDCWD, cfg.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
    if (!root) return errnoError("open rootfs " + cfg.rootfs);
    auto rootReal = fdPath(sys, root.get());
    if (!rootReal) return std::unexpected(rootReal.error());
    Env env{sys, cfg, root.get(), *rootReal};

    std::vector<bool> deferred;
    if (cfg.deferProc) deferred = deferredSteps(*plan);
    for (size_t i = 0; i < plan->steps.size(); ++i)
        if (!cfg.deferProc || !deferred[i]) LC_TRY(runStep(env, plan->steps[i]));
    if (plan->setupDev) LC_TRY(setupDev(env, *plan));
    return {};
}

}  // namespace lc::rootfs
