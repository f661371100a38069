// The systemd cgroup driver's names: linux.cgroupsPath "slice:prefix:name" as runc reads it,
// the unit that holds the container, and where systemd puts that unit's cgroup.
#pragma once

#include <string>
#include <string_view>

#include "libcontainer/error.h"

namespace lc::cgroups::systemd {

// The unit prefix for an empty cgroupsPath ("<prefix>-<id>.scope"); runc uses "runc".
inline constexpr std::string_view kDefaultPrefix = "runc-cpp";
inline constexpr std::string_view kDefaultSlice = "system.slice";
// A rootless container's default slice, in the user's manager (runc 1.1: user.slice).
inline constexpr std::string_view kUserDefaultSlice = "user.slice";

struct UnitName {
    std::string slice;  // the parent slice ("system.slice" when the path names none)
    std::string unit;   // "<prefix>-<name>.scope", or "<name>" when name is itself a slice
    bool isSlice() const;
};

// As runc: empty -> {defaultSlice, "runc-cpp-<id>.scope"}; otherwise exactly three
// ':'-separated fields, an empty slice meaning defaultSlice (system.slice; user.slice for a
// user's manager); a name ending in ".slice" makes
// a slice unit instead of a scope. Unit and slice names must be valid systemd unit names
// (no '/', no characters outside [A-Za-z0-9:_.\\@-]).
Result<UnitName> parseCgroupsPath(std::string_view cgroupsPath, std::string_view containerId,
                                  std::string_view defaultSlice = kDefaultSlice);

// systemd's slice nesting: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", "-.slice" -> "/".
// Errors for names that are not slices or have empty components ("a--b.slice", "-a.slice").
Result<std::string> expandSlice(std::string_view slice);

// The unit's cgroup directory below mountRoot: mountRoot + managerCgroup + expandSlice(slice)
// + "/" + unit. managerCgroup is the manager's own cgroup (its ControlGroup property): empty
// or "/" for the system manager, "/user.slice/user-1000.slice/user@1000.service" for a user's,
// whose slices live below it; it must be absolute, without "." or ".." components.
Result<std::string> unitCgroupPath(std::string_view mountRoot, const UnitName& u, std::string_view managerCgroup = {});

// Whether `name` is a plausible systemd unit name (non-empty, at most 255 bytes, only
// [A-Za-z0-9:_.\\@-], with a type suffix).
bool validUnitName(std::string_view name);

}  // namespace lc::cgroups::systemd
