// The systemd cgroup manager (cgroup v2): the container's cgroup is a transient scope that
// systemd creates with Delegate=yes and the resources as unit properties; what systemd has no
// property for (and the device eBPF program) is written through cgroupfs afterwards, as runc
// does. systemd needs a process to create a scope, so the unit is started in addProcess()
// with the init's pid; until then set() only keeps the resources.
#include <sys/stat.h>

#include <optional>

#include "cgroups/fs.h"
#include "cgroups/internal.h"
#include "cgroups/resources.h"
#include "cgroups/systemd/bus.h"
#include "cgroups/systemd/systemd.h"
#include "cgroups/v2/v2.h"
#include "util/fileutil.h"

namespace lc::cgroups::systemd {
namespace {

bool pathExists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

class SystemdManager final : public Manager {
public:
    SystemdManager(std::string root, UnitName name, std::string path, std::string helper, bool user,
                   Properties extra, bool started)
        : root_(std::move(root)), name_(std::move(name)), path_(std::move(path)), helper_(std::move(helper)),
          user_(user), extra_(std::move(extra)), started_(started), fs_(v2::makeManager(root_, path_)) {}

    Layout layout() const override { return Layout::V2; }

    Result<void> create() override {
        if (started_) return v2::createPath(root_, path_, true);
        return {};  // systemd makes the unit's cgroup in addProcess()
    }

    Result<void> set(const spec::Resources& res) override {
        spec::Resources r = res;
        if (started_ && r.cpu && !isSet(r.cpu->quota) && isSet(r.cpu->period)) {
            // Only the period: keep the quota in force (CPUQuotaPerSecUSec depends on both).
            if (auto cur = readFile(path_, "cpu.max")) {
                auto f = splitFields(*cur);
                if (!f.empty() && f[0] != "max")
                    if (auto q = parseUint(f[0])) r.cpu->quota = static_cast<int64_t>(*q);
            }
        }
        auto props = resourceProperties(r, 0);
        if (!props) return std::unexpected(props.error());
        auto rules = devices::rulesFromSpec(r.devices);
        if (!rules) return std::unexpected(rules.error());
        if (!rules->empty()) {
            std::string procDevices = util::readFile("/proc/devices").value_or("");
            auto dev = deviceProperties(*rules, procDevices, pathExists);
            props->insert(props->begin(), dev.begin(), dev.end());
        }
        if (!started_) {
            pending_ = res;
            pendingProps_ = std::move(*props);
            return {};
        }
        auto bus = connect();
        if (!bus) return std::unexpected(bus.error());
        LC_TRY_CTX(bus->set(name_.unit, *props), "unable to set unit properties");
        return fs_->set(forCgroupfs(res));
    }

    Result<void> addProcess(pid_t pid) override {
        if (started_) return writeProc(path_, pid);
        auto bus = connect();
        if (!bus) return std::unexpected(bus.error());
        Properties props;
        props.push_back(strProp("Description", "runc-cpp container " + name_.unit));
        if (name_.isSlice()) {
            props.push_back({"Wants", {"as", std::vector<std::string>{name_.slice}}});
        } else {
            props.push_back(strProp("Slice", name_.slice));
            props.push_back(boolProp("Delegate", true));
        }
        props.push_back({"PIDs", {"au", std::vector<uint32_t>{static_cast<uint32_t>(pid)}}});
        for (const char* a : {"MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting"})
            props.push_back(boolProp(a, true));
        props.push_back(boolProp("DefaultDependencies", false));
        props.insert(props.end(), extra_.begin(), extra_.end());
        props.insert(props.end(), pendingProps_.begin(), pendingProps_.end());
        auto started = bus->start(name_.unit, props);
        if (!started) {
            if (started.error().errnum() != EEXIST)
                return std::unexpected(started.error().wrap("unable to start unit \"" + name_.unit + "\""));
            // runc goes on with an existing unit: join its cgroup.
            LC_TRY(v2::createPath(root_, path_, true));
            LC_TRY(writeProc(path_, pid));
        }
        started_ = true;
        LC_TRY(v2::createPath(root_, path_, true));
        if (pending_) {
            LC_TRY(fs_->set(forCgroupfs(*pending_)));
            pending_.reset();
        }
        return {};
    }

    Result<UniqueFd> openLeafForClone() override {
        if (!started_) return UniqueFd();  // the unit does not exist yet: addProcess() it is
        return fs_->openLeafForClone();
    }

    Result<void> freeze() override { return fs_->freeze(); }
    Result<void> thaw() override { return fs_->thaw(); }
    Result<bool> isFrozen() override { return fs_->isFrozen(); }
    Result<bool> joinWouldFreeze() override { return fs_->joinWouldFreeze(); }
    Result<std::vector<pid_t>> pids() override { return fs_->pids(); }

    Result<void> destroy() override {
        // Everything in it dies first, so that stopping the scope does not wait for
        // TimeoutStopSec; then systemd stops the unit and forgets it; leftovers go last.
        if (auto k = v2::killAll(path_); !k && k.error().errnum() != ENOENT) return k;
        auto bus = connect();
        if (!bus) return std::unexpected(bus.error());
        LC_TRY(bus->stop(name_.unit));
        return removeCgroupTree(path_);
    }

