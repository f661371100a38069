// Container::exec: start another process inside a running container. A first process is
// clone3()d into the init's cgroup, joins every namespace of the init with one setns on a
// pidfd (root and cwd become the container's) and closes every host fd; only then does it
// clone the process that is visible in the container's pid namespace (process/stage.h),
// which gets the container's seccomp profile and execs.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>


#include "api/impl.h"
#include "api/launch_plan.h"
#include "cgroups/manager.h"
#include "cgroups/paths.h"
#include "namespaces/plan.h"
#include "security/lsm.h"
#include "security/seccomp_cache.h"
#include "spec/json.h"
#include "util/fileutil.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace lc {
namespace {

// Namespace flags in which the init differs from us (joining one we are already in is an
// error for user namespaces and pointless for the rest).
int differingNamespaces(pid_t pid) {
    static constexpr int kAll[] = {CLONE_NEWUSER, CLONE_NEWNS,     CLONE_NEWNET, CLONE_NEWIPC,
                                   CLONE_NEWUTS,  CLONE_NEWCGROUP, CLONE_NEWPID, CLONE_NEWTIME};
    int flags = 0;
    for (int f : kAll) {
        const char* name = namespaces::procName(f);
        std::string theirs = "/proc/" + std::to_string(pid) + "/ns/" + name;
        std::string ours = std::string("/proc/self/ns/") + name;
        struct stat a, b;
        if (::stat(theirs.c_str(), &a) < 0 || ::stat(ours.c_str(), &b) < 0) continue;
        if (a.st_ino != b.st_ino || a.st_dev != b.st_dev) flags |= f;
    }
    return flags;
}

}  // namespace

Result<spec::Process> Container::configProcess() const {
    state::Store store(impl_->opts.root);
    auto dir = store.open(impl_->id);
    if (!dir) return std::unexpected(dir.error());
    auto raw = util::readFileAt(dir->fd(), state::kConfigFile);
    if (!raw) return std::unexpected(raw.error());
    auto sp = spec::parseSpec(*raw);
    if (!sp) return std::unexpected(sp.error());
    if (!sp->process) return fail(EINVAL, "container config has no process");
    return *sp->process;
}

Result<ExecProcess> Container::exec(const ExecOptions& o) {
    const spec::Process& proc = o.process;
    if (proc.args.empty()) return fail(EINVAL, "process.args: args must not be empty");
    LC_TRY(security::validateLsm(proc));
    if (proc.cwd.empty() || proc.cwd[0] != '/') return fail(EINVAL, "process.cwd: cwd must be an absolute path");
    LC_TRY(spec::validateProcess(proc));  // ids in 0-2147483647, consoleSize, oomScoreAdj, rlimits
    if (o.preserveFds < 0) return fail(EINVAL, "preserveFds: must not be negative");
    LC_TRY(api::checkProcessIo(proc, api::ioOf(o)));

    state::Store store(impl_->opts.root);
    auto dir = store.open(impl_->id);
    if (!dir) return std::unexpected(dir.error());
    auto rec = dir->readRecord();
    if (!rec) {
        if (rec.error().errnum() == ENOENT) return fail(EINVAL, "cannot exec in a stopped container");
        return std::unexpected(rec.error());
    }
    impl_->rec = std::move(*rec);
    impl_->hasRecord = true;
    auto status = api::deriveStatus(*impl_, *dir, false);
    if (status == state::Status::Stopped) return fail(EINVAL, "cannot exec in a stopped container");
    if (status == state::Status::Paused && !o.ignorePaused)
        return fail(EINVAL, "cannot exec in a paused container (use --ignore-paused to override)");

    auto raw = util::readFileAt(dir->fd(), state::kConfigFile);
    if (!raw) return std::unexpected(raw.error().wrap("read saved config"));
    auto sp = spec::parseSpec(*raw);
    if (!sp) return std::unexpected(sp.error().wrap("saved config"));

    const std::string stateJson = api::stateJsonFor(impl_->rec, state::statusName(status));

    const pid_t initPid = impl_->rec.pid;
    UniqueFd initFd(static_cast<int>(::syscall(SYS_pidfd_open, initPid, 0)));
    if (!initFd) return errnoError("pidfd_open " + std::to_string(initPid));
    const int nsFlags = differingNamespaces(initPid);
    // Re-check after opening the pidfd: the pid might have been reused in between.
    if (!state::initAlive(impl_->rec)) return fail(EINVAL, "cannot exec in a stopped container");

    std::unique_ptr<cgroups::Manager> cg;
    cgroups::JoinPlan join;
    if (!impl_->rec.cgroupPaths.empty()) {
        auto paths = impl_->rec.cgroupPaths;
        auto all = cgroups::subCgroupPath(o.cgroup);
        if (!all) return std::unexpected(all.error());
        std::map<std::string, std::string> byController;
        for (const auto& [ctrl, sub] : o.cgroupByController) {
            auto clean = cgroups::subCgroupPath(sub);
            if (!clean) return std::unexpected(clean.error());
            if (!paths.count(ctrl)) return fail(EINVAL, "--cgroup: controller \"" + ctrl + "\" is not used by the container");
            byController[ctrl] = *clean;
        }
        for (auto& [ctrl, p] : paths) {
            // A comounted hierarchy ("cpu,cpuacct") is named by any of its controllers.
            std::string sub = *all;
            if (auto it = byController.find(ctrl); it != byController.end()) sub = it->second;
            if (!sub.empty()) p += "/" + sub;
        }
        cgroups::Options copts;
        copts.mountRoot = impl_->opts.cgroupRoot;
        auto m = cgroups::load(copts, paths);
        if (!m) return std::unexpected(m.error());
        cg = std::move(*m);
        auto j = cg->openJoinPlan();
        if (!j) return std::unexpected(j.error());
        join = std::move(*j);
    }

    // No mount namespace of its own: the init's root is still the container's.
    UniqueFd initRoot;
    if (!(nsFlags & CLONE_NEWNS)) {
        initRoot.reset(::open(("/proc/" + std::to_string(initPid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!initRoot) return errnoError("open the root of pid " + std::to_string(initPid));
    }

    api::ExecInput in;
    in.spec = &*sp;
    in.opts = &o;
    in.containerId = impl_->id;
    in.nsFlags = nsFlags;
    in.initPidFd = initFd.get();
    in.initRootFd = initRoot.get();
    in.cgroupJoin = cg ? &join : nullptr;
    in.seccompCache = security::defaultSeccompCacheDir();
    auto ls = api::planExec(in);
    if (!ls) return std::unexpected(ls.error());
    ls->plan.cgroupOptional = impl_->opts.rootlessCgroups;

    api::LaunchSteps steps;
    // The state (for the seccomp listener) and the pid the listener is told: this process's.
    steps.stateJson = [&](pid_t pid) { return stateJson + '\0' + stateJson + '\0' + std::to_string(pid); };
    auto started = api::launchProcess(*ls, cg.get(), steps, impl_->opts, sys::realProcessCalls());
    if (!started) return std::unexpected(started.error());
    ExecProcess out;
    out.pid = started->pid;
    out.pidfd = std::move(started->pidfd);
    out.console = std::move(started->console);
    return out;
}

}  // namespace lc
