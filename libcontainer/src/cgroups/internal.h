// Constructors of the two manager implementations (used by make() and load()).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cgroups/manager.h"

namespace lc::cgroups {

// One v1 hierarchy the container belongs to.
struct V1Hierarchy {
    std::vector<std::string> controllers;  // "cpu", "cpuacct"; named ones as "name=systemd"
    std::string mountpoint;                // where the hierarchy is mounted
    std::string path;                      // the container's directory in it
};

namespace v1 {
// A v1 manager; with a non-empty unifiedPath it is the hybrid manager (the container is also
// placed in the unified hierarchy, and controllers only present there, such as hugetlb on some
// hosts, are set there).
std::unique_ptr<Manager> makeManager(std::vector<V1Hierarchy> hierarchies, std::string unifiedMount,
                                     std::string unifiedPath);
}  // namespace v1

namespace v2 {
std::unique_ptr<Manager> makeManager(std::string mountRoot, std::string path);
}  // namespace v2

}  // namespace lc::cgroups
