// The v1 (and hybrid) manager: the container has one directory per mounted v1 hierarchy, plus
// one in the unified hierarchy on hybrid hosts.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "cgroups/checks.h"
#include "cgroups/devices/rules.h"
#include "cgroups/fs.h"
#include "cgroups/internal.h"
#include "cgroups/resources.h"
#include "cgroups/v1/v1.h"
#include "cgroups/v2/v2.h"

namespace lc::cgroups::v1 {
namespace {

using namespace std::chrono_literals;

class V1Manager final : public Manager {
public:
    V1Manager(std::vector<V1Hierarchy> h, std::string unifiedMount, std::string unifiedPath)
        : hier_(std::move(h)), unifiedMount_(std::move(unifiedMount)), unifiedPath_(std::move(unifiedPath)) {}

    Layout layout() const override { return unifiedPath_.empty() ? Layout::V1 : Layout::Hybrid; }

    Result<void> create() override {
        for (const auto& h : hier_) {
            LC_TRY(mkdirAll(h.path));
            if (has(h, "cpuset")) LC_TRY_CTX(ensureCpuset(h.mountpoint, h.path), "cpuset " + h.path);
        }
        if (!unifiedPath_.empty()) LC_TRY(mkdirAll(unifiedPath_));
        return {};
    }

    Result<void> set(const spec::Resources& res) override;

    Result<void> addProcess(pid_t pid) override {
        for (const auto& h : hier_) LC_TRY(writeProc(h.path, pid));
        if (!unifiedPath_.empty()) LC_TRY(writeProc(unifiedPath_, pid));
        return {};
    }

    Result<UniqueFd> openLeafForClone() override { return UniqueFd(); }

    Result<JoinPlan> openJoinPlan() override {
        JoinPlan plan;
        for (const auto& h : hier_) {
            std::string p = joinPath(h.path, "tasks");
            UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC));
            if (!fd) return errnoError("open " + p);
            plan.selfJoin.push_back(std::move(fd));
        }
        if (!unifiedPath_.empty()) {
            plan.cloneInto.reset(::open(unifiedPath_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!plan.cloneInto) return errnoError("open " + unifiedPath_);
        }
        return plan;
    }

    Result<void> freeze() override {
        auto dir = freezerDir();
        if (!dir) return std::unexpected(dir.error());
        return v1::freeze(*dir);
    }
    Result<void> thaw() override {
        auto dir = freezerDir();
        if (!dir) return std::unexpected(dir.error());
        return v1::thaw(*dir);
    }
    Result<bool> isFrozen() override {
        auto dir = freezerDir();
        if (!dir) return std::unexpected(dir.error());
        return v1::isFrozen(*dir);
    }

    Result<bool> joinWouldFreeze() override {
        if (const V1Hierarchy* h = find("freezer")) {
            auto frozen = v1::joinWouldFreeze(h->mountpoint, h->path);
            if (!frozen || *frozen) return frozen;
        }
        if (unifiedPath_.empty()) return false;
        return v2::joinWouldFreeze(unifiedMount_, unifiedPath_);
    }

    Result<std::vector<pid_t>> pids() override {
        const V1Hierarchy* h = pidsHierarchy();
        if (!h) {
            if (!unifiedPath_.empty()) return readProcs(unifiedPath_, true);
            return fail(ENOENT, "no cgroup hierarchy to list processes from");
        }
        return readProcs(h->path, true);
    }

    Result<void> destroy() override;
    Result<Stats> stats() override;

    Result<uint64_t> oomKillCount() override {
        const V1Hierarchy* h = find("memory");
        if (!h) return fail(ENOENT, "memory cgroup is not mounted");
        return v1::oomKillCount(h->path);
    }

    std::map<std::string, std::string> paths() const override {
        std::map<std::string, std::string> out;
        for (const auto& h : hier_)
            for (const auto& c : h.controllers) out[c] = h.path;
        if (!unifiedPath_.empty()) out[""] = unifiedPath_;
        return out;
    }

private:
    static bool has(const V1Hierarchy& h, std::string_view c) {
        return std::find(h.controllers.begin(), h.controllers.end(), c) != h.controllers.end();
    }
    const V1Hierarchy* find(std::string_view controller) const {
        for (const auto& h : hier_)
            if (has(h, controller)) return &h;
        return nullptr;
    }
    const V1Hierarchy* pidsHierarchy() const {
        for (const char* c : {"pids", "devices", "memory", "cpu", "freezer"})
            if (const auto* h = find(c)) return h;
        return hier_.empty() ? nullptr : &hier_.front();
    }
    Result<std::string> freezerDir() const {
        const V1Hierarchy* h = find("freezer");
        if (!h) return fail(ENOENT, "freezer cgroup is not mounted");
        return h->path;
    }

