// cgroup v1 controllers: one writer per controller, each taking the controller's directory.
// Field errors read "linux.resources.<field>: <file>: <reason>".
#pragma once

#include <span>
#include <string>

#include "cgroups/devices/rules.h"
#include "cgroups/manager.h"

namespace lc::cgroups::v1 {

// memory.limit_in_bytes / memsw / soft_limit / kmem / kmem.tcp / swappiness / oom_control /
// use_hierarchy. Limit and memsw are written in the order the kernel accepts (memsw first when
// raising, limit first when lowering). A missing memsw file is an error unless swap is -1 or
// equals the limit (nothing to enforce then).
Result<void> setMemory(const std::string& dir, const spec::Memory& m);
// cpu.shares (read back: the kernel clamps), cfs_period/quota (period retried after quota on
// EINVAL, as runc does), cfs_burst_us, rt_period/rt_runtime, cpu.idle.
Result<void> setCpu(const std::string& dir, const spec::Cpu& c);
Result<void> setCpuset(const std::string& dir, const spec::Cpu& c);
// New v1 cpuset cgroups start with empty cpuset.cpus/mems, and joining one fails with ENOSPC:
// copy the parent's values down from the mount point to `dir` wherever they are empty.
Result<void> ensureCpuset(const std::string& mountpoint, const std::string& dir);
Result<void> setPids(const std::string& dir, const spec::Pids& p);
Result<void> setBlkio(const std::string& dir, const spec::BlockIO& b);
Result<void> setHugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits);
Result<void> setNetCls(const std::string& dir, const spec::Network& n);
Result<void> setNetPrio(const std::string& dir, const spec::Network& n);
Result<void> setRdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma);
// "a" to devices.deny, then each rule in order to devices.allow / devices.deny.
Result<void> setDevices(const std::string& dir, std::span<const devices::Rule> rules);

// freezer.state: FROZEN (retried while FREEZING, with an occasional thaw as runc does; bounded),
// THAWED.
Result<void> freeze(const std::string& dir);
Result<void> thaw(const std::string& dir);
Result<bool> isFrozen(const std::string& dir);
// freezer.state of `dir`, else of its nearest existing ancestor below `mountpoint`, is FROZEN or
// FREEZING (v1 reports the state a cgroup inherits from a frozen ancestor).
Result<bool> joinWouldFreeze(const std::string& mountpoint, const std::string& dir);

// Stats readers; files the host lacks are skipped.
Result<void> cpuStats(const std::string& cpuDir, const std::string& cpuacctDir, Stats& s);
Result<void> memoryStats(const std::string& dir, Stats& s);
Result<void> pidsStats(const std::string& dir, Stats& s);
Result<void> blkioStats(const std::string& dir, Stats& s);
Result<void> hugetlbStats(const std::string& dir, Stats& s);
Result<uint64_t> oomKillCount(const std::string& memoryDir);

// Reads an optional number file: nullopt when it does not exist.
Result<std::optional<uint64_t>> readOptionalUint(const std::string& dir, std::string_view file);

}  // namespace lc::cgroups::v1
