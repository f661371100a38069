#include "cgroups/checks.h"

namespace lc::cgroups {

Result<void> validateResources(const Options& opts, const spec::Linux& linux) {
    if (!linux.resources || linux.resources->unified.empty()) return {};
    auto layout = detect(opts);
    if (!layout) return std::unexpected(layout.error());
    if (*layout != Layout::V2) return fail(EINVAL, std::string(kV1NoUnified));
    return {};
}

Result<void> checkUnused(Manager& m) {
    auto pids = m.pids();
    if (!pids && pids.error().errnum() != ENOENT && pids.error().errnum() != ENODEV)
        return std::unexpected(pids.error().wrap("unable to get cgroup PIDs"));
    if (pids && !pids->empty())
        return fail(EBUSY, "container's cgroup is not empty: " + std::to_string(pids->size()) + " process(es) found");
    auto frozen = m.joinWouldFreeze();
    if (!frozen) return std::unexpected(frozen.error().wrap("unable to get cgroup freezer state"));
    if (*frozen) return fail(EBUSY, "container's cgroup unexpectedly frozen");
    return {};
}

}  // namespace lc::cgroups
