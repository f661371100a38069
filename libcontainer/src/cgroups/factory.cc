// make() and load(): from linux.cgroupsPath (or saved paths) to a manager for this host.
#include <algorithm>

#include "cgroups/fs.h"
#include "cgroups/internal.h"
#include "cgroups/paths.h"
#include "cgroups/systemd/systemd.h"

namespace lc::cgroups {
namespace {

std::string stripSlashes(std::string_view p) {
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    return std::string(p);
}

std::string dirName(const std::string& p) {
    size_t slash = p.find_last_of('/');
    if (slash == std::string::npos || slash == 0) return "/";
    return p.substr(0, slash);
}

bool sharesController(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return std::any_of(a.begin(), a.end(),
                       [&](const std::string& c) { return std::find(b.begin(), b.end(), c) != b.end(); });
}

bool isBelow(const std::string& path, const std::string& root) {
    return path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
           (root.back() == '/' || path[root.size()] == '/');
}

// The caller's cgroup in a hierarchy, relative to that hierarchy's mount.
Result<std::string> ownPathIn(const std::vector<ProcCgroup>& own, const V1Mount& m) {
    for (const auto& line : own) {
        if (line.hierarchy == 0 || !sharesController(line.controllers, m.controllers)) continue;
        std::string p = line.path;
        if (m.root != "/" && (p == m.root || isBelow(p, m.root))) p = p.substr(m.root.size());
        return p.empty() ? std::string("/") : p;
    }
    std::string names;
    for (const auto& c : m.controllers) names += (names.empty() ? "" : ",") + c;
    return fail(ENOENT, "no entry for the " + names + " hierarchy in /proc/self/cgroup");
}

Result<std::string> ownUnifiedPath(const std::vector<ProcCgroup>& own) {
    for (const auto& line : own)
        if (line.hierarchy == 0 && line.controllers.empty()) return line.path;
    return fail(ENOENT, "no cgroup v2 entry (0::) in /proc/self/cgroup");
}

}  // namespace

Result<std::unique_ptr<Manager>> make(const Options& opts, const std::string& cgroupsPath,
                                      const std::string& containerId) {
    auto layout = detect(opts);
    if (!layout) return std::unexpected(layout.error());
    if (opts.systemd) return systemd::makeManager(opts, *layout, cgroupsPath, containerId);

    std::string inner = cgroupsPath;
    if (inner.empty()) {
        if (containerId.empty() || containerId.find('/') != std::string::npos || containerId == "." ||
            containerId == "..")
            return fail(EINVAL, "linux.cgroupsPath: empty, and the container id \"" + containerId +
                                    "\" cannot name a cgroup");
        inner = containerId;
    }
    auto clean = cleanCgroupPath(inner);
    if (!clean) return std::unexpected(clean.error().wrap("linux.cgroupsPath"));
    if (clean->empty() || *clean == "/")
        return fail(EINVAL, "linux.cgroupsPath: \"" + inner + "\" names the root cgroup");
    const bool absolute = clean->front() == '/';
    const std::string root = stripSlashes(opts.mountRoot);

    std::vector<ProcCgroup> own;
    if (!absolute) {
        auto o = ownCgroups(opts);
        if (!o) return std::unexpected(o.error().wrap("linux.cgroupsPath"));
        own = std::move(*o);
    }

    if (*layout == Layout::V2) {
        std::string path;
        if (absolute) {
            path = root + *clean;
        } else {
            auto mine = ownUnifiedPath(own);
            if (!mine) return std::unexpected(mine.error().wrap("linux.cgroupsPath"));
            // Under the parent of our own cgroup, as runc does: ours already holds processes,
            // so its children could not get controllers enabled.
            path = joinPath(joinPath(root, dirName(*mine)), *clean);
        }
        return v2::makeManager(root, std::move(path));
    }

    auto mounts = findV1Mounts(opts);
    if (!mounts) return std::unexpected(mounts.error());
    if (mounts->empty()) return fail(ENOENT, "no cgroup v1 hierarchy mounted under " + root);
    std::vector<V1Hierarchy> hier;
    for (auto& m : *mounts) {
        V1Hierarchy h{m.controllers, m.mountpoint, {}};
        if (absolute) {
            h.path = m.mountpoint + *clean;
        } else {
            auto mine = ownPathIn(own, m);
            if (!mine) return std::unexpected(mine.error().wrap("linux.cgroupsPath"));
            h.path = joinPath(joinPath(m.mountpoint, *mine), *clean);
        }
        hier.push_back(std::move(h));
    }
    std::string unifiedMount, unifiedPath;
    if (*layout == Layout::Hybrid) {
        unifiedMount = root + "/unified";
        if (absolute) {
            unifiedPath = unifiedMount + *clean;
        } else {
            auto mine = ownUnifiedPath(own);
            if (!mine) return std::unexpected(mine.error().wrap("linux.cgroupsPath"));
            unifiedPath = joinPath(joinPath(unifiedMount, *mine), *clean);
        }
    }
    return v1::makeManager(std::move(hier), std::move(unifiedMount), std::move(unifiedPath));
}

Result<std::unique_ptr<Manager>> load(const Options& opts, const std::map<std::string, std::string>& paths) {
    if (paths.empty()) return fail(EINVAL, "load cgroups: no saved paths");
    if (paths.count(std::string(systemd::kUnitKey))) return systemd::loadManager(opts, paths);
    const std::string root = stripSlashes(opts.mountRoot);
    auto unified = paths.find("");
    if (paths.size() == 1 && unified != paths.end()) {
        if (!isBelow(unified->second, root))
            return fail(EINVAL, "load cgroups: " + unified->second + " is not below " + root);
        return v2::makeManager(root, unified->second);
    }

    // Group controllers that share a directory (co-mounted hierarchies).
    std::vector<V1Hierarchy> hier;
    for (const auto& [controller, path] : paths) {
        if (controller.empty()) continue;
        auto it = std::find_if(hier.begin(), hier.end(), [&](const V1Hierarchy& h) { return h.path == path; });
        if (it != hier.end()) it->controllers.push_back(controller);
        else hier.push_back({{controller}, {}, path});
    }
    auto mounts = findV1Mounts(opts);
    for (auto& h : hier) {
        if (mounts) {
            for (const auto& m : *mounts)
                if (sharesController(m.controllers, h.controllers) && isBelow(h.path, m.mountpoint))
                    h.mountpoint = m.mountpoint;
        }
        if (h.mountpoint.empty()) {
            // Not mounted now (or not found): the first component below the mount root.
            if (!isBelow(h.path, root))
                return fail(EINVAL, "load cgroups: " + h.path + " is not below " + root);
            size_t end = h.path.find('/', root.size() + 1);
            h.mountpoint = h.path.substr(0, end);
        }
        if (!isBelow(h.path, h.mountpoint))
            return fail(EINVAL, "load cgroups: " + h.path + " is a hierarchy root");
    }
    std::string unifiedMount, unifiedPath;
    if (unified != paths.end()) {
        unifiedMount = root + "/unified";
        unifiedPath = unified->second;
        if (!isBelow(unifiedPath, unifiedMount))
            return fail(EINVAL, "load cgroups: " + unifiedPath + " is not below " + unifiedMount);
    }
    return v1::makeManager(std::move(hier), std::move(unifiedMount), std::move(unifiedPath));
}

}  // namespace lc::cgroups
