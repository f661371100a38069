// The cgroup manager: one interface over cgroup v1, v2 and hybrid hosts.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/stats.h"
#include "libcontainer/unique_fd.h"
#include "spec/spec.h"

namespace lc::cgroups {

enum class Layout { V1, V2, Hybrid };

// Where the hierarchy lives; tests point these at fixture trees.
struct Options {
    std::string mountRoot = "/sys/fs/cgroup";
    std::string procRoot = "/proc";
    // The systemd driver (cgroups/systemd/): linux.cgroupsPath is "slice:prefix:name" and the
    // cgroup is a transient unit; `annotations` carry org.systemd.property.* for it, and
    // `systemdHelper` names runc-cpp-systemd when it is not in a standard place.
    bool systemd = false;
    // With systemd: the unit goes to the caller's own systemd instance (the user manager) with
    // its cgroup below that manager's, as runc does for a rootless container (bus.h).
    bool systemdUser = false;
    std::string systemdHelper;
    std::map<std::string, std::string> annotations;
};

// Picks the layout from the mount root (statfs magic, and <root>/unified on hybrid hosts).
// Plain directories (test fixtures) are recognised by layout: <root>/cgroup.controllers is v2,
// <root>/unified/cgroup.controllers is hybrid, sub-directories holding cgroup.procs are v1.
Result<Layout> detect(const Options& opts);

using Stats = lc::Stats;  // public: libcontainer/stats.h

// How a new process can enter its cgroup without the cost of addProcess(). A pid written to
// cgroup.procs (v1 or v2) takes the kernel's cgroup_threadgroup_rwsem for writing, which waits
// for an RCU grace period: 7 to 26 ms per container on the benchmark VM (docs/bench.md), paid
// once per addProcess() call. Neither of these takes that lock:
// - cloneInto: the leaf directory in the v2 hierarchy (v2 hosts, and the unified hierarchy of
//   hybrid hosts), for clone3(CLONE_INTO_CGROUP); invalid when there is none;
// - selfJoin: the `tasks` file of every v1 hierarchy, opened for writing. The new process,
//   while it is still single-threaded, writes "0" to each (joinSelf), which moves the caller's
//   only thread, and with it the process, without the global lock.
// A process cloned with cloneInto that ran joinSelf() on selfJoin is in every hierarchy: no
// addProcess() for it. The fds are O_CLOEXEC; the child closes selfJoin after joining.
struct JoinPlan {
    UniqueFd cloneInto;
    std::vector<UniqueFd> selfJoin;
};

// Writes "0" to each fd (see JoinPlan). Meant for a freshly cloned, single-threaded child:
// no allocation, no locks. Returns 0, or the 1-based index of the fd that failed with errno set.
size_t joinSelf(const int* fds, size_t n);

class Manager {
public:
    virtual ~Manager() = default;

    virtual Layout layout() const = 0;
    // Creates the cgroup directories (existing ones are reused, as runc does).
    virtual Result<void> create() = 0;
    // Writes every field of `res` that is set; a field the host cannot honour is an error
    // naming the field and the missing file. Zeros that Docker sends for "unset" (memory
    // limit/reservation/swap/kernel, cpu shares/quota/period, blockIO weight) are skipped.
    // Device rules are applied as listed, later rules overriding earlier ones (see
    // devices/rules.h); an empty list leaves device access untouched, and the runtime's
    // default device rules are the caller's to add.
    virtual Result<void> set(const spec::Resources& res) = 0;
    // Moves a process into the cgroup (all hierarchies).
    virtual Result<void> addProcess(pid_t pid) = 0;
    // On v2 (and hybrid's unified part is NOT used for this): an O_DIRECTORY fd of the leaf,
    // for clone3(CLONE_INTO_CGROUP). Invalid fd when the layout cannot do that.
    virtual Result<UniqueFd> openLeafForClone() = 0;
    // See JoinPlan. The default is openLeafForClone() and no self-join files.
    virtual Result<JoinPlan> openJoinPlan() {
        auto leaf = openLeafForClone();
        if (!leaf) return std::unexpected(leaf.error());
        return JoinPlan{std::move(*leaf), {}};
    }
    virtual Result<void> freeze() = 0;
    virtual Result<void> thaw() = 0;
    virtual Result<bool> isFrozen() = 0;
    // Whether a process entering the cgroup now would be frozen: the container's directory
    // (or, before create(), its nearest existing ancestor) is frozen or freezing, by itself or
    // through an ancestor. A cgroup in that state makes a new init hang in D state.
    virtual Result<bool> joinWouldFreeze() = 0;
    // Host pids of every process in the cgroup (and its children).
    virtual Result<std::vector<pid_t>> pids() = 0;
    // Kills everything left (cgroup.kill on v2; freeze + SIGKILL + thaw on v1), then removes
    // the directories in every hierarchy, retrying EBUSY. Missing directories are not errors.
    virtual Result<void> destroy() = 0;
    virtual Result<Stats> stats() = 0;
    // Number of OOM kills seen so far (memory.events oom_kill / memory.oom_control).
    virtual Result<uint64_t> oomKillCount() = 0;
    // Controller (or "" for the unified hierarchy) -> absolute directory; saved in state.json.
    virtual std::map<std::string, std::string> paths() const = 0;
};

// Resolves linux.cgroupsPath as runc does (absolute: under the mount root; relative or empty
// ("<id>"): under the calling process's own cgroup), for the detected layout. Creates nothing.
// With opts.systemd, the systemd driver (cgroup v2 hosts booted with systemd only).
Result<std::unique_ptr<Manager>> make(const Options& opts, const std::string& cgroupsPath,
                                      const std::string& containerId);
// A container without a cgroup (rootless, no permission to make one): paths() is empty, a
// limit in set() is runc's "cannot set <controller> limit" error, devices are ignored.
std::unique_ptr<Manager> makeNone(Layout layout);
// The first controller (runc's v1 order) that `res` asks a limit of, devices aside; "" if none.
std::string firstLimited(const spec::Resources& res);
// Rebuilds a manager from paths() saved earlier (a systemd unit when they name one).
Result<std::unique_ptr<Manager>> load(const Options& opts,
                                      const std::map<std::string, std::string>& paths);

}  // namespace lc::cgroups
