// Resource writers whose files are the same on cgroup v1 and v2 but for their names.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::cgroups {

// pids.max: 0 leaves it alone (Docker's update sends 0 for "unchanged"), below 0 is "max".
Result<void> writePidsMax(const std::string& dir, const spec::Pids& p);
// hugetlb.<size><limitSuffix>, and hugetlb.<size><rsvdSuffix> when the kernel has it.
Result<void> writeHugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits,
                          const char* limitSuffix, const char* rsvdSuffix);

}  // namespace lc::cgroups
