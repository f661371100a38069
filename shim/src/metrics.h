// libcontainer's Stats as containerd's cgroup Metrics messages (io.containerd.cgroups.v1/v2).
#pragma once

#include <string>

#include "libcontainer/stats.h"

namespace shim {

inline constexpr const char* kMetricsV1Type = "io.containerd.cgroups.v1.Metrics";

inline constexpr const char* kMetricsV2Type = "io.containerd.cgroups.v2.Metrics";

// The serialized Metrics message.
std::string metricsV1(const lc::Stats& s, uint64_t oomKills);
// The same for a unified (cgroup v2 only) host.
std::string metricsV2(const lc::Stats& s, uint64_t oomKills);
// True when /sys/fs/cgroup is cgroup2 (unified); hybrid and v1 hosts report v1 metrics.
bool unifiedHost();

}  // namespace shim
