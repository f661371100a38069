#include "criu/request.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "rootfs/paths.h"
#include "base/json.h"

namespace lc::criu {

bool isBindMount(const spec::Mount& m) {
    if (m.type == "bind") return true;
    for (const auto& o : m.options)
        if (o == "bind" || o == "rbind") return true;
    return false;
}

std::string resolvedDestination(const std::string& rootfs, const std::string& dest) {
    std::string clean = rootfs::cleanPath(dest);
    UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return clean;
    auto fd = rootfs::openInRoot(sys::real(), root.get(), clean);
    if (!fd) return clean;
    auto host = rootfs::fdPath(sys::real(), fd->get());
    auto rootHost = rootfs::fdPath(sys::real(), root.get());
    if (!host || !rootHost) return clean;
    if (*rootHost == "/") return *host;
    if (!rootfs::pathIsUnder(*host, *rootHost)) return clean;
    std::string inside = host->substr(rootHost->size());
    return inside.empty() ? "/" : inside;
}

std::vector<ExtMount> dumpExtMounts(const spec::Spec& sp, const std::string& rootfs,
                                    bool (*isDir)(const std::string&, const void*), const void* ctx,
                                    const std::vector<std::string>& cgroupV1Binds) {
    std::vector<ExtMount> out;
    for (const auto& m : sp.mounts) {
        if (!isBindMount(m)) continue;
        std::string d = resolvedDestination(rootfs, m.destination);
        out.emplace_back(d, d);
    }
    for (const auto& b : cgroupV1Binds) out.emplace_back(b, b);
    if (sp.linux) {
        for (const auto& p : sp.linux->maskedPaths)
            if (!isDir(rootfs::cleanPath(p), ctx)) out.emplace_back(rootfs::cleanPath(p), "/dev/null");
        for (const auto& d : sp.linux->devices) out.emplace_back(rootfs::cleanPath(d.path), rootfs::cleanPath(d.path));
    }
    return out;
}

std::vector<ExtMount> restoreExtMounts(const spec::Spec& sp, const std::string& rootfs, bool cgroupV2) {
    std::vector<ExtMount> out;
    for (const auto& m : sp.mounts) {
        if (isBindMount(m)) out.emplace_back(resolvedDestination(rootfs, m.destination), m.source);
        else if (m.type == "cgroup" && !cgroupV2) out.emplace_back(rootfs::cleanPath(m.destination), m.source);
    }
    if (sp.linux) {
        if (!sp.linux->maskedPaths.empty()) out.emplace_back("/dev/null", "/dev/null");
        for (const auto& d : sp.linux->devices) out.emplace_back(rootfs::cleanPath(d.path), rootfs::cleanPath(d.path));
    }
    return out;
}

void setCommon(criu_opts& o, const CriuCommonOptions& c) {
    o.set_log_level(4);
    o.set_manage_cgroups(true);
    o.set_notify_scripts(true);
    o.set_shell_job(c.shellJob);
    o.set_ext_unix_sk(c.extUnixSk);
    o.set_tcp_established(c.tcpEstablished);
    o.set_file_locks(c.fileLocks);
    o.set_empty_ns(c.emptyNs);
    o.set_orphan_pts_master(true);
    o.set_auto_dedup(c.autoDedup);
    o.set_lazy_pages(c.lazyPages);
    switch (c.cgroupsMode) {
        case CriuCgroupsMode::Default: break;
        case CriuCgroupsMode::Soft: o.set_manage_cgroups_mode(SOFT); break;
        case CriuCgroupsMode::Full: o.set_manage_cgroups_mode(FULL); break;
        case CriuCgroupsMode::Strict: o.set_manage_cgroups_mode(STRICT); break;
        case CriuCgroupsMode::Ignore: o.set_manage_cgroups_mode(IGNORE); break;
    }
}

std::string joinedNsPath(const spec::Spec& sp, const std::string& type) {
    if (!sp.linux) return {};
    for (const auto& n : sp.linux->namespaces)
        if (n.type == type) return n.path;
    return {};
}

std::string encodeDescriptors(const std::vector<std::string>& targets) {
    return json::Writer().strings(targets).text();
}

Result<std::vector<std::string>> decodeDescriptors(const std::string& json) {
    json::Document doc;
    if (auto r = doc.parse(json, {.allowComments = true}); !r) return std::unexpected(r.error().wrap(kDescriptorsFile));
    json::Value root = doc.root();
    if (!root.isArray()) return fail(EINVAL, std::string(kDescriptorsFile) + ": not a JSON array");
    std::vector<std::string> out;
    for (json::Value v : root) {
        if (!v.isString()) return fail(EINVAL, std::string(kDescriptorsFile) + ": not an array of strings");
        out.push_back(v.str());
    }
    return out;
}

Result<void> checkParentPath(const std::string& imagePath, const std::string& parentPath) {
    if (parentPath.empty()) return {};
    if (parentPath[0] == '/') return fail(EINVAL, "--parent-path must be relative");
    std::string real = imagePath + "/" + parentPath;
    struct stat st;
    if (::stat(real.c_str(), &st) < 0) return errnoError("invalid --parent-path: stat " + real);
    if (!S_ISDIR(st.st_mode)) return errnoError("invalid --parent-path: stat " + real, ENOTDIR);
    return {};
}

Result<std::pair<std::string, int>> parsePageServer(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0) return fail(EINVAL, "Wrong page server address: " + s);
    int port = 0;
    const char* b = s.data() + colon + 1;
    const char* e = s.data() + s.size();
    auto [p, ec] = std::from_chars(b, e, port);
    if (ec != std::errc() || p != e || port <= 0 || port > 65535) return fail(EINVAL, "Invalid port number: " + s.substr(colon + 1));
    return std::make_pair(s.substr(0, colon), port);
}

}  // namespace lc::criu
