// launchProcess: the one launcher for create and exec (launch_plan.h).
#include <signal.h>
#include <sys/wait.h>

#include "api/launch_plan.h"
#include "security/seccomp_notify.h"
#include "util/fault.h"
#include "util/fileutil.h"
#include "util/unixsock.h"

namespace lc::api {
namespace {

void killAndReap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int ws;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
}

}  // namespace

Result<Started> launchProcess(LaunchSpec& ls, cgroups::Manager* cg, const LaunchSteps& steps,
                              const RuntimeOptions& ro, sys::ProcessCalls& pc) {
    for (const auto& n : ls.notes)
        if (ro.debugLog) ro.debugLog(n);
    const std::string phase = ls.phase;
    const std::string afterClone = phase + ":after-clone", afterLaunch = phase + ":after-launch";
    // Connected here, where the host path resolves; the child sends the notify fd over it.
    UniqueFd listener;
    if (ls.init.seccomp && ls.init.seccomp->notify) {
        auto l = security::connectSeccompListener(ls.seccompListenerPath);
        if (!l) return std::unexpected(l.error());
        listener = std::move(*l);
        ls.init.seccompListenerFd = listener.get();
    }
    if (ls.parentJoinsCgroup && !cg) return fail(EINVAL, phase + ": no cgroup manager to join");

    Started out;
    process::LaunchCallbacks cb;
    cb.afterClone = [&](pid_t pid) -> Result<void> {
        if (steps.afterClone) LC_TRY(steps.afterClone(pid));
        util::faultPoint(ro, afterClone.c_str());
        if (ls.writeIdMaps) LC_TRY(namespaces::writeIdMaps(pid, *ls.init.spec->linux));
        if (ls.parentJoinsCgroup) LC_TRY_CTX(cg->addProcess(pid), "join cgroup");
        return {};
    };
    cb.stateJson = steps.stateJson;
    cb.onMountsReady = steps.onMountsReady;
    cb.onVisible = steps.onVisible;
    cb.onConsole = [&](UniqueFd master) -> Result<void> {
        if (!ls.io.consoleSocket.empty()) return util::sendFdToSocket(ls.io.consoleSocket, master.get(), "");
        out.console = std::move(master);
        return {};
    };
    auto launched = process::launch(ls.init, ls.plan, cb, pc);
    if (!launched) return std::unexpected(launched.error().wrap(ls.failure));
    out.pid = launched->pid;
    out.pidfd = std::move(launched->pidfd);
    util::faultPoint(ro, afterLaunch.c_str());

    auto finish = [&]() -> Result<void> {
        if (steps.afterLaunch) LC_TRY(steps.afterLaunch(out.pid));
        if (!ls.io.pidFile.empty())
            LC_TRY_CTX(util::writeFileAtomic(ls.io.pidFile, std::to_string(out.pid), 0666), "write pid file");
        return {};
    };
    if (auto r = finish(); !r) {
        killAndReap(out.pid);
        return std::unexpected(r.error());
    }
    return out;
}

}  // namespace lc::api
