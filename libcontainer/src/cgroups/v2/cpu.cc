#include <algorithm>
#include <string>

#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v2/v2.h"

namespace lc::cgroups::v2 {

uint64_t cpuWeightFromShares(uint64_t shares) {
    if (shares == 0) return 0;
    shares = std::clamp<uint64_t>(shares, 2, 262144);
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t ioWeightFromBlkio(uint64_t weight) {
    if (weight == 0) return 0;
    weight = std::clamp<uint64_t>(weight, 10, 1000);
    return 1 + ((weight - 10) * 9999) / 990;
}

Result<void> setCpu(const std::string& dir, const spec::Cpu& c) {
    if (isSet(c.realtimeRuntime) || isSet(c.realtimePeriod))
        return fail(EOPNOTSUPP, std::string("linux.resources.cpu.") +
                                    (isSet(c.realtimeRuntime) ? "realtimeRuntime" : "realtimePeriod") +
                                    ": realtime scheduling limits are not supported on cgroup v2");
    if (c.idle) LC_TRY(writeFile("linux.resources.cpu.idle", dir, "cpu.idle", std::to_string(*c.idle)));
    if (isSet(c.shares))
        LC_TRY(writeFile("linux.resources.cpu.shares", dir, "cpu.weight",
                         std::to_string(cpuWeightFromShares(*c.shares))));
    const int64_t quota = c.quota.value_or(0);
    const uint64_t period = c.period.value_or(0);
    bool retryBurst = false;
    if (c.burst) {
        auto r = writeFile("linux.resources.cpu.burst", dir, "cpu.max.burst", std::to_string(*c.burst));
        if (!r) {
            // A larger burst can be refused until the new quota is in place; retry after it.
            if (r.error().errnum() != EINVAL || (quota == 0 && period == 0)) return r;
            retryBurst = true;
        }
    }
    if (quota != 0 || period != 0) {
        std::string v = quota > 0 ? std::to_string(quota) : std::string("max");
        if (quota == 0) {
            // Only the period: keep the quota in force (runc update does the same), rather
            // than lifting it to "max".
            if (auto cur = readFile(dir, "cpu.max")) {
                auto f = splitFields(*cur);
                if (!f.empty()) v = std::string(f[0]);
            }
        }
        if (period != 0) v += " " + std::to_string(period);
        LC_TRY(writeFile(quota != 0 ? "linux.resources.cpu.quota" : "linux.resources.cpu.period", dir,
                         "cpu.max", v));
        if (retryBurst)
            LC_TRY(writeFile("linux.resources.cpu.burst", dir, "cpu.max.burst", std::to_string(*c.burst)));
    }
    return {};
}

Result<void> setCpuset(const std::string& dir, const spec::Cpu& c) {
    if (!c.cpus.empty()) LC_TRY(writeFile("linux.resources.cpu.cpus", dir, "cpuset.cpus", c.cpus));
    if (!c.mems.empty()) LC_TRY(writeFile("linux.resources.cpu.mems", dir, "cpuset.mems", c.mems));
    return {};
}

}  // namespace lc::cgroups::v2
