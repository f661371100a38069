#include <unistd.h>

#include <string>

#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v1/v1.h"

namespace lc::cgroups::v1 {

Result<void> setCpu(const std::string& dir, const spec::Cpu& c) {
    if (isSet(c.shares)) {
        LC_TRY(writeFile("linux.resources.cpu.shares", dir, "cpu.shares", std::to_string(*c.shares)));
        // The kernel clamps shares to its range; say so rather than run with another value.
        auto got = readUint(dir, "cpu.shares");
        if (!got) return std::unexpected(got.error().wrap("linux.resources.cpu.shares"));
        if (*got != *c.shares)
            return fail(EINVAL, "linux.resources.cpu.shares: " + std::to_string(*c.shares) +
                                    " is out of range (the " +
                                    (*got < *c.shares ? "maximum" : "minimum") + " is " +
                                    std::to_string(*got) + ")");
    }
    const int64_t quota = c.quota.value_or(0);
    bool retryPeriod = false;
    if (isSet(c.period)) {
        auto r = writeFile("linux.resources.cpu.period", dir, "cpu.cfs_period_us", std::to_string(*c.period));
        if (!r) {
            // A smaller period can be refused while the old quota/new period exceeds the
            // parent's; set the quota first and retry.
            if (r.error().errnum() != EINVAL || quota == 0) return r;
            retryPeriod = true;
        }
    }
    if (quota != 0) {
        LC_TRY(writeFile("linux.resources.cpu.quota", dir, "cpu.cfs_quota_us", std::to_string(quota)));
        if (retryPeriod)
            LC_TRY(writeFile("linux.resources.cpu.period", dir, "cpu.cfs_period_us", std::to_string(*c.period)));
    }
    if (c.burst)
        LC_TRY(writeFile("linux.resources.cpu.burst", dir, "cpu.cfs_burst_us", std::to_string(*c.burst)));
    if (isSet(c.realtimePeriod))
        LC_TRY(writeFile("linux.resources.cpu.realtimePeriod", dir, "cpu.rt_period_us",
                         std::to_string(*c.realtimePeriod)));
    if (isSet(c.realtimeRuntime))
        LC_TRY(writeFile("linux.resources.cpu.realtimeRuntime", dir, "cpu.rt_runtime_us",
                         std::to_string(*c.realtimeRuntime)));
    if (c.idle) LC_TRY(writeFile("linux.resources.cpu.idle", dir, "cpu.idle", std::to_string(*c.idle)));
    return {};
}

Result<void> setCpuset(const std::string& dir, const spec::Cpu& c) {
    if (!c.cpus.empty()) LC_TRY(writeFile("linux.resources.cpu.cpus", dir, "cpuset.cpus", c.cpus));
    if (!c.mems.empty()) LC_TRY(writeFile("linux.resources.cpu.mems", dir, "cpuset.mems", c.mems));
    return {};
}

Result<void> ensureCpuset(const std::string& mountpoint, const std::string& dir) {
    if (dir.size() <= mountpoint.size() || dir.compare(0, mountpoint.size(), mountpoint) != 0)
        return {};
    auto readTrim = [](const std::string& d, const char* f) -> Result<std::string> {
        auto v = readFile(d, f);
        if (!v) return v;
        return std::string(trim(*v));
    };
    auto cpus = readTrim(mountpoint, "cpuset.cpus");
    if (!cpus) return std::unexpected(cpus.error());
    auto mems = readTrim(mountpoint, "cpuset.mems");
    if (!mems) return std::unexpected(mems.error());
    std::string cur = mountpoint;
    for (auto part : splitFields(std::string_view(dir).substr(mountpoint.size()), "/")) {
        cur = joinPath(cur, part);
        auto c = readTrim(cur, "cpuset.cpus");
        if (!c) return std::unexpected(c.error());
        if (c->empty()) LC_TRY(writeFile("", cur, "cpuset.cpus", *cpus));
        else *cpus = std::move(*c);
        auto m = readTrim(cur, "cpuset.mems");
        if (!m) return std::unexpected(m.error());
        if (m->empty()) LC_TRY(writeFile("", cur, "cpuset.mems", *mems));
        else *mems = std::move(*m);
    }
    return {};
}

Result<std::optional<uint64_t>> readOptionalUint(const std::string& dir, std::string_view file) {
    auto v = readUint(dir, file);
    if (v) return std::optional<uint64_t>(*v);
    if (v.error().errnum() == ENOENT) return std::optional<uint64_t>();
    return std::unexpected(v.error());
}

Result<void> cpuStats(const std::string& cpuDir, const std::string& cpuacctDir, Stats& s) {
    if (!cpuacctDir.empty()) {
        auto total = readOptionalUint(cpuacctDir, "cpuacct.usage");
        if (!total) return std::unexpected(total.error());
        if (*total) s.cpuUsageTotalNs = **total;
        auto percpu = readFile(cpuacctDir, "cpuacct.usage_percpu");
        if (percpu) {
            s.cpuPerCpuNs.clear();
            for (auto f : splitFields(*percpu))
                if (auto v = parseUint(f)) s.cpuPerCpuNs.push_back(*v);
        }
        auto stat = readFile(cpuacctDir, "cpuacct.stat");
        if (stat) {
            // USER_HZ ticks to nanoseconds.
            static const uint64_t hz = [] {
                long t = ::sysconf(_SC_CLK_TCK);
                return t > 0 ? static_cast<uint64_t>(t) : 100;
            }();
            const uint64_t nsPerTick = 1'000'000'000ull / hz;
            if (auto v = keyedValue(*stat, "user")) s.cpuUsageUserNs = *v * nsPerTick;
            if (auto v = keyedValue(*stat, "system")) s.cpuUsageKernelNs = *v * nsPerTick;
        }
    }
    if (!cpuDir.empty()) {
        auto stat = readFile(cpuDir, "cpu.stat");
        if (stat) {
            s.cpuThrottlingPeriods = keyedValue(*stat, "nr_periods").value_or(0);
            s.cpuThrottledPeriods = keyedValue(*stat, "nr_throttled").value_or(0);
            s.cpuThrottledTimeNs = keyedValue(*stat, "throttled_time").value_or(0);
        }
    }
    return {};
}

}  // namespace lc::cgroups::v1
