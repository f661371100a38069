// Which parts of spec::Resources ask for something. Zero means "unset" where runc (and Docker,
// which sends zeros for unset values) treat it so: memory limit/reservation/swap/kernel/kernelTCP,
// cpu shares/quota/period/realtime*, blockIO weight/leafWeight, network classID.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "spec/spec.h"

namespace lc::cgroups {

// memory.swappiness -1 (as an unsigned JSON value) means "leave it".
inline constexpr uint64_t kSwappinessUnset = UINT64_MAX;

template <typename T>
constexpr bool isSet(const std::optional<T>& v) { return v.has_value() && *v != T{}; }

inline bool wantsMemory(const spec::Memory& m) {
    return isSet(m.limit) || isSet(m.reservation) || isSet(m.swap) || isSet(m.kernel) ||
           isSet(m.kernelTCP) || (m.swappiness && *m.swappiness != kSwappinessUnset) ||
           m.disableOOMKiller.value_or(false) || m.useHierarchy.has_value();
}
inline bool wantsCpu(const spec::Cpu& c) {
    return isSet(c.shares) || isSet(c.quota) || isSet(c.period) || c.burst.has_value() ||
           isSet(c.realtimeRuntime) || isSet(c.realtimePeriod) || c.idle.has_value();
}
inline bool wantsCpuset(const spec::Cpu& c) { return !c.cpus.empty() || !c.mems.empty(); }
inline bool wantsBlockIO(const spec::BlockIO& b) {
    return isSet(b.weight) || isSet(b.leafWeight) || !b.weightDevice.empty() ||
           !b.throttleReadBpsDevice.empty() || !b.throttleWriteBpsDevice.empty() ||
           !b.throttleReadIOPSDevice.empty() || !b.throttleWriteIOPSDevice.empty();
}
inline bool wantsNetCls(const spec::Network& n) { return isSet(n.classID); }
inline bool wantsNetPrio(const spec::Network& n) { return !n.priorities.empty(); }

// A hugepage size must be a plain file-name piece ("2MB", "1GB").
inline bool validPageSize(const std::string& s) {
    return !s.empty() && s.find('/') == std::string::npos && s != "." && s != "..";
}

}  // namespace lc::cgroups
