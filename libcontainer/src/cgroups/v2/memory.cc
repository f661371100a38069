#include <string>

#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v2/v2.h"

namespace lc::cgroups::v2 {
namespace {

std::string limitValue(int64_t v) { return v < 0 ? std::string("max") : std::to_string(v); }

std::unexpected<Error> unsupported(const char* field, const char* what) {
    return fail(EOPNOTSUPP, std::string("linux.resources.memory.") + field + ": " + what +
                                " is not supported on cgroup v2");
}

}  // namespace

Result<std::string> swapMax(int64_t swap, int64_t limit) {
    if (limit == -1 && swap == 0) return std::string("max");
    if (swap == 0) return std::string();
    if (swap == -1) return std::string("max");
    if (swap < -1) return fail(EINVAL, "linux.resources.memory.swap: invalid value " + std::to_string(swap));
    if (limit == 0 || limit == -1)
        return fail(EINVAL, "linux.resources.memory.swap: a swap limit needs a memory limit");
    if (limit < 0) return fail(EINVAL, "linux.resources.memory.limit: invalid value " + std::to_string(limit));
    if (swap < limit)
        return fail(EINVAL, "linux.resources.memory.swap: memory+swap limit " + std::to_string(swap) +
                                " is below the memory limit " + std::to_string(limit));
    return std::to_string(swap - limit);
}

Result<void> setMemory(const std::string& dir, const spec::Memory& m) {
    const int64_t limit = m.limit.value_or(0);
    const int64_t swap = m.swap.value_or(0);
    if (isSet(m.kernel)) return unsupported("kernel", "a kernel memory limit");
    if (isSet(m.kernelTCP)) return unsupported("kernelTCP", "a kernel TCP memory limit");
    if (m.swappiness && *m.swappiness != kSwappinessUnset) return unsupported("swappiness", "memory swappiness");
    if (m.disableOOMKiller.value_or(false)) return unsupported("disableOOMKiller", "disabling the OOM killer");
    if (m.useHierarchy && !*m.useHierarchy)
        return unsupported("useHierarchy", "non-hierarchical memory accounting");

    auto swapStr = swapMax(swap, limit);
    if (!swapStr) return std::unexpected(swapStr.error());

    if (m.checkBeforeUpdate.value_or(false) && limit > 0) {
        auto cur = readUint(dir, "memory.current");
        if (!cur) return std::unexpected(cur.error().wrap("linux.resources.memory.checkBeforeUpdate"));
        if (static_cast<uint64_t>(limit) < *cur)
            return fail(EBUSY, "linux.resources.memory.limit: " + std::to_string(limit) +
                                   " is below the current usage " + std::to_string(*cur));
    }
    if (!swapStr->empty()) {
        auto r = writeFileIfExists("linux.resources.memory.swap", dir, "memory.swap.max", *swapStr);
        if (!r) return std::unexpected(r.error());
        // No swap accounting: fine when no swap beyond memory is asked for ("max" or "0").
        if (!*r && *swapStr != "max" && *swapStr != "0")
            return errnoError("linux.resources.memory.swap: " + joinPath(dir, "memory.swap.max"), ENOENT);
    }
    if (limit != 0) LC_TRY(writeFile("linux.resources.memory.limit", dir, "memory.max", limitValue(limit)));
    if (isSet(m.reservation))
        LC_TRY(writeFile("linux.resources.memory.reservation", dir, "memory.low", limitValue(*m.reservation)));
    return {};
}

}  // namespace lc::cgroups::v2
