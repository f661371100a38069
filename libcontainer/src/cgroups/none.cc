// The rootless container without a cgroup (runc's rootless cgroup manager when the cgroup
// could not be made for lack of permission): nothing to create, join or remove; a limit in
// the config is an error, device rules are ignored (an unprivileged user namespace cannot
// create device nodes anyway).
#include "cgroups/manager.h"
#include "cgroups/resources.h"

namespace lc::cgroups {
namespace {

Result<void> noCgroup(const char* what) {
    return fail(EPERM, std::string(what) + ": the container has no cgroup (rootless, without permission to create one)");
}

class NoneManager final : public Manager {
public:
    explicit NoneManager(Layout l) : layout_(l) {}
    Layout layout() const override { return layout_; }
    Result<void> create() override { return {}; }
    Result<void> set(const spec::Resources& res) override {
        std::string c = firstLimited(res);
        if (c.empty()) return {};
        return fail(EPERM, "cannot set " + c + " limit: container could not join or create cgroup");
    }
    Result<void> addProcess(pid_t) override { return {}; }
    Result<UniqueFd> openLeafForClone() override { return UniqueFd(); }
    Result<void> freeze() override { return noCgroup("freeze"); }
    Result<void> thaw() override { return noCgroup("thaw"); }
    Result<bool> isFrozen() override { return false; }
    Result<bool> joinWouldFreeze() override { return false; }
    Result<std::vector<pid_t>> pids() override {
        return std::unexpected(noCgroup("list processes").error());
    }
    Result<void> destroy() override { return {}; }
    Result<Stats> stats() override { return std::unexpected(noCgroup("stats").error()); }
    Result<uint64_t> oomKillCount() override { return uint64_t{0}; }
    std::map<std::string, std::string> paths() const override { return {}; }

private:
    Layout layout_;
};

}  // namespace

std::string firstLimited(const spec::Resources& r) {
    // In runc's order of cgroup v1 subsystems.
    if (r.cpu && wantsCpuset(*r.cpu)) return "cpuset";
    if (r.memory && wantsMemory(*r.memory)) return "memory";
    if (r.cpu && wantsCpu(*r.cpu)) return "cpu";
    if (r.pids && r.pids->limit != 0) return "pids";
    if (r.blockIO && wantsBlockIO(*r.blockIO)) return "blkio";
    if (!r.hugepageLimits.empty()) return "hugetlb";
    if (r.network && wantsNetCls(*r.network)) return "net_cls";
    if (r.network && wantsNetPrio(*r.network)) return "net_prio";
    if (!r.rdma.empty()) return "rdma";
    if (!r.unified.empty()) return "unified";
    return "";
}

std::unique_ptr<Manager> makeNone(Layout layout) { return std::make_unique<NoneManager>(layout); }

}  // namespace lc::cgroups