    // Where to write a controller's settings: its v1 directory or, on hybrid hosts, the unified
    // directory when only the unified hierarchy has the controller.
    struct Target { std::string dir; bool v2 = false; };
    Result<Target> target(const char* v1Name, const char* v2Name, std::string_view field,
                          std::string_view file) {
        if (const auto* h = find(v1Name)) return Target{h->path, false};
        if (!unifiedPath_.empty() && v2Name) {
            auto ctrls = v2::availableControllers(unifiedMount_);
            if (ctrls && std::find(ctrls->begin(), ctrls->end(), v2Name) != ctrls->end()) {
                LC_TRY(v2::enableController(unifiedMount_, unifiedPath_, v2Name, field));
                return Target{unifiedPath_, true};
            }
        }
        return fail(std::string(field) + ": " + std::string(file) + ": the " + v1Name +
                                " cgroup controller is not mounted");
    }

    std::vector<V1Hierarchy> hier_;
    std::string unifiedMount_, unifiedPath_;
};

Result<void> V1Manager::set(const spec::Resources& res) {
    // Validate the device rules before writing anything.
    auto rules = devices::rulesFromSpec(res.devices);
    if (!rules) return std::unexpected(rules.error());
    // runc refuses unified on v1 and hybrid hosts alike (validateResources() says so first).
    if (!res.unified.empty()) return fail(EOPNOTSUPP, std::string(kV1NoUnified));

    if (res.cpu && wantsCpuset(*res.cpu)) {
        auto t = target("cpuset", "cpuset", "linux.resources.cpu.cpus", "cpuset.cpus");
        if (!t) return std::unexpected(t.error());
        LC_TRY(t->v2 ? v2::setCpuset(t->dir, *res.cpu) : setCpuset(t->dir, *res.cpu));
    }
    if (!rules->empty()) {
        auto t = target("devices", nullptr, "linux.resources.devices", "devices.allow");
        if (!t) return std::unexpected(t.error());
        LC_TRY(setDevices(t->dir, *rules));
    }
    if (res.memory && wantsMemory(*res.memory)) {
        auto t = target("memory", "memory", "linux.resources.memory", "memory.limit_in_bytes");
        if (!t) return std::unexpected(t.error());
        LC_TRY(t->v2 ? v2::setMemory(t->dir, *res.memory) : setMemory(t->dir, *res.memory));
    }
    if (res.cpu && wantsCpu(*res.cpu)) {
        auto t = target("cpu", "cpu", "linux.resources.cpu", "cpu.shares");
        if (!t) return std::unexpected(t.error());
        LC_TRY(t->v2 ? v2::setCpu(t->dir, *res.cpu) : setCpu(t->dir, *res.cpu));
    }
    if (res.pids && res.pids->limit != 0) {
        auto t = target("pids", "pids", "linux.resources.pids.limit", "pids.max");
        if (!t) return std::unexpected(t.error());
        LC_TRY(t->v2 ? v2::setPids(t->dir, *res.pids) : setPids(t->dir, *res.pids));
    }
    if (res.blockIO && wantsBlockIO(*res.blockIO)) {
        auto t = target("blkio", "io", "linux.resources.blockIO", "blkio.weight");
        if (!t) return std::unexpected(t.error());
        LC_TRY(t->v2 ? v2::setIo(t->dir, *res.blockIO) : setBlkio(t->dir, *res.blockIO));
    }
    if (!res.hugepageLimits.empty()) {
        auto t = target("hugetlb", "hugetlb", "linux.resources.hugepageLimits", "hugetlb.<size>.limit_in_bytes");
        if (!t) return std::unexpected(t.error());
        LC_TRY(t->v2 ? v2::setHugetlb(t->dir, res.hugepageLimits) : setHugetlb(t->dir, res.hugepageLimits));
    }
    if (res.network && wantsNetCls(*res.network)) {
        auto t = target("net_cls", nullptr, "linux.resources.network.classID", "net_cls.classid");
        if (!t) return std::unexpected(t.error());
        LC_TRY(setNetCls(t->dir, *res.network));
    }
    if (res.network && wantsNetPrio(*res.network)) {
        auto t = target("net_prio", nullptr, "linux.resources.network.priorities", "net_prio.ifpriomap");
        if (!t) return std::unexpected(t.error());
        LC_TRY(setNetPrio(t->dir, *res.network));
    }
    if (!res.rdma.empty()) {
        auto t = target("rdma", "rdma", "linux.resources.rdma", "rdma.max");
        if (!t) return std::unexpected(t.error());
        LC_TRY(setRdma(t->dir, res.rdma));
    }
    return {};
}

Result<void> V1Manager::destroy() {
    // Never kill or remove a hierarchy's root.
    for (const auto& h : hier_)
        if (h.path.size() <= h.mountpoint.size())
            return fail(EINVAL, "refusing to destroy " + h.path + ": it is a hierarchy root");
    if (!unifiedPath_.empty() && unifiedPath_.size() <= unifiedMount_.size())
        return fail(EINVAL, "refusing to destroy " + unifiedPath_ + ": it is a hierarchy root");

    // Kill what is left: cgroup.kill on the unified side of hybrid hosts when the kernel has it;
    // and freeze, SIGKILL everything, thaw (tasks frozen by the v1 freezer, e.g. a paused
    // container, only die once thawed). Then wait, bounded, until nothing is left.
    if (!unifiedPath_.empty()) (void)writeFileIfExists("", unifiedPath_, "cgroup.kill", "1");
    const V1Hierarchy* ph = pidsHierarchy();
    const V1Hierarchy* fh = find("freezer");
    const pid_t self = ::getpid();
    bool done = ph == nullptr;
    for (int i = 0; !done && i < 300; ++i) {
        auto procs = readProcs(ph->path, true);
        if (!procs) {
            if (procs.error().errnum() != ENOENT) return std::unexpected(procs.error());
            done = true;  // already removed
            break;
        }
        std::erase(*procs, self);
        if (procs->empty()) {
            done = true;
            break;
        }
        if (i % 10 == 0) {
            if (i == 0 && fh) (void)v1::freeze(fh->path);  // nothing forks while we kill
            for (pid_t p : *procs) ::kill(p, SIGKILL);
            if (fh) (void)v1::thaw(fh->path);
        }
        sleepFor(10ms);
    }
    if (!done) return fail(EBUSY, "destroy: processes are left in " + ph->path + " after 3s");

    std::optional<Error> first;
    for (const auto& h : hier_) {
        auto r = removeCgroupTree(h.path);
        if (!r && !first) first = r.error();
    }
    if (!unifiedPath_.empty()) {
        auto r = removeCgroupTree(unifiedPath_);
        if (!r && !first) first = r.error();
    }
    if (first) return std::unexpected(*first);
    return {};
}

Result<Stats> V1Manager::stats() {
    Stats s;
    const auto* cpu = find("cpu");
    const auto* cpuacct = find("cpuacct");
    LC_TRY(cpuStats(cpu ? cpu->path : "", cpuacct ? cpuacct->path : "", s));
    if (const auto* h = find("memory")) LC_TRY(memoryStats(h->path, s));
    if (const auto* h = find("pids")) LC_TRY(pidsStats(h->path, s));
    if (const auto* h = find("blkio")) LC_TRY(blkioStats(h->path, s));
    if (const auto* h = find("hugetlb")) LC_TRY(hugetlbStats(h->path, s));
    else if (!unifiedPath_.empty()) LC_TRY(v2::hugetlbStats(unifiedPath_, s));
    return s;
}

}  // namespace

std::unique_ptr<Manager> makeManager(std::vector<V1Hierarchy> hierarchies, std::string unifiedMount,
                                     std::string unifiedPath) {
    return std::make_unique<V1Manager>(std::move(hierarchies), std::move(unifiedMount), std::move(unifiedPath));
}

}  // namespace lc::cgroups::v1

namespace lc::cgroups {

size_t joinSelf(const int* fds, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        ssize_t w;
        do w = ::write(fds[i], "0", 1); while (w < 0 && errno == EINTR);
        if (w != 1) {
            if (w >= 0) errno = EIO;
            return i + 1;
        }
    }
    return 0;
}

}  // namespace lc::cgroups