    Result<Stats> stats() override { return fs_->stats(); }
    Result<uint64_t> oomKillCount() override { return fs_->oomKillCount(); }

    std::map<std::string, std::string> paths() const override {
        std::map<std::string, std::string> p{{"", path_}, {std::string(kUnitKey), name_.unit + ":" + name_.slice}};
        if (user_) p.emplace(std::string(kBusKey), std::string(kUserBus));
        return p;
    }

private:
    // What goes to cgroupfs after systemd: all of it, but for a user's manager without the
    // device rules - an unprivileged caller cannot load the device eBPF program, and runc
    // ignores that error for a rootless container (the systemd properties still carry them).
    spec::Resources forCgroupfs(const spec::Resources& res) const {
        spec::Resources r = res;
        if (user_) r.devices.clear();
        return r;
    }

    Result<Bus> connect() const {
        auto h = findHelper(helper_);
        if (!h) return std::unexpected(h.error());
        Endpoint ep;
        if (user_) {
            LC_TRY_ASSIGN(ep, userEndpoint());
        }
        return Bus(*h, std::move(ep));
    }

    std::string root_;
    UnitName name_;
    std::string path_;
    std::string helper_;
    bool user_;         // the unit is in the caller's own (user) manager
    Properties extra_;  // from annotations
    bool started_;
    std::unique_ptr<Manager> fs_;
    std::optional<spec::Resources> pending_;
    Properties pendingProps_;
};

}  // namespace

bool systemdBooted() {
    struct stat st;
    return ::lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::unique_ptr<Manager>> makeManager(const Options& opts, Layout layout, const std::string& cgroupsPath,
                                             const std::string& containerId) {
    if (!systemdBooted()) return fail(ENOTSUP, "systemd not running on this host, cannot use systemd cgroups manager");
    if (layout != Layout::V2)
        return fail(ENOTSUP, "the systemd cgroup driver of runc-cpp needs a cgroup v2 (unified) host");
    auto name = parseCgroupsPath(cgroupsPath, containerId, opts.systemdUser ? kUserDefaultSlice : kDefaultSlice);
    if (!name) return std::unexpected(name.error());
    auto extra = annotationProperties(opts.annotations);
    if (!extra) return std::unexpected(extra.error());
    auto helper = findHelper(opts.systemdHelper);
    if (!helper) return std::unexpected(helper.error());
    // A user's manager keeps its slices below its own cgroup (runc: the manager's ControlGroup
    // property joined with the slice and the unit).
    std::string managerCgroup;
    if (opts.systemdUser) {
        auto ep = userEndpoint();
        if (!ep) return std::unexpected(ep.error());
        auto cg = Bus(*helper, *ep).controlGroup();
        if (!cg) return std::unexpected(cg.error().wrap("the user's systemd instance (" + ep->address + ")"));
        managerCgroup = *cg;
    }
    auto path = unitCgroupPath(opts.mountRoot, *name, managerCgroup);
    if (!path) return std::unexpected(path.error());
    std::string root = opts.mountRoot;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    return std::unique_ptr<Manager>(
        std::make_unique<SystemdManager>(root, *name, *path, *helper, opts.systemdUser, std::move(*extra), false));
}

Result<std::unique_ptr<Manager>> loadManager(const Options& opts, const std::map<std::string, std::string>& paths) {
    auto unit = paths.find(std::string(kUnitKey));
    auto dir = paths.find("");
    if (unit == paths.end() || dir == paths.end()) return fail(EINVAL, "load cgroups: a systemd unit needs its cgroup path");
    // "<unit>:<slice>" (exec --cgroup may have appended "/<sub>": not part of the unit).
    std::string v = unit->second.substr(0, unit->second.find('/'));
    bool user = false;
    if (auto bus = paths.find(std::string(kBusKey)); bus != paths.end()) {
        std::string b = bus->second.substr(0, bus->second.find('/'));
        if (b != kUserBus) return fail(EINVAL, "load cgroups: unknown systemd instance \"" + b + "\"");
        user = true;
    }
    size_t colon = v.find(':');
    UnitName name{colon == std::string::npos ? std::string(kDefaultSlice) : v.substr(colon + 1), v.substr(0, colon)};
    if (!validUnitName(name.unit) || !validUnitName(name.slice))
        return fail(EINVAL, "load cgroups: \"" + unit->second + "\" does not name a systemd unit");
    std::string root = opts.mountRoot;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (dir->second.size() <= root.size() || dir->second.compare(0, root.size() + 1, root + "/") != 0)
        return fail(EINVAL, "load cgroups: " + dir->second + " is not below " + root);
    return std::unique_ptr<Manager>(
        std::make_unique<SystemdManager>(root, std::move(name), dir->second, opts.systemdHelper, user, Properties{}, true));
}

}  // namespace lc::cgroups::systemd
