#include "cgroups/paths.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <charconv>

#include "cgroups/fs.h"

namespace lc::cgroups {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeOctal(std::string_view s) {
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) &&
            octal(s[i + 3])) {
            out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
            i += 3;
            continue;
        }
        out.push_back(s[i]);
    }
    return out;
}

std::string stripTrailingSlashes(std::string_view p) {
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    return std::string(p);
}

// Mount options of a v1 cgroup mount that are not controllers.
bool isMountOption(std::string_view o) {
    static constexpr std::string_view opts[] = {"rw",  "ro", "noprefix", "clone_children",
                                                "xattr", "cpuset_v2_mode", "favordynmods",
                                                "none", "all"};
    if (o.starts_with("name=")) return false;
    if (o.find('=') != std::string_view::npos) return true;
    return std::find(std::begin(opts), std::end(opts), o) != std::end(opts);
}

Result<std::vector<V1Mount>> scanMountRoot(const std::string& root) {
    std::vector<V1Mount> out;
    DIR* d = ::opendir(root.c_str());
    if (!d) {
        int err = errno;
        return errnoError("open " + root, err);
    }
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n == "." || n == ".." || n == "unified") continue;
        std::string dir = joinPath(root, n);
        struct stat st {};
        if (::lstat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) continue;  // skip symlinks
        if (!pathExists(joinPath(dir, "cgroup.procs"))) continue;
        V1Mount m;
        m.controllers = n == "systemd" ? std::vector<std::string>{"name=systemd"} : splitControllers(n);
        m.mountpoint = dir;
        m.root = "/";
        out.push_back(std::move(m));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(),
              [](const V1Mount& a, const V1Mount& b) { return a.mountpoint < b.mountpoint; });
    return out;
}

}  // namespace

std::vector<std::string> splitControllers(std::string_view s) {
    std::vector<std::string> out;
    for (auto f : splitFields(s, ",")) out.emplace_back(f);
    return out;
}

Result<std::vector<V1Mount>> parseV1Mountinfo(std::string_view mountinfo, std::string_view mountRoot) {
    std::string rootDir = stripTrailingSlashes(mountRoot);
    std::vector<V1Mount> out;
    while (!mountinfo.empty()) {
        size_t nl = mountinfo.find('\n');
        std::string_view line = mountinfo.substr(0, nl);
        mountinfo = nl == std::string_view::npos ? std::string_view{} : mountinfo.substr(nl + 1);
        auto f = splitFields(line, " ");
        // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
        auto sep = std::find(f.begin(), f.end(), std::string_view("-"));
        if (f.size() < 7 || sep == f.end() || f.end() - sep < 4 || sep - f.begin() < 6) continue;
        if (sep[1] != "cgroup") continue;
        std::string mnt = unescapeOctal(f[4]);
        size_t slash = mnt.find_last_of('/');
        if (slash == std::string::npos || mnt.substr(0, slash) != rootDir) continue;
        V1Mount m;
        for (auto o : splitFields(sep[3], ","))
            if (!isMountOption(o)) m.controllers.emplace_back(o);
        if (m.controllers.empty()) continue;
        // The same hierarchy mounted twice: keep the first.
        bool dup = std::any_of(out.begin(), out.end(), [&](const V1Mount& x) {
            return x.controllers == m.controllers;
        });
        if (dup) continue;
        m.mountpoint = std::move(mnt);
        m.root = unescapeOctal(f[3]);
        out.push_back(std::move(m));
    }
    return out;
}

Result<std::vector<V1Mount>> findV1Mounts(const Options& opts) {
    auto content = readFile(joinPath(opts.procRoot, "self/mountinfo"));
    if (content) {
        auto mounts = parseV1Mountinfo(*content, opts.mountRoot);
        if (!mounts) return mounts;
        if (!mounts->empty()) return mounts;
    }
    return scanMountRoot(stripTrailingSlashes(opts.mountRoot));
}

Result<std::vector<ProcCgroup>> parseProcCgroup(std::string_view content) {
    std::vector<ProcCgroup> out;
    while (!content.empty()) {
        size_t nl = content.find('\n');
        std::string_view line = content.substr(0, nl);
        content = nl == std::string_view::npos ? std::string_view{} : content.substr(nl + 1);
        if (line.empty()) continue;
        size_t c1 = line.find(':');
        size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) return fail(EINVAL, "malformed cgroup line \"" + std::string(line) + "\"");
        ProcCgroup pc;
        std::string_view id = line.substr(0, c1);
        std::from_chars(id.data(), id.data() + id.size(), pc.hierarchy);
        pc.controllers = splitControllers(line.substr(c1 + 1, c2 - c1 - 1));
        pc.path = std::string(line.substr(c2 + 1));
        out.push_back(std::move(pc));
    }
    return out;
}

Result<std::vector<ProcCgroup>> ownCgroups(const Options& opts) {
    std::string path = joinPath(opts.procRoot, "self/cgroup");
    auto content = readFile(path);
    if (!content) return std::unexpected(content.error());
    auto r = parseProcCgroup(*content);
    if (!r) return std::unexpected(r.error().wrap(path));
    return r;
}

Result<std::string> cleanCgroupPath(std::string_view path) {
    bool absolute = !path.empty() && path.front() == '/';
    std::vector<std::string_view> parts;
    for (auto p : splitFields(path, "/")) {
        if (p == ".") continue;
        if (p == "..") {
            if (parts.empty())
                return fail(EINVAL, "cgroup path \"" + std::string(path) + "\" escapes its root");
            parts.pop_back();
            continue;
        }
        parts.push_back(p);
    }
    std::string out = absolute ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out.push_back('/');
        out.append(parts[i]);
    }
    return out;
}

Result<std::string> subCgroupPath(std::string_view sub) {
    std::string_view rel = sub;
    while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
    auto clean = cleanCgroupPath(rel);
    if (!clean) return fail(EINVAL, std::string(sub) + " is not a sub cgroup path");
    return clean;
}

Result<Layout> detect(const Options& opts) {
    const std::string& root = opts.mountRoot;
    struct statfs st {};
    if (::statfs(root.c_str(), &st) < 0) {
        int err = errno;
        return errnoError("statfs " + root, err);
    }
    if (st.f_type == CGROUP2_SUPER_MAGIC) return Layout::V2;
    // Fixture trees (plain directories) are recognised by their files.
    if (pathExists(joinPath(root, "cgroup.controllers"))) return Layout::V2;
    std::string unified = joinPath(root, "unified");
    struct statfs su {};
    if (::statfs(unified.c_str(), &su) == 0 &&
        (su.f_type == CGROUP2_SUPER_MAGIC || pathExists(joinPath(unified, "cgroup.controllers"))))
        return Layout::Hybrid;
    if (st.f_type == TMPFS_MAGIC || st.f_type == CGROUP_SUPER_MAGIC) return Layout::V1;
    auto mounts = scanMountRoot(stripTrailingSlashes(root));
    if (mounts && !mounts->empty()) return Layout::V1;
    return fail(ENOENT, "no cgroup hierarchy found at " + root);
}

}  // namespace lc::cgroups
