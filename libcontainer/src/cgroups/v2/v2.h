// cgroup v2 controllers: one writer per controller, each taking the cgroup directory. Also used
// for the unified part of hybrid hosts (controllers that are not on v1 there, e.g. hugetlb).
#pragma once

#include <span>
#include <string>

#include "cgroups/devices/rules.h"
#include "cgroups/manager.h"

namespace lc::cgroups::v2 {

// cpu.shares (2..262144, clamped) to cpu.weight (1..10000): 1 + ((shares - 2) * 9999) / 262142.
uint64_t cpuWeightFromShares(uint64_t shares);
// blkio weight (10..1000) to io.weight (1..10000): 1 + ((weight - 10) * 9999) / 990.
uint64_t ioWeightFromBlkio(uint64_t weight);
// OCI memory.swap is memory+swap; memory.swap.max is swap alone: swap - limit, "max" for -1
// (and for limit -1 with swap unset), "" when swap is unset.
Result<std::string> swapMax(int64_t swap, int64_t limit);

// mkdir -p of `leaf` below `mountRoot`. With enableControllers, first writes "+a +b ..." (the
// controllers in each ancestor's cgroup.controllers) to that ancestor's cgroup.subtree_control,
// from mountRoot down to leaf's parent, as runc does; a controller that cannot be enabled is
// skipped (setting a limit for it then fails naming the missing file).
Result<void> createPath(const std::string& mountRoot, const std::string& leaf, bool enableControllers);
// Enables one controller in every ancestor of `leaf` (hybrid hosts enable only what they use).
Result<void> enableController(const std::string& mountRoot, const std::string& leaf,
                              const std::string& controller, std::string_view field);
// The controllers listed in dir/cgroup.controllers.
Result<std::vector<std::string>> availableControllers(const std::string& dir);

Result<void> setMemory(const std::string& dir, const spec::Memory& m);
Result<void> setCpu(const std::string& dir, const spec::Cpu& c);
Result<void> setCpuset(const std::string& dir, const spec::Cpu& c);
Result<void> setPids(const std::string& dir, const spec::Pids& p);
Result<void> setIo(const std::string& dir, const spec::BlockIO& b);
Result<void> setHugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits);
Result<void> setRdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma);
// Writes each key's value verbatim to dir/<key>; keys must be plain "<controller>.<name>" names.
Result<void> setUnified(const std::string& dir, const std::map<std::string, std::string>& unified);
// Builds and attaches the eBPF device filter (devices/bpf.h).
Result<void> setDevices(const std::string& dir, std::span<const devices::Rule> rules);

// cgroup.freeze, waiting (bounded) for "frozen 1"/"frozen 0" in cgroup.events.
Result<void> freeze(const std::string& dir);
Result<void> thaw(const std::string& dir);
Result<bool> isFrozen(const std::string& dir);
// cgroup.freeze is 1 in `dir` or in any of its ancestors below `mountRoot` (directories that do
// not exist yet are skipped): a process entering `dir` would be frozen.
Result<bool> joinWouldFreeze(const std::string& mountRoot, const std::string& dir);
// Kills every process in dir and below (cgroup.kill; else freeze + SIGKILL + thaw) and waits,
// bounded, until none is left. Never signals the calling process.
Result<void> killAll(const std::string& dir);

Result<void> cpuStats(const std::string& dir, Stats& s);
Result<void> memoryStats(const std::string& dir, Stats& s);
Result<void> pidsStats(const std::string& dir, Stats& s);
Result<void> ioStats(const std::string& dir, Stats& s);
Result<void> hugetlbStats(const std::string& dir, Stats& s);
Result<uint64_t> oomKillCount(const std::string& dir);

}  // namespace lc::cgroups::v2
