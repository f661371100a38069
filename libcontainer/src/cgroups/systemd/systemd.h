// The systemd cgroup driver's entry points for cgroups::make() and cgroups::load().
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "cgroups/manager.h"
#include "cgroups/systemd/unit.h"

namespace lc::cgroups::systemd {

// The key under which paths() records the unit ("<unit>:<slice>") next to "" (its cgroup);
// saved in state.json, it tells load() that the container's cgroup is a systemd unit.
inline constexpr std::string_view kUnitKey = "systemd";
// Next to it for a unit in the caller's own systemd instance (rootless): "user". Absent: the
// system manager.
inline constexpr std::string_view kBusKey = "systemd-bus";
inline constexpr std::string_view kUserBus = "user";

// sd_booted(): /run/systemd/system is a directory.
bool systemdBooted();

Result<std::unique_ptr<Manager>> makeManager(const Options& opts, Layout layout, const std::string& cgroupsPath,
                                             const std::string& containerId);
Result<std::unique_ptr<Manager>> loadManager(const Options& opts, const std::map<std::string, std::string>& paths);

}  // namespace lc::cgroups::systemd
