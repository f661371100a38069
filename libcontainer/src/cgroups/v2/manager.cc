// The cgroup v2 manager: one directory in the unified hierarchy.
#include <fcntl.h>

#include "cgroups/devices/rules.h"
#include "cgroups/fs.h"
#include "cgroups/internal.h"
#include "cgroups/resources.h"
#include "cgroups/v2/v2.h"

namespace lc::cgroups::v2 {
namespace {

class V2Manager final : public Manager {
public:
    V2Manager(std::string mountRoot, std::string path) : root_(std::move(mountRoot)), path_(std::move(path)) {}

    Layout layout() const override { return Layout::V2; }

    Result<void> create() override { return createPath(root_, path_, true); }

    Result<void> set(const spec::Resources& res) override {
        auto rules = devices::rulesFromSpec(res.devices);
        if (!rules) return std::unexpected(rules.error());
        if (res.network && (wantsNetCls(*res.network) || wantsNetPrio(*res.network)))
            return fail(EOPNOTSUPP, std::string("linux.resources.network.") +
                                        (wantsNetCls(*res.network) ? "classID" : "priorities") +
                                        ": net_cls/net_prio do not exist on cgroup v2");
        // runc's order; unified last so that its raw values win.
        if (res.pids) LC_TRY(setPids(path_, *res.pids));
        if (res.memory && wantsMemory(*res.memory)) LC_TRY(setMemory(path_, *res.memory));
        if (res.blockIO && wantsBlockIO(*res.blockIO)) LC_TRY(setIo(path_, *res.blockIO));
        if (res.cpu && wantsCpu(*res.cpu)) LC_TRY(setCpu(path_, *res.cpu));
        if (!rules->empty()) LC_TRY(setDevices(path_, *rules));
        if (res.cpu && wantsCpuset(*res.cpu)) LC_TRY(setCpuset(path_, *res.cpu));
        if (!res.hugepageLimits.empty()) LC_TRY(setHugetlb(path_, res.hugepageLimits));
        if (!res.rdma.empty()) LC_TRY(setRdma(path_, res.rdma));
        if (!res.unified.empty()) LC_TRY(setUnified(path_, res.unified));
        return {};
    }

    Result<void> addProcess(pid_t pid) override { return writeProc(path_, pid); }

    Result<UniqueFd> openLeafForClone() override {
        UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd) {
            int err = errno;
            return errnoError("open " + path_, err);
        }
        return fd;
    }

    Result<void> freeze() override { return v2::freeze(path_); }
    Result<void> thaw() override { return v2::thaw(path_); }
    Result<bool> isFrozen() override { return v2::isFrozen(path_); }
    Result<bool> joinWouldFreeze() override { return v2::joinWouldFreeze(root_, path_); }
    Result<std::vector<pid_t>> pids() override { return readProcs(path_, true); }

    Result<void> destroy() override {
        if (path_.size() <= root_.size())
            return fail(EINVAL, "refusing to destroy " + path_ + ": it is the hierarchy root");
        LC_TRY(killAll(path_));
        return removeCgroupTree(path_);
    }

    Result<Stats> stats() override {
        Stats s;
        LC_TRY(cpuStats(path_, s));
        LC_TRY(memoryStats(path_, s));
        LC_TRY(pidsStats(path_, s));
        LC_TRY(ioStats(path_, s));
        LC_TRY(hugetlbStats(path_, s));
        return s;
    }

    Result<uint64_t> oomKillCount() override { return v2::oomKillCount(path_); }

    std::map<std::string, std::string> paths() const override { return {{"", path_}}; }

private:
    std::string root_, path_;
};

}  // namespace

std::unique_ptr<Manager> makeManager(std::string mountRoot, std::string path) {
    return std::make_unique<V2Manager>(std::move(mountRoot), std::move(path));
}

}  // namespace lc::cgroups::v2
