// prepare(): / propagation, the rootfs bind mount, spec mounts, /dev.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>

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

Result<void> prepare(const Config& cfg) {
    sys::Syscalls& sys = cfg.sys ? *cfg.sys : sys::real();
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

    for (const auto& step : plan->steps) LC_TRY(runStep(env, step));
    if (plan->setupDev) LC_TRY(setupDev(env, *plan));
    return {};
}

}  // namespace lc::rootfs
