// libcontainer's Stats as containerd's cgroup v1 Metrics message (io.containerd.cgroups.v1).
#pragma once

#include <string>

#include "libcontainer/stats.h"

namespace shim {

inline constexpr const char* kMetricsV1Type = "io.containerd.cgroups.v1.Metrics";

// The serialized Metrics message.
std::string metricsV1(const lc::Stats& s, uint64_t oomKills);

}  // namespace shim
