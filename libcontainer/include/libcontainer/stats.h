// Resource usage of a container's cgroup (Container::stats()).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lc {

struct Stats {
    // cpu
    uint64_t cpuUsageTotalNs = 0, cpuUsageUserNs = 0, cpuUsageKernelNs = 0;
    std::vector<uint64_t> cpuPerCpuNs;
    uint64_t cpuThrottlingPeriods = 0, cpuThrottledPeriods = 0, cpuThrottledTimeNs = 0;
    // memory
    uint64_t memoryUsage = 0, memoryMaxUsage = 0, memoryLimit = 0, memoryFailcnt = 0;
    // memory+swap, as cgroup v1's memsw files report it (v2: memory.swap.* plus memory.*).
    // Limits read "max" on v2 are UINT64_MAX.
    uint64_t swapUsage = 0, swapLimit = 0;
    std::map<std::string, uint64_t> memoryStat;  // memory.stat keys as the kernel names them
    // pids
    uint64_t pidsCurrent = 0, pidsLimit = 0;  // limit 0 = max
    // blkio: (major, minor, op, value)
    struct BlkioEntry { uint64_t major, minor; std::string op; uint64_t value; };
    std::vector<BlkioEntry> ioServiceBytes, ioServiced;
    // hugetlb: page size ("2MB") -> usage, max (the limit), failcnt (v2: "max" in .events)
    struct Hugetlb { uint64_t usage = 0, max = 0, failcnt = 0; };
    std::map<std::string, Hugetlb> hugetlb;
};

}  // namespace lc
