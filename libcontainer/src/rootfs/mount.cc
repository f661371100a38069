// Mount steps: filesystems, binds, remounts, cgroup symlinks.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <array>

#include "rootfs/exec.h"
#include "rootfs/idmap.h"
#include "rootfs/options.h"
#include "rootfs/paths.h"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000  // the kernel's value (fs/statfs.c); glibc 2.36 lacks it
#endif

namespace lc::rootfs {
namespace {

// Files inside /proc that may be covered (e.g. by lxcfs), as runc allows.
constexpr std::array<std::string_view, 10> kProcAllowed = {
    "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",   "/proc/stat",    "/proc/swaps",
    "/proc/uptime",  "/proc/loadavg",   "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

constexpr unsigned long kPropagationMask = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

bool dataHasOption(const std::string& data, std::string_view prefix) {
    size_t i = 0;
    while (i <= data.size()) {
        size_t j = data.find(',', i);
        if (j == std::string::npos) j = data.size();
        if (std::string_view(data).substr(i, j - i).starts_with(prefix)) return true;
        i = j + 1;
    }
    return false;
}

// Refuses a symlink (and, for proc/sysfs, anything but a directory) at the destination.
Result<void> checkDestination(Env& env, const std::string& dest, bool requireDir) {
    auto fd = openInRoot(env.sys, env.rootFd, dest, Create::None, /*noFollow=*/true);
    if (!fd) {
        if (fd.error().errnum() == ENOENT) return {};
        return std::unexpected(fd.error());
    }
    struct stat st {};
    if (env.sys.fstatat(fd->get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return errnoError("stat " + dest);
    if (S_ISLNK(st.st_mode)) return fail(ELOOP, "mount destination " + dest + " is a symlink");
    if (requireDir && !S_ISDIR(st.st_mode))
        return fail(ENOTDIR, "mount destination " + dest + " is not a directory");
    return {};
}

// Where an opened target really is, as a path inside the rootfs.
Result<std::string> insidePath(Env& env, int fd) {
    auto host = fdPath(env.sys, fd);
    if (!host) return std::unexpected(host.error());
    if (!pathIsUnder(*host, env.rootReal))
        return fail(EXDEV, "mount target " + *host + " is outside the rootfs");
    return cleanPath(std::string_view(*host).substr(env.rootReal == "/" ? 0 : env.rootReal.size()));
}

// Nothing may be mounted over /proc or inside it, except a procfs (or a bind of one), and
// the few files that lxcfs-like tools emulate.
Result<void> checkProcTarget(const std::string& inside, bool sourceIsProc) {
    if (!pathIsUnder(inside, "/proc") || sourceIsProc) return {};
    if (inside == "/proc")
        return fail(EINVAL, inside + " cannot be mounted because it is not of type proc");
    for (auto ok : kProcAllowed)
        if (inside == ok) return {};
    return fail(EINVAL, inside + " cannot be mounted because it is inside /proc");
}

Result<void> afterMount(Env& env, const MountStep& s, int fd, unsigned long remountFlags) {
    const std::string target = procFdPath(fd);
    if (remountFlags) LC_TRY_CTX(remountBind(env.sys, target, remountFlags, s.clearedFlags), "remount");
    for (unsigned long p : s.propagation) {
        if (env.sys.mount("", target.c_str(), nullptr, p, nullptr) < 0)
            return errnoError("set propagation " + mountFlagsString(p));
    }
    if (s.recAttrSet || s.recAttrClr) {
        struct mount_attr attr {};
        attr.attr_set = s.recAttrSet;
        attr.attr_clr = s.recAttrClr;
        if (env.sys.mountSetattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
            return errnoError("set recursive mount attributes");
    }
    return {};
}

Result<void> doBind(Env& env, const MountStep& s) {
    // An idmapped bind: the detached mount the parent made (idmap.h) stands for the source.
    UniqueFd opened;
    int src = -1;
    if (s.idmapMount >= 0) {
        src = env.cfg.idmapped ? env.cfg.idmapped->fdFor(s.idmapMount) : -1;
        if (src < 0) return fail(EINVAL, "idmapped mount was not prepared (rootfs::resolve() makes it)");
    } else {
        opened.reset(env.sys.openat(AT_FDCWD, s.source.c_str(), O_PATH | O_CLOEXEC, 0));
        if (!opened) return errnoError("open source " + s.source);
        src = opened.get();
    }
    struct stat st {};
    if (env.sys.fstatat(src, "", &st, AT_EMPTY_PATH) < 0) return errnoError("stat source " + s.source);
    if (s.destination == "/proc" || s.destination == "/sys")
        LC_TRY(checkDestination(env, s.destination, false));
    auto target = openInRoot(env.sys, env.rootFd, s.destination,
                             S_ISDIR(st.st_mode) ? Create::Dir : Create::File);
    if (!target) return std::unexpected(target.error().wrap("create mount target"));
    auto inside = insidePath(env, target->get());
    if (!inside) return std::unexpected(inside.error());
    struct statfs sfs {};
    bool srcProc = env.sys.fstatfs(src, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
    LC_TRY(checkProcTarget(*inside, srcProc));

    if (s.idmapMount >= 0) {
        // Onto the descriptor of the resolved target itself: no path is looked up again.
        if (env.sys.moveMount(src, "", target->get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return errnoError("move the idmapped mount into place");
    } else {
        const std::string from = procFdPath(src), to = procFdPath(target->get());
        if (env.sys.mount(from.c_str(), to.c_str(), nullptr, MS_BIND | (s.flags & MS_REC), nullptr) < 0)
            return errnoError("");
    }
    auto mounted = openInRoot(env.sys, env.rootFd, s.destination);
    if (!mounted) return std::unexpected(mounted.error().wrap("reopen mount target"));
    unsigned long extra = s.flags & ~(MS_BIND | MS_REC | MS_REMOUNT | kPropagationMask);
    return afterMount(env, s, mounted->get(), extra ? s.flags : 0);
}

Result<void> doMount(Env& env, const MountStep& s) {
    const std::string& dest = s.destination;
    const bool pseudo = s.fstype == "proc" || s.fstype == "sysfs";
    if (pseudo || dest == "/proc" || dest == "/sys") LC_TRY(checkDestination(env, dest, pseudo));

    // The directory's mode before the mount (a tmpfs gets it, unless mode= says otherwise).
    bool existed = false;
    mode_t oldMode = 0;
    auto target = openInRoot(env.sys, env.rootFd, dest);
    if (target) {
        struct stat st {};
        if (env.sys.fstatat(target->get(), "", &st, AT_EMPTY_PATH) == 0) {
            existed = true;
            oldMode = st.st_mode & 07777;
        }
    } else if (target.error().errnum() == ENOENT) {
        target = openInRoot(env.sys, env.rootFd, dest, Create::Dir);
    }
    if (!target) return std::unexpected(target.error().wrap("create mount target"));
    auto inside = insidePath(env, target->get());
    if (!inside) return std::unexpected(inside.error());
    LC_TRY(checkProcTarget(*inside, s.fstype == "proc"));

    // A read-only tmpfs or /dev is mounted writable first: modes are fixed, /dev is filled,
    // and it is remounted read-only afterwards (/dev in finalize()).
    unsigned long flags = s.flags;
    const bool deferRo = (flags & MS_RDONLY) && (s.fstype == "tmpfs" || dest == "/dev");
    if (deferRo) flags &= ~MS_RDONLY;

    UniqueFd oldDir;
    if (s.tmpcopyup) {
        oldDir.reset(env.sys.openat(target->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
        if (!oldDir) return errnoError("tmpcopyup: open " + dest);
    }

    const std::string to = procFdPath(target->get());
    if (env.sys.mount(s.source.c_str(), to.c_str(), s.fstype.c_str(), flags,
                      s.data.empty() ? nullptr : s.data.c_str()) < 0) {
        int err = errno;
        if (s.fallbackBind.empty() || (err != EPERM && err != EBUSY)) return errnoError("", err);
        MountStep b;
        b.kind = StepKind::Bind;
        b.source = s.fallbackBind;
        b.destination = dest;
        b.flags = MS_BIND | (s.flags & ~(MS_REMOUNT | MS_BIND | MS_REC));
        b.clearedFlags = s.clearedFlags;
        b.propagation = s.propagation;
        b.recAttrSet = s.recAttrSet;
        b.recAttrClr = s.recAttrClr;
        if (s.fstype == "sysfs") {
            // The host's /sys has submounts: take them too, all read-only when asked.
            b.flags |= MS_REC;
            if (s.flags & MS_RDONLY) b.recAttrSet |= MOUNT_ATTR_RDONLY;
        }
        auto r = doBind(env, b);
        if (!r) {
            return std::unexpected(r.error().wrap(s.fstype + " refused (" +
                                                  std::string(err == EPERM ? "EPERM" : "EBUSY") +
                                                  "), bind " + b.source + " instead"));
        }
        return {};
    }

    auto mounted = openInRoot(env.sys, env.rootFd, dest);
    if (!mounted) return std::unexpected(mounted.error().wrap("reopen mount target"));
    const int fd = mounted->get();
    if (pseudo) {
        struct statfs sfs {};
        if (env.sys.fstatfs(fd, &sfs) < 0) return errnoError("statfs " + dest);
        long want = s.fstype == "proc" ? PROC_SUPER_MAGIC : SYSFS_MAGIC;
        if (static_cast<long>(sfs.f_type) != want)
            return fail(EINVAL, "mount destination " + dest + " is not on a " + s.fstype + " filesystem");
    }
    if (s.fstype == "tmpfs" && existed && !dataHasOption(s.data, "mode=")) {
        if (env.sys.fchmodat(AT_FDCWD, procFdPath(fd).c_str(), oldMode, 0) < 0)
            return errnoError("chmod " + dest);
    }
    if (s.tmpcopyup) LC_TRY_CTX(copyTree(env.sys, oldDir.get(), fd), "tmpcopyup");
    unsigned long remount = deferRo && dest != "/dev" ? (flags | MS_RDONLY) : 0;
    return afterMount(env, s, fd, remount);
}

Result<void> doRemount(Env& env, const MountStep& s) {
    auto fd = openInRoot(env.sys, env.rootFd, s.destination);
    if (!fd) return std::unexpected(fd.error());
    return remountBind(env.sys, procFdPath(fd->get()), s.flags, s.clearedFlags);
}

Result<void> doSymlink(Env& env, const MountStep& s) {
    auto [parent, name] = splitPath(s.destination);
    auto dir = openInRoot(env.sys, env.rootFd, parent, Create::Dir);
    if (!dir) return std::unexpected(dir.error());
    if (env.sys.symlinkat(s.source.c_str(), dir->get(), name.c_str()) < 0 && errno != EEXIST)
        return errnoError("");
    return {};
}

}  // namespace

unsigned long statfsMountFlags(const struct statfs& st) {
    struct Pair {
        unsigned long st, ms;
    };
    static constexpr std::array kMap = {
        Pair{ST_RDONLY, MS_RDONLY},         Pair{ST_NOSUID, MS_NOSUID},
        Pair{ST_NODEV, MS_NODEV},           Pair{ST_NOEXEC, MS_NOEXEC},
        Pair{ST_SYNCHRONOUS, MS_SYNCHRONOUS}, Pair{ST_MANDLOCK, MS_MANDLOCK},
        Pair{ST_NOATIME, MS_NOATIME},       Pair{ST_NODIRATIME, MS_NODIRATIME},
        Pair{ST_RELATIME, MS_RELATIME},     Pair{ST_NOSYMFOLLOW, MS_NOSYMFOLLOW},
    };
    unsigned long out = 0;
    for (const auto& p : kMap)
        if (static_cast<unsigned long>(st.f_flags) & p.st) out |= p.ms;
    return out;
}

Result<void> remountBind(sys::Syscalls& sys, const std::string& target, unsigned long flags,
                         unsigned long clearedFlags) {
    const unsigned long f =
        (flags & ~(MS_REC | MS_BIND | MS_REMOUNT | kPropagationMask)) | MS_BIND | MS_REMOUNT;
    if (sys.mount("", target.c_str(), nullptr, f, nullptr) == 0) return {};
    int err = errno;
    if (err != EPERM) return errnoError("", err);
    struct statfs st {};
    if (sys.statfs(target.c_str(), &st) < 0) return errnoError("statfs");
    const unsigned long locked =
        statfsMountFlags(st) & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (locked & clearedFlags)
        return fail(EPERM, "cannot clear locked mount flags " + mountFlagsString(locked & clearedFlags));
    if ((f | locked) == f) return errnoError("", err);
    if (sys.mount("", target.c_str(), nullptr, f | locked, nullptr) < 0) return errnoError("");
    return {};
}

Result<void> runStep(Env& env, const MountStep& step) {
    Result<void> r;
    switch (step.kind) {
        case StepKind::Mount: r = doMount(env, step); break;
        case StepKind::Bind: r = doBind(env, step); break;
        case StepKind::Remount: r = doRemount(env, step); break;
        case StepKind::Symlink: r = doSymlink(env, step); break;
    }
    if (!r) return std::unexpected(r.error().wrap(stepLabel(step) + " (rootfs " + env.cfg.rootfs + ")"));
    return {};
}

}  // namespace lc::rootfs
