// pids, hugetlb, net_cls, net_prio and rdma on cgroup v1.
#include <dirent.h>

#include <string>
#include <vector>

#include "cgroups/common.h"
#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v1/v1.h"

namespace lc::cgroups::v1 {

Result<void> setPids(const std::string& dir, const spec::Pids& p) { return writePidsMax(dir, p); }

Result<void> setHugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits) {
    return writeHugetlb(dir, limits, ".limit_in_bytes", ".rsvd.limit_in_bytes");
}

Result<void> setNetCls(const std::string& dir, const spec::Network& n) {
    return writeFile("linux.resources.network.classID", dir, "net_cls.classid", std::to_string(*n.classID));
}

Result<void> setNetPrio(const std::string& dir, const spec::Network& n) {
    std::vector<std::string> lines;
    lines.reserve(n.priorities.size());
    for (const auto& p : n.priorities) {
        if (p.name.empty() || p.name.find_first_of(" \t\n") != std::string::npos)
            return fail(EINVAL, "linux.resources.network.priorities: invalid interface name \"" + p.name + "\"");
        lines.push_back(p.name + " " + std::to_string(p.priority));
    }
    return writeLines("linux.resources.network.priorities", dir, "net_prio.ifpriomap", lines);
}

// Shared with v2 (same file and syntax): "mlx4_0 hca_handle=2 hca_object=2000".
Result<void> setRdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma) {
    std::vector<std::string> lines;
    for (const auto& [device, limits] : rdma) {
        if (device.empty() || device.find_first_of(" \t\n") != std::string::npos)
            return fail(EINVAL, "linux.resources.rdma: invalid device name \"" + device + "\"");
        if (!limits.hcaHandles && !limits.hcaObjects) continue;
        std::string line = device;
        if (limits.hcaHandles) line += " hca_handle=" + std::to_string(*limits.hcaHandles);
        if (limits.hcaObjects) line += " hca_object=" + std::to_string(*limits.hcaObjects);
        lines.push_back(std::move(line));
    }
    return writeLines("linux.resources.rdma", dir, "rdma.max", lines);
}

Result<void> pidsStats(const std::string& dir, Stats& s) {
    auto cur = readOptionalUint(dir, "pids.current");
    if (!cur) return std::unexpected(cur.error());
    if (*cur) s.pidsCurrent = **cur;
    auto max = readOptionalUint(dir, "pids.max");
    if (!max) return std::unexpected(max.error());
    if (*max) s.pidsLimit = **max == UINT64_MAX ? 0 : **max;
    return {};
}

Result<void> hugetlbStats(const std::string& dir, Stats& s) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT) return {};
        int err = errno;
        return errnoError("open " + dir, err);
    }
    std::vector<std::string> sizes;
    constexpr std::string_view prefix = "hugetlb.", suffix = ".limit_in_bytes";
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (!n.starts_with(prefix) || !n.ends_with(suffix) || n.find(".rsvd.") != std::string_view::npos)
            continue;
        sizes.emplace_back(n.substr(prefix.size(), n.size() - prefix.size() - suffix.size()));
    }
    ::closedir(d);
    for (const auto& size : sizes) {
        Stats::Hugetlb h;
        std::string base = "hugetlb." + size + ".";
        struct Item { const char* file; uint64_t* out; };
        const Item items[] = {{"usage_in_bytes", &h.usage}, {"limit_in_bytes", &h.max}, {"failcnt", &h.failcnt}};
        for (const auto& it : items) {
            auto v = readOptionalUint(dir, base + it.file);
            if (!v) return std::unexpected(v.error());
            if (*v) *it.out = **v;
        }
        s.hugetlb[size] = h;
    }
    return {};
}

}  // namespace lc::cgroups::v1
