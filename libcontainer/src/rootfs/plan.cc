#include "rootfs/plan.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>

#include "rootfs/options.h"
#include "rootfs/paths.h"
#include "security/lsm.h"

namespace lc::rootfs {
namespace {

constexpr unsigned long kDefaultMountFlags = MS_NOEXEC | MS_NOSUID | MS_NODEV;

struct DefaultDevice {
    const char* path;
    unsigned major, minor;
};

// The devices every container gets (as runc), unless spec.linux.devices names the path.
constexpr std::array kDefaultDevices = {
    DefaultDevice{"/dev/null", 1, 3},  DefaultDevice{"/dev/random", 1, 8},
    DefaultDevice{"/dev/full", 1, 7},  DefaultDevice{"/dev/tty", 5, 0},
    DefaultDevice{"/dev/zero", 1, 5},  DefaultDevice{"/dev/urandom", 1, 9},
};

std::string baseName(const std::string& path) { return splitPath(cleanPath(path)).second; }

std::string joinPath(const std::string& dir, const std::string& rel) {
    if (rel.empty()) return dir;
    if (rel.front() == '/') return rel;
    if (dir.empty()) return rel;
    return dir.back() == '/' ? dir + rel : dir + "/" + rel;
}

std::string labelOf(const spec::Mount& m, const std::string& dest) {
    return "mount " + (m.source.empty() ? m.type : m.source) + " to " + dest;
}

// The container's directory in a v1 hierarchy: cgroupPaths by controller name, else any
// path that lies under the hierarchy's mountpoint.
std::string cgroupDirFor(const CgroupHierarchy& h, const std::map<std::string, std::string>& paths) {
    for (const auto& s : h.subsystems) {
        if (auto it = paths.find(s); it != paths.end() && !it->second.empty()) return it->second;
        if (s.starts_with("name=")) {
            if (auto it = paths.find(s.substr(5)); it != paths.end() && !it->second.empty())
                return it->second;
        }
    }
    for (const auto& [name, dir] : paths)
        if (!name.empty() && pathIsUnder(dir, h.mountpoint)) return dir;
    return {};
}

void planCgroup(const Config& cfg, const HostInfo& host, const spec::Mount& m,
                const std::string& dest, const MountOptions& opts, std::vector<MountStep>& out) {
    auto unified = cfg.cgroupPaths.find("");
    const bool haveUnified = unified != cfg.cgroupPaths.end() && !unified->second.empty();
    if (cfg.cgroupV2Only) {
        MountStep s;
        s.kind = StepKind::Mount;
        s.source = m.source.empty() ? "cgroup" : m.source;
        s.fstype = "cgroup2";
        s.destination = dest;
        s.flags = opts.flags;
        s.data = opts.data;
        s.propagation = opts.propagation;
        s.recAttrSet = opts.recAttrSet;
        s.recAttrClr = opts.recAttrClr;
        // Without a cgroup namespace the container sees host cgroup paths in
        // /proc/self/cgroup: give it the whole hierarchy. With one, its own directory.
        s.fallbackBind = cfg.newCgroupNs && haveUnified ? unified->second : "/sys/fs/cgroup";
        out.push_back(std::move(s));
        return;
    }

    // v1 or hybrid: a tmpfs holding one directory per hierarchy.
    MountStep tmpfs;
    tmpfs.kind = StepKind::Mount;
    tmpfs.source = "tmpfs";
    tmpfs.fstype = "tmpfs";
    tmpfs.destination = dest;
    tmpfs.flags = kDefaultMountFlags;
    tmpfs.data = "mode=755";
    tmpfs.propagation = opts.propagation;
    out.push_back(std::move(tmpfs));

    const unsigned long ro = opts.flags & MS_RDONLY;
    std::vector<MountStep> links;
    auto addHierarchy = [&](const std::string& name, const std::string& fstype,
                            const std::string& data, const std::string& dir) {
        MountStep s;
        s.destination = dest == "/" ? "/" + name : dest + "/" + name;
        s.propagation = opts.propagation;
        if (cfg.newCgroupNs) {
            s.kind = StepKind::Mount;
            s.fstype = fstype;
            s.source = data == "name=systemd" ? "systemd" : fstype;
            s.flags = kDefaultMountFlags | ro;
            s.data = data;
        } else {
            if (dir.empty()) return;  // the container has no cgroup there
            s.kind = StepKind::Bind;
            s.source = dir;
            s.flags = MS_BIND | MS_REC | (opts.flags & ~MS_REMOUNT);
            s.clearedFlags = opts.clearedFlags;
        }
        out.push_back(std::move(s));
        if (name.find(',') != std::string::npos) {
            size_t i = 0;
            while (i <= name.size()) {
                size_t j = name.find(',', i);
                if (j == std::string::npos) j = name.size();
                if (j > i) {
                    MountStep l;
                    l.kind = StepKind::Symlink;
                    l.source = name;
                    l.destination = dest + "/" + name.substr(i, j - i);
                    links.push_back(std::move(l));
                }
                i = j + 1;
            }
        }
    };
    for (const auto& h : host.cgroupV1) {
        std::string data;
        for (const auto& s : h.subsystems) data += (data.empty() ? "" : ",") + s;
        addHierarchy(baseName(h.mountpoint), "cgroup", data, cgroupDirFor(h, cfg.cgroupPaths));
    }
    if (!host.cgroupUnified.empty())
        addHierarchy(baseName(host.cgroupUnified), "cgroup2", "",
                     haveUnified ? unified->second : std::string());
    for (auto& l : links) out.push_back(std::move(l));
    if (ro) {
        MountStep r;
        r.kind = StepKind::Remount;
        r.destination = dest;
        r.flags = kDefaultMountFlags | MS_RDONLY;
        out.push_back(std::move(r));
    }
}

Result<mode_t> deviceType(const std::string& type, const std::string& path) {
    if (type == "c" || type == "u") return S_IFCHR;
    if (type == "b") return S_IFBLK;
    if (type == "p") return S_IFIFO;
    return fail(EINVAL, "invalid device type \"" + type + "\" for device " + path);
}

Result<void> planDevices(const Config& cfg, const HostInfo& host, MountPlan& plan) {
    static const std::vector<spec::Device> kNone;
    const auto& specDevices = cfg.spec->linux ? cfg.spec->linux->devices : kNone;
    for (const auto& d : kDefaultDevices) {
        bool overridden = std::any_of(specDevices.begin(), specDevices.end(),
                                      [&](const spec::Device& s) { return cleanPath(s.path) == d.path; });
        if (!overridden) plan.devices.push_back({d.path, S_IFCHR, 0666, d.major, d.minor, 0, 0});
    }
    for (const auto& d : specDevices) {
        std::string path = cleanPath(d.path);
        if (d.path.empty() || d.path.front() != '/' || path == "/dev" || !pathIsUnder(path, "/dev"))
            return fail(EINVAL, "device path " + d.path + " is not under /dev");
        auto type = deviceType(d.type, d.path);
        if (!type) return std::unexpected(type.error());
        if (path == "/dev/ptmx") continue;  // always the pts/ptmx symlink
        if (d.major < 0 || d.minor < 0)
            return fail(EINVAL, "device " + d.path + ": negative major or minor");
        DeviceNode n;
        n.path = std::move(path);
        n.type = *type;
        n.mode = d.fileMode ? static_cast<mode_t>(*d.fileMode & 07777) : 0666;
        n.major = static_cast<unsigned>(d.major);
        n.minor = static_cast<unsigned>(d.minor);
        n.uid = d.uid.value_or(0);
        n.gid = d.gid.value_or(0);
        plan.devices.push_back(std::move(n));
    }
    plan.devSymlinks = {
        {"/proc/self/fd", "/dev/fd"},
        {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"},
        {"/proc/self/fd/2", "/dev/stderr"},
    };
    if (host.hasKcore) plan.devSymlinks.emplace_back("/proc/kcore", "/dev/core");
    return {};
}

}  // namespace

std::string stepLabel(const MountStep& step) {
    switch (step.kind) {
        case StepKind::Symlink: return "symlink " + step.destination + " -> " + step.source;
        case StepKind::Remount: return "remount " + step.destination;
        case StepKind::Bind:
        case StepKind::Mount: break;
    }
    return "mount " + step.source + " to " + step.destination;
}

Result<MountPlan> planMounts(const Config& cfg, const HostInfo& host) {
    if (!cfg.spec) return fail(EINVAL, "rootfs: no spec");
    const spec::Spec& sp = *cfg.spec;
    MountPlan plan;
    auto prop = parseRootfsPropagation(sp.linux ? sp.linux->rootfsPropagation : std::string());
    if (!prop) return std::unexpected(prop.error());
    plan.rootPropagation = *prop ? *prop : (MS_SLAVE | MS_REC);

    for (const spec::Mount& m : sp.mounts) {
        if (m.destination.empty()) return fail(EINVAL, "mount " + m.source + ": empty destination");
        const std::string dest = cleanPath(m.destination);
        const MountOptions opts = parseMountOptions(m.options);
        const bool bind = (opts.flags & MS_BIND) || m.type == "bind";
        const bool idmap = opts.idmap || !m.uidMappings.empty() || !m.gidMappings.empty();
        if (idmap && !bind) return fail(EINVAL, labelOf(m, dest) + ": idmapped mounts must be bind mounts");
        if (bind) {
            if (m.source.empty()) return fail(EINVAL, "bind mount to " + dest + ": empty source");
            MountStep s;
            s.kind = StepKind::Bind;
            s.source = joinPath(cfg.bundle, m.source);
            if (s.source.front() == '/') s.source = cleanPath(s.source);
            s.destination = dest;
            s.flags = opts.flags | MS_BIND;
            s.clearedFlags = opts.clearedFlags;
            s.propagation = opts.propagation;
            s.recAttrSet = opts.recAttrSet;
            s.recAttrClr = opts.recAttrClr;
            if (idmap) {
                s.idmapMount = static_cast<long>(&m - sp.mounts.data());
                s.idmapRecursive = opts.recursiveIdmap;
            }
            if (dest == "/dev") plan.setupDev = false;
            plan.steps.push_back(std::move(s));
            continue;
        }
        if (m.type.empty()) return fail(EINVAL, labelOf(m, dest) + ": no type and not a bind mount");
        if (m.type == "cgroup") {
            planCgroup(cfg, host, m, dest, opts, plan.steps);
            continue;
        }
        MountStep s;
        s.kind = StepKind::Mount;
        s.source = m.source.empty() ? m.type : m.source;
        s.fstype = m.type;
        s.destination = dest;
        s.flags = opts.flags;
        s.clearedFlags = opts.clearedFlags;
        s.data = security::mountLabelData(opts.data, m.type, sp.linux ? sp.linux->mountLabel : std::string());
        s.propagation = opts.propagation;
        s.recAttrSet = opts.recAttrSet;
        s.recAttrClr = opts.recAttrClr;
        s.tmpcopyup = opts.tmpcopyup && m.type == "tmpfs";
        // In a user namespace that does not own the network namespace, sysfs cannot be
        // mounted: bind the host's /sys instead (kept read-only if asked).
        if (m.type == "sysfs" && cfg.inUserNs) s.fallbackBind = "/sys";
        if (dest == "/dev/pts") plan.ptmx = true;
        plan.steps.push_back(std::move(s));
    }
    if (plan.setupDev) {
        auto r = planDevices(cfg, host, plan);
        if (!r) return std::unexpected(r.error());
    } else {
        plan.ptmx = false;
    }
    return plan;
}

Result<FinalPlan> planFinal(const Config& cfg) {
    if (!cfg.spec) return fail(EINVAL, "rootfs: no spec");
    const spec::Spec& sp = *cfg.spec;
    FinalPlan plan;
    if (sp.linux) {
        auto prop = parseRootfsPropagation(sp.linux->rootfsPropagation);
        if (!prop) return std::unexpected(prop.error());
        if (*prop & (MS_SHARED | MS_UNBINDABLE)) plan.rootPropagation = *prop;
        for (const auto& p : sp.linux->readonlyPaths)
            if (!p.empty()) plan.readonlyPaths.push_back(cleanPath(p));
        for (const auto& p : sp.linux->maskedPaths)
            if (!p.empty()) plan.maskedPaths.push_back(cleanPath(p));
    }
    for (const spec::Mount& m : sp.mounts) {
        if (m.destination.empty() || cleanPath(m.destination) != "/dev") continue;
        MountOptions opts = parseMountOptions(m.options);
        bool bind = (opts.flags & MS_BIND) || m.type == "bind";
        plan.devReadonly = !bind && (opts.flags & MS_RDONLY);
        plan.devFlags = opts.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                      MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME);
    }
    plan.readonlyRoot = sp.root && sp.root->readonly;
    return plan;
}

}  // namespace lc::rootfs
