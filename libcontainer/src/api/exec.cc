// Container::exec: start another process inside a running container. The process is
// clone3()d into the init's pid namespace (and cgroup), joins the init's other namespaces
// with one setns on a pidfd, and gets the container's seccomp profile.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "api/impl.h"
#include "cgroups/manager.h"
#include "cgroups/paths.h"
#include "namespaces/plan.h"
#include "process/launch.h"
#include "security/lsm.h"
#include "security/seccomp_notify.h"
#include "security/security.h"
#include "spec/json.h"
#include "util/fault.h"
#include "util/fileutil.h"
#include "util/unixsock.h"

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
    if (proc.terminal && o.consoleSocket.empty() && !o.keepConsole)
        return fail(EINVAL, "cannot allocate tty if runc will detach without setting console socket");
    if (!proc.terminal && !o.consoleSocket.empty())
        return fail(EINVAL, "cannot use console socket if runc will not detach or allocate tty");

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

    std::optional<security::CapPlan> caps;
    if (proc.capabilities) {
        std::vector<std::string> notes;
        auto c = security::planCapabilities(*proc.capabilities, o.warnings, &notes);
        for (const auto& n : notes)
            if (impl_->opts.debugLog) impl_->opts.debugLog(n);
        if (!c) return std::unexpected(c.error());
        caps = *c;
    }
    std::optional<security::SeccompProgram> seccomp;
    if (sp->linux && sp->linux->seccomp) {
        auto prog = security::compileSeccomp(*sp->linux->seccomp);
        if (!prog) return std::unexpected(prog.error().wrap("seccomp"));
        seccomp = std::move(*prog);
    }
    // SCMP_ACT_NOTIFY: the exec'd process hands its notify fd to the listener too, with the
    // container state (connected here, where the host path resolves; see create.cc).
    UniqueFd seccompListener;
    if (seccomp && seccomp->notify) {  // an empty listenerPath is an error there
        auto l = security::connectSeccompListener(sp->linux->seccomp->listenerPath);
        if (!l) return std::unexpected(l.error());
        seccompListener = std::move(*l);
    }
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

    process::InitConfig init;
    init.spec = &*sp;
    init.process = &proc;
    init.containerId = impl_->id;
    init.caps = caps;
    init.seccomp = seccomp;
    init.seccompListenerFd = seccompListener.get();
    init.preserveFds = o.preserveFds;
    init.userNs = nsFlags & CLONE_NEWUSER;
    init.exec = true;
    init.execNsFd = initFd.get();
    init.execNsFlags = nsFlags & ~(CLONE_NEWPID | CLONE_NEWTIME);

    process::LaunchPlan lp;
    lp.cgroupFd = join.cloneInto.valid() ? join.cloneInto.get() : -1;
    for (const auto& fd : join.selfJoin) init.cgroupJoinFds.push_back(fd.get());
    const bool selfJoins = join.cloneInto.valid() || !join.selfJoin.empty();
    if (nsFlags & CLONE_NEWPID) lp.joinPidFd = initFd.get();
    if (nsFlags & CLONE_NEWTIME) lp.joinTimeFd = initFd.get();
    if ((nsFlags & CLONE_NEWUSER) && ::geteuid() != 0) lp.joinUserFd = initFd.get();
    lp.nonDumpable = !init.userNs;

    ExecProcess out;
    process::LaunchCallbacks cb;
    // The state (for the seccomp listener) and the pid the listener is told: this process's.
    cb.stateJson = [&](pid_t pid) { return stateJson + '\0' + stateJson + '\0' + std::to_string(pid); };
    cb.afterClone = [&](pid_t pid) -> Result<void> {
        if (cg && !selfJoins) LC_TRY_CTX(cg->addProcess(pid), "join cgroup");
        util::faultPoint("exec:after-clone");
        return {};
    };
    cb.onConsole = [&](UniqueFd master) -> Result<void> {
        if (!o.consoleSocket.empty()) return util::sendFdToSocket(o.consoleSocket, master.get(), "");
        out.console = std::move(master);
        return {};
    };
    auto launched = process::launch(init, lp, cb);
    if (!launched) return std::unexpected(launched.error().wrap("exec failed"));
    out.pid = launched->pid;
    out.pidfd = std::move(launched->pidfd);
    util::faultPoint("exec:after-launch");
    if (!o.pidFile.empty()) {
        if (auto r = util::writeFileAtomic(o.pidFile, std::to_string(out.pid), 0644); !r) {
            ::kill(out.pid, SIGKILL);
            ::waitpid(out.pid, nullptr, 0);
            return std::unexpected(r.error().wrap("write pid file"));
        }
    }
    return out;
}

}  // namespace lc
