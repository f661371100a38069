// Checks of a container's cgroup made before anything is created, with runc's wording.
#pragma once

#include <string_view>

#include "cgroups/manager.h"
#include "spec/spec.h"

namespace lc::cgroups {

inline constexpr std::string_view kV1NoUnified = "invalid configuration: cannot use unified on cgroup v1";

// Validation, before anything exists: resources this host's cgroup layout cannot take.
// `linux.resources.unified` needs a cgroup v2 only host; on v1 and hybrid hosts it is refused
// with runc's "invalid configuration: cannot use unified on cgroup v1" (an empty map is no
// request and passes).
Result<void> validateResources(const Options& opts, const spec::Linux& linux);

// Before the manager's create(): the container's cgroup must not hold processes already
// ("container's cgroup is not empty: N process(es) found", an error as in runc 1.2; runc 1.1
// only warned) and must not be frozen ("container's cgroup unexpectedly frozen": the init would
// hang in it). A cgroup that does not exist yet passes.
Result<void> checkUnused(Manager& m);

}  // namespace lc::cgroups
