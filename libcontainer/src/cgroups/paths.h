// Where the hierarchies are: layout detection, v1 mounts from mountinfo, the caller's own
// cgroups from /proc/self/cgroup, and cgroupsPath normalisation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cgroups/manager.h"

namespace lc::cgroups {

// One mounted v1 hierarchy: its controllers ("cpu", "cpuacct"; named ones as "name=systemd").
struct V1Mount {
    std::vector<std::string> controllers;
    std::string mountpoint;  // absolute, no trailing slash
    std::string root;        // the mount's root inside the hierarchy ("/" normally)
};

// One line of /proc/<pid>/cgroup: "3:cpu,cpuacct:/x" -> {3, {"cpu","cpuacct"}, "/x"}.
struct ProcCgroup {
    int hierarchy = 0;
    std::vector<std::string> controllers;  // empty for the v2 line "0::/x"
    std::string path;
};

// The v1 hierarchies mounted directly under opts.mountRoot, from <procRoot>/self/mountinfo;
// when it lists none there, from the directory names under mountRoot ("cpu,cpuacct", "systemd").
Result<std::vector<V1Mount>> findV1Mounts(const Options& opts);
Result<std::vector<V1Mount>> parseV1Mountinfo(std::string_view mountinfo, std::string_view mountRoot);

Result<std::vector<ProcCgroup>> parseProcCgroup(std::string_view content);
Result<std::vector<ProcCgroup>> ownCgroups(const Options& opts);

// Normalises a cgroupsPath lexically ("a//b/./c" -> "a/b/c", "/x/" -> "/x"); an absolute
// path keeps its leading '/'. A ".." that would climb above the start is an error.
Result<std::string> cleanCgroupPath(std::string_view path);

// `exec --cgroup`'s sub-cgroup, relative to the container's cgroup: cleaned lexically, leading
// '/' dropped ("/a//b/../c" -> "a/c", "" and "/" -> ""). One that leaves the container's cgroup
// ("..", "a/../..") is an error "<sub> is not a sub cgroup path" (runc's words).
Result<std::string> subCgroupPath(std::string_view sub);

// Splits "cpu,cpuacct" into its controllers.
std::vector<std::string> splitControllers(std::string_view s);

}  // namespace lc::cgroups
