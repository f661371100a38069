#include "rootfs/idmap.h"

#include <fcntl.h>
#include <linux/sched.h>  // struct clone_args
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace lc::rootfs {
namespace {

Result<void> writeMap(const std::string& path, const std::string& text) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return errnoError("open " + path);
    // The kernel takes the whole map in one write.
    ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0) return errnoError("write " + path);
    if (static_cast<size_t>(n) != text.size()) return fail(EIO, "write " + path + ": short write");
    return {};
}

// Waits for the helper child once its pipe is closed, whatever path we leave by.
class Helper {
public:
    Helper(pid_t pid, UniqueFd release) : pid_(pid), release_(std::move(release)) {}
    Helper(const Helper&) = delete;
    Helper& operator=(const Helper&) = delete;
    ~Helper() {
        release_.reset();  // the child's read returns 0 and it exits
        // ECHILD: a subreaping caller reaped it already.
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }

private:
    pid_t pid_;
    UniqueFd release_;
};

const spec::Namespace* userNamespaceOf(const spec::Spec& sp) {
    if (!sp.linux) return nullptr;
    for (const auto& ns : sp.linux->namespaces)
        if (ns.type == "user") return &ns;
    return nullptr;
}

}  // namespace

int DetachedMounts::fdFor(long index) const {
    auto it = fds_.find(index);
    return it == fds_.end() ? -1 : it->second.get();
}

std::string idMapText(const std::vector<spec::IdMapping>& maps) {
    std::string out;
    char line[64];
    for (const auto& m : maps) {
        std::snprintf(line, sizeof line, "%u %u %u\n", m.containerID, m.hostID, m.size);
        out += line;
    }
    return out;
}

Result<UniqueFd> userNamespaceWith(const std::vector<spec::IdMapping>& uids,
                                   const std::vector<spec::IdMapping>& gids) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return errnoError("pipe");
    UniqueFd waitEnd(p[0]), release(p[1]);
    struct clone_args args {};
    args.flags = CLONE_NEWUSER;
    args.exit_signal = SIGCHLD;
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return errnoError("clone a process into a new user namespace");
    if (pid == 0) {
        // The child: async-signal-safe calls only, until the parent closes its end.
        ::close(p[1]);
        char c;
        while (::read(p[0], &c, 1) < 0 && errno == EINTR) {
        }
        ::_exit(0);
    }
    waitEnd.reset();
    Helper helper(static_cast<pid_t>(pid), std::move(release));
    const std::string dir = "/proc/" + std::to_string(pid) + "/";
    LC_TRY(writeMap(dir + "uid_map", idMapText(uids)));
    LC_TRY(writeMap(dir + "gid_map", idMapText(gids)));
    UniqueFd ns(::open((dir + "ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) return errnoError("open " + dir + "ns/user");
    return ns;
}

Result<std::shared_ptr<const DetachedMounts>> makeIdmappedMounts(sys::Syscalls& sys, const Config& cfg,
                                                                 const MountPlan& plan) {
    auto out = std::make_shared<DetachedMounts>();
    const spec::Spec& sp = *cfg.spec;
    UniqueFd containerNs;                  // made or opened on first use
    std::map<std::string, UniqueFd> byMap;  // per-mount mappings -> user namespace
    for (const MountStep& s : plan.steps) {
        if (s.kind != StepKind::Bind || s.idmapMount < 0) continue;
        const auto idx = static_cast<size_t>(s.idmapMount);
        if (idx >= sp.mounts.size()) return fail(EINVAL, stepLabel(s) + ": bad idmapped mount index");
        const spec::Mount& m = sp.mounts[idx];
        const std::string label = stepLabel(s);

        int nsFd = -1;
        if (!m.uidMappings.empty() || !m.gidMappings.empty()) {
            if (m.uidMappings.empty() || m.gidMappings.empty())
                return fail(EINVAL, label + ": uidMappings and gidMappings must be given together");
            const std::string key = idMapText(m.uidMappings) + "/" + idMapText(m.gidMappings);
            auto it = byMap.find(key);
            if (it == byMap.end()) {
                auto ns = userNamespaceWith(m.uidMappings, m.gidMappings);
                if (!ns) return std::unexpected(ns.error().wrap(label + ": user namespace for the mount's mappings"));
                it = byMap.emplace(key, std::move(*ns)).first;
            }
            nsFd = it->second.get();
        } else {
            if (!containerNs) {
                const spec::Namespace* user = userNamespaceOf(sp);
                if (!user)
                    return fail(EINVAL, label + ": idmap without uidMappings/gidMappings needs a user namespace");
                if (!user->path.empty()) {
                    containerNs.reset(::open(user->path.c_str(), O_RDONLY | O_CLOEXEC));
                    if (!containerNs) return errnoError(label + ": open user namespace " + user->path);
                } else {
                    auto ns = userNamespaceWith(sp.linux->uidMappings, sp.linux->gidMappings);
                    if (!ns) return std::unexpected(ns.error().wrap(label + ": user namespace for the container's mappings"));
                    containerNs = std::move(*ns);
                }
            }
            nsFd = containerNs.get();
        }

        const unsigned treeFlags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((s.flags & MS_REC) ? AT_RECURSIVE : 0);
        UniqueFd tree(sys.openTree(AT_FDCWD, s.source.c_str(), treeFlags));
        if (!tree) return errnoError(label + ": open_tree " + s.source);
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_IDMAP;
        attr.userns_fd = static_cast<__u64>(nsFd);
        const unsigned setFlags = AT_EMPTY_PATH | (s.idmapRecursive ? AT_RECURSIVE : 0);
        if (sys.mountSetattr(tree.get(), "", setFlags, &attr, sizeof attr) < 0) {
            const int err = errno;
            std::string why = label + ": set the id mapping";
            if (err == EINVAL) why += " (the filesystem of " + s.source + (s.idmapRecursive ? " or of a submount" : "") +
                                      " may not support idmapped mounts)";
            return errnoError(why, err);
        }
        out->add(s.idmapMount, std::move(tree));
    }
    return std::shared_ptr<const DetachedMounts>(std::move(out));
}

bool kernelHasIdmappedMounts() {
    // An invalid call: EBADF/EINVAL when the system call exists, ENOSYS when it does not.
    return ::syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0) == 0 || errno != ENOSYS;
}

}  // namespace lc::rootfs
