#include <string>

#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v1/v1.h"

namespace lc::cgroups::v1 {
namespace {

constexpr char kLimitFile[] = "memory.limit_in_bytes";
constexpr char kSwapFile[] = "memory.memsw.limit_in_bytes";

Result<void> setLimit(const std::string& dir, int64_t limit) {
    if (limit == 0) return {};
    return writeFile("linux.resources.memory.limit", dir, kLimitFile, std::to_string(limit));
}

Result<void> setSwap(const std::string& dir, int64_t swap, int64_t limit) {
    if (swap == 0) return {};
    auto r = writeFileIfExists("linux.resources.memory.swap", dir, kSwapFile, std::to_string(swap));
    if (!r) return std::unexpected(r.error());
    // No swap accounting on this host: fine when nothing beyond the memory limit is asked.
    if (!*r && swap != -1 && swap != limit)
        return errnoError("linux.resources.memory.swap: " + joinPath(dir, kSwapFile), ENOENT);
    return {};
}

}  // namespace

Result<void> setMemory(const std::string& dir, const spec::Memory& m) {
    int64_t limit = m.limit.value_or(0);
    int64_t swap = m.swap.value_or(0);
    // Unlimited memory with swap unset means unlimited memory+swap too.
    if (limit == -1 && swap == 0) swap = -1;

    if (limit != 0 && swap != 0) {
        auto cur = readUint(dir, kLimitFile);
        if (!cur) return std::unexpected(cur.error().wrap("linux.resources.memory.limit"));
        // Raising: memsw first (it must stay >= the limit); lowering: the limit first.
        if (swap == -1 || *cur < static_cast<uint64_t>(swap)) {
            LC_TRY(setSwap(dir, swap, limit));
            LC_TRY(setLimit(dir, limit));
        } else {
            LC_TRY(setLimit(dir, limit));
            LC_TRY(setSwap(dir, swap, limit));
        }
    } else {
        LC_TRY(setLimit(dir, limit));
        LC_TRY(setSwap(dir, swap, limit));
    }

    if (isSet(m.reservation))
        LC_TRY(writeFile("linux.resources.memory.reservation", dir, "memory.soft_limit_in_bytes",
                         std::to_string(*m.reservation)));
    if (isSet(m.kernel))
        LC_TRY(writeFile("linux.resources.memory.kernel", dir, "memory.kmem.limit_in_bytes",
                         std::to_string(*m.kernel)));
    if (isSet(m.kernelTCP))
        LC_TRY(writeFile("linux.resources.memory.kernelTCP", dir, "memory.kmem.tcp.limit_in_bytes",
                         std::to_string(*m.kernelTCP)));
    if (m.swappiness && *m.swappiness != kSwappinessUnset) {
        if (*m.swappiness > 100)
            return fail(EINVAL, "linux.resources.memory.swappiness: invalid value " +
                                    std::to_string(*m.swappiness) + ", the range is 0-100");
        LC_TRY(writeFile("linux.resources.memory.swappiness", dir, "memory.swappiness",
                         std::to_string(*m.swappiness)));
    }
    if (m.disableOOMKiller.value_or(false))
        LC_TRY(writeFile("linux.resources.memory.disableOOMKiller", dir, "memory.oom_control", "1"));
    if (m.useHierarchy)
        LC_TRY(writeFile("linux.resources.memory.useHierarchy", dir, "memory.use_hierarchy",
                         *m.useHierarchy ? "1" : "0"));
    return {};
}

Result<void> memoryStats(const std::string& dir, Stats& s) {
    struct Item { const char* file; uint64_t* out; };
    const Item items[] = {
        {"memory.usage_in_bytes", &s.memoryUsage},
        {"memory.max_usage_in_bytes", &s.memoryMaxUsage},
        {"memory.limit_in_bytes", &s.memoryLimit},
        {"memory.failcnt", &s.memoryFailcnt},
        {"memory.memsw.usage_in_bytes", &s.swapUsage},
        {"memory.memsw.limit_in_bytes", &s.swapLimit},
    };
    for (const auto& it : items) {
        auto v = readOptionalUint(dir, it.file);
        if (!v) return std::unexpected(v.error());
        if (*v) *it.out = **v;
    }
    auto stat = readFile(dir, "memory.stat");
    if (stat) {
        forEachKeyValue(*stat, [&](std::string_view k, uint64_t v) { s.memoryStat[std::string(k)] = v; });
    } else if (stat.error().errnum() != ENOENT) {
        return std::unexpected(stat.error());
    }
    return {};
}

Result<uint64_t> oomKillCount(const std::string& memoryDir) {
    auto content = readFile(memoryDir, "memory.oom_control");
    if (!content) return std::unexpected(content.error());
    return keyedValue(*content, "oom_kill").value_or(0);
}

}  // namespace lc::cgroups::v1
