#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "cgroups/fs.h"
#include "cgroups/v1/v1.h"
#include "libcontainer/unique_fd.h"

namespace lc::cgroups::v1 {

Result<void> setDevices(const std::string& dir, std::span<const devices::Rule> rules) {
    if (rules.empty()) return {};
    LC_TRY(devices::checkV1Expressible(rules));
    const std::string denyPath = joinPath(dir, "devices.deny");
    const std::string allowPath = joinPath(dir, "devices.allow");
    UniqueFd deny(::open(denyPath.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!deny) {
        int err = errno;
        return errnoError("linux.resources.devices: " + denyPath, err);
    }
    UniqueFd allow(::open(allowPath.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!allow) {
        int err = errno;
        return errnoError("linux.resources.devices: " + allowPath, err);
    }
    auto put = [](int fd, const std::string& path, const std::string& line) -> Result<void> {
        std::string buf = line + "\n";
        if (::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) {
            int err = errno;
            return errnoError("linux.resources.devices: write \"" + line + "\" to " + path, err);
        }
        return {};
    };
    // Start from nothing allowed, then apply the list in order.
    LC_TRY(put(deny.get(), denyPath, "a"));
    for (const auto& r : rules) {
        if (r.allow) LC_TRY(put(allow.get(), allowPath, devices::v1String(r)));
        else LC_TRY(put(deny.get(), denyPath, devices::v1String(r)));
    }
    return {};
}

}  // namespace lc::cgroups::v1
