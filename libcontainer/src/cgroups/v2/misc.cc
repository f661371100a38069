// pids, hugetlb, rdma, unified and devices on cgroup v2.
#include <fcntl.h>

#include <string>

#include "cgroups/devices/bpf.h"
#include "cgroups/common.h"
#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v1/v1.h"
#include "cgroups/v2/v2.h"
#include "libcontainer/unique_fd.h"

namespace lc::cgroups::v2 {

Result<void> setPids(const std::string& dir, const spec::Pids& p) { return writePidsMax(dir, p); }

Result<void> setHugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits) {
    return writeHugetlb(dir, limits, ".max", ".rsvd.max");
}

Result<void> setRdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma) {
    return v1::setRdma(dir, rdma);  // same file and syntax
}

Result<void> setUnified(const std::string& dir, const std::map<std::string, std::string>& unified) {
    for (const auto& [key, value] : unified) {
        std::string field = "linux.resources.unified[\"" + key + "\"]";
        size_t dot = key.find('.');
        if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos ||
            dot == std::string::npos || dot == 0 || dot + 1 == key.size())
            return fail(EINVAL, field + ": not a cgroup file name");
        LC_TRY(writeFile(field, dir, key, value));
    }
    return {};
}

Result<void> setDevices(const std::string& dir, std::span<const devices::Rule> rules) {
    if (rules.empty()) return {};
    auto prog = devices::buildProgram(rules);
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        return errnoError("linux.resources.devices: open " + dir, err);
    }
    return devices::attachProgram(fd.get(), prog, dir);
}

}  // namespace lc::cgroups::v2
