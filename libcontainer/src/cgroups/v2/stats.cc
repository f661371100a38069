#include <dirent.h>

#include <string>

#include "cgroups/fs.h"
#include "cgroups/v1/v1.h"
#include "cgroups/v2/v2.h"

namespace lc::cgroups::v2 {
namespace {

// Reads a "key value" file; a missing one gives an empty string.
Result<std::string> readKeyed(const std::string& dir, const char* file) {
    auto c = readFile(dir, file);
    if (!c && c.error().errnum() == ENOENT) return std::string();
    return c;
}

}  // namespace

Result<void> cpuStats(const std::string& dir, Stats& s) {
    auto stat = readKeyed(dir, "cpu.stat");
    if (!stat) return std::unexpected(stat.error());
    auto us = [&](const char* key) { return keyedValue(*stat, key).value_or(0) * 1000; };
    s.cpuUsageTotalNs = us("usage_usec");
    s.cpuUsageUserNs = us("user_usec");
    s.cpuUsageKernelNs = us("system_usec");
    s.cpuThrottlingPeriods = keyedValue(*stat, "nr_periods").value_or(0);
    s.cpuThrottledPeriods = keyedValue(*stat, "nr_throttled").value_or(0);
    s.cpuThrottledTimeNs = us("throttled_usec");
    return {};
}

Result<void> memoryStats(const std::string& dir, Stats& s) {
    struct Item { const char* file; uint64_t* out; };
    uint64_t swapCurrent = 0, swapMax = UINT64_MAX;
    bool haveSwap = false;
    s.memoryLimit = UINT64_MAX;
    const Item items[] = {
        {"memory.current", &s.memoryUsage},
        {"memory.peak", &s.memoryMaxUsage},
        {"memory.max", &s.memoryLimit},
        {"memory.swap.current", &swapCurrent},
        {"memory.swap.max", &swapMax},
    };
    for (const auto& it : items) {
        auto v = v1::readOptionalUint(dir, it.file);
        if (!v) return std::unexpected(v.error());
        if (*v) {
            *it.out = **v;
            if (it.out == &swapCurrent) haveSwap = true;
        }
    }
    // Report swap as memory+swap, as cgroup v1 (and runc) do.
    if (haveSwap) {
        s.swapUsage = swapCurrent + s.memoryUsage;
        s.swapLimit = (swapMax == UINT64_MAX || s.memoryLimit == UINT64_MAX) ? UINT64_MAX
                                                                               : swapMax + s.memoryLimit;
    }
    auto events = readKeyed(dir, "memory.events");
    if (!events) return std::unexpected(events.error());
    s.memoryFailcnt = keyedValue(*events, "max").value_or(0);
    auto stat = readKeyed(dir, "memory.stat");
    if (!stat) return std::unexpected(stat.error());
    forEachKeyValue(*stat, [&](std::string_view k, uint64_t v) { s.memoryStat[std::string(k)] = v; });
    return {};
}

Result<void> pidsStats(const std::string& dir, Stats& s) { return v1::pidsStats(dir, s); }

Result<void> hugetlbStats(const std::string& dir, Stats& s) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT) return {};
        int err = errno;
        return errnoError("open " + dir, err);
    }
    std::vector<std::string> sizes;
    constexpr std::string_view prefix = "hugetlb.", suffix = ".max";
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
        auto cur = v1::readOptionalUint(dir, base + "current");
        if (!cur) return std::unexpected(cur.error());
        if (*cur) h.usage = **cur;
        auto max = v1::readOptionalUint(dir, base + "max");
        if (!max) return std::unexpected(max.error());
        if (*max) h.max = **max;
        auto events = readKeyed(dir, (base + "events").c_str());
        if (!events) return std::unexpected(events.error());
        h.failcnt = keyedValue(*events, "max").value_or(0);
        s.hugetlb[size] = h;
    }
    return {};
}

Result<uint64_t> oomKillCount(const std::string& dir) {
    auto events = readFile(dir, "memory.events");
    if (!events) return std::unexpected(events.error());
    return keyedValue(*events, "oom_kill").value_or(0);
}

}  // namespace lc::cgroups::v2
