// /dev: device nodes, the /dev/fd & co. symlinks, /dev/ptmx.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libcontainer/unique_fd.h"
#include "rootfs/exec.h"
#include "rootfs/paths.h"

namespace lc::rootfs {
namespace {

// umask(0) while nodes are made, restored on every path out.
class UmaskGuard {
public:
    explicit UmaskGuard(sys::Syscalls& sys) : sys_(sys), old_(sys.umask(0)) {}
    ~UmaskGuard() { sys_.umask(old_); }
    UmaskGuard(const UmaskGuard&) = delete;
    UmaskGuard& operator=(const UmaskGuard&) = delete;

private:
    sys::Syscalls& sys_;
    mode_t old_;
};

// Without the right to mknod (user namespace): an empty file with the host's device
// bind-mounted onto it.
Result<void> bindDevice(Env& env, int dir, const std::string& name, const DeviceNode& d) {
    UniqueFd created(env.sys.openat(dir, name.c_str(),
                                    O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!created && errno != EEXIST) return errnoError("create " + d.path);
    UniqueFd target(env.sys.openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0));
    if (!target) return errnoError("open " + d.path);
    struct stat st {};
    if (env.sys.fstatat(target.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return errnoError("stat " + d.path);
    if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
        return fail(EEXIST, d.path + " exists and is not a file");
    const std::string to = procFdPath(target.get());
    if (env.sys.mount(d.path.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) < 0)
        return errnoError("bind-mount " + d.path);
    return {};
}

Result<void> createDevice(Env& env, const DeviceNode& d) {
    auto [parent, name] = splitPath(d.path);
    auto dir = openInRoot(env.sys, env.rootFd, parent, Create::Dir);
    if (!dir) return std::unexpected(dir.error());
    // Fifos need no privilege; devices in a user namespace are bind-mounted from the host.
    if (env.cfg.inUserNs && d.type != S_IFIFO) return bindDevice(env, dir->get(), name, d);
    if (env.sys.mknodat(dir->get(), name.c_str(), d.type | d.mode, makedev(d.major, d.minor)) < 0) {
        int err = errno;
        if (err == EEXIST) return {};  // keep what the image has
        if (err == EPERM && d.type != S_IFIFO) return bindDevice(env, dir->get(), name, d);
        return errnoError("mknod " + d.path, err);
    }
    if (env.sys.fchownat(dir->get(), name.c_str(), d.uid, d.gid, AT_SYMLINK_NOFOLLOW) < 0)
        return errnoError("chown " + d.path);
    return {};
}

}  // namespace

Result<void> setupDev(Env& env, const MountPlan& plan) {
    const std::string where = " (rootfs " + env.cfg.rootfs + ")";
    {
        UmaskGuard umask(env.sys);
        for (const auto& d : plan.devices) {
            auto r = createDevice(env, d);
            if (!r) return std::unexpected(r.error().wrap("create device " + d.path + where));
        }
    }
    auto dev = openInRoot(env.sys, env.rootFd, "/dev", Create::Dir);
    if (!dev) return std::unexpected(dev.error().wrap("open /dev" + where));
    if (plan.ptmx) {
        if (env.sys.unlinkat(dev->get(), "ptmx", 0) < 0 && errno != ENOENT)
            return errnoError("remove /dev/ptmx" + where);
        if (env.sys.symlinkat("pts/ptmx", dev->get(), "ptmx") < 0)
            return errnoError("symlink /dev/ptmx -> pts/ptmx" + where);
    }
    for (const auto& [target, link] : plan.devSymlinks) {
        auto [parent, name] = splitPath(link);
        int dirFd = dev->get();
        UniqueFd other;
        if (parent != "/dev") {
            auto dir = openInRoot(env.sys, env.rootFd, parent, Create::Dir);
            if (!dir) return std::unexpected(dir.error().wrap("symlink " + link + where));
            other = std::move(*dir);
            dirFd = other.get();
        }
        if (env.sys.symlinkat(target.c_str(), dirFd, name.c_str()) < 0 && errno != EEXIST)
            return errnoError("symlink " + link + " -> " + target + where);
    }
    return {};
}

}  // namespace lc::rootfs
