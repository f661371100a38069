#include "cgroups/common.h"

#include "cgroups/fs.h"
#include "cgroups/resources.h"

namespace lc::cgroups {

Result<void> writePidsMax(const std::string& dir, const spec::Pids& p) {
    if (p.limit == 0) return {};
    return writeFile("linux.resources.pids.limit", dir, "pids.max",
                     p.limit > 0 ? std::to_string(p.limit) : std::string("max"));
}

Result<void> writeHugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits,
                          const char* limitSuffix, const char* rsvdSuffix) {
    for (const auto& h : limits) {
        if (!validPageSize(h.pageSize))
            return fail(EINVAL, "linux.resources.hugepageLimits: invalid pageSize \"" + h.pageSize + "\"");
        std::string field = "linux.resources.hugepageLimits[" + h.pageSize + "]";
        std::string value = std::to_string(h.limit);
        LC_TRY(writeFile(field, dir, "hugetlb." + h.pageSize + limitSuffix, value));
        // Newer kernels also limit reservations; keep them in step when present.
        auto r = writeFileIfExists(field, dir, "hugetlb." + h.pageSize + rsvdSuffix, value);
        if (!r) return std::unexpected(r.error());
    }
    return {};
}

}  // namespace lc::cgroups
