// What `metrics` and `stats` read of a live container: its cgroup's stats (lc::Container::stats),
// its network namespace's interface counters (/proc/<init>/net/dev), its processes and
// threads, OOM kills, the CPU and memory settings of its spec and the labels of its meta.json.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/stats.h"
#include "store.h"

namespace mgr::metrics {

struct NetDev {
    std::string name;
    uint64_t rxBytes = 0, rxPackets = 0, rxErrors = 0, rxDropped = 0;
    uint64_t txBytes = 0, txPackets = 0, txErrors = 0, txDropped = 0;
};

// The interfaces of a /proc/<pid>/net/dev text (its two header lines skipped; a line that
// does not parse is skipped).
std::vector<NetDev> parseNetDev(std::string_view text);
// Whether cAdvisor leaves an interface out of the network metrics: lo, and the host ends of
// container links (veth*, docker*, nerdctl*) when a container shares the host's namespace.
bool ignoredInterface(std::string_view name);

struct BlockDev {
    std::string device;  // "/dev/sda", or "MAJ:MIN" when the name is unknown
    uint64_t readBytes = 0, writeBytes = 0, reads = 0, writes = 0;
};

struct Sample {
    Meta meta;
    Status status;
    std::string cgroup;  // the container's cgroup path ("/mgr/<id>"), cAdvisor's id label
    lc::Stats st;
    std::vector<NetDev> net;  // ignoredInterface() ones left out
    std::vector<BlockDev> block;
    uint64_t processes = 0, threads = 0;
    std::optional<uint64_t> oomKills;
    // from the container's spec (0: not set)
    uint64_t cpuShares = 0, cpuPeriod = 0, memoryReservation = 0;
    int64_t cpuQuota = 0;
    std::map<std::string, std::string> labels;  // meta.json "labels"
    int64_t at = 0;  // ns since the epoch
};

// Samples a running or paused container; an error when it has no cgroup to read (it exited
// or was removed in the meantime).
lc::Result<Sample> collect(const Store& store, const Meta& meta, const Status& status);
// Every running or paused container under the root, oldest first; `failures` counts those
// that could not be read.
std::vector<Sample> collectAll(const Store& store, int* failures = nullptr);

// Memory in use minus the inactive page cache (cAdvisor's working set, docker stats' usage).
uint64_t workingSet(const lc::Stats& st);
// A memory.stat value by its v1 (hierarchical "total_" key) or v2 name, 0 when absent.
uint64_t memoryStat(const lc::Stats& st, const char* v1Key, const char* v2Key);
// A memory limit as cAdvisor exports it: 0 for unlimited (above 2^62).
uint64_t memoryLimitValue(uint64_t limit);
// MemTotal of /proc/meminfo in bytes (0 when unreadable).
uint64_t hostMemoryBytes();
// The blkio entries per device.
std::vector<BlockDev> blockDevices(const lc::Stats& st);

}  // namespace mgr::metrics
