// The container init, child side of clone3. Single-threaded, a copy of the parent's memory:
// it follows the parent's plan step by step, reports failures on the sync channel, _exits.
#include "base/prefault.h"
#include "process/init.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/wait.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "libcontainer/passwd.h"
#include "cgroups/manager.h"
#include "hooks/hooks.h"
#include "security/leaks.h"
#include "security/lsm.h"
#include "security/seccomp_notify.h"
#include "process/attrs.h"
#include "process/stage.h"
#include "process/stdio.h"
#include "process/sync.h"
#include "util/fileutil.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

namespace lc::process {
namespace {

Result<SyncMsg> expect(int sock, Msg want) {
    auto m = recvMsg(sock);
    if (!m) return m;
    if (m->type == Msg::Error) return fail(m->err, m->payload);
    if (m->type != want) return fail(EPROTO, "sync: unexpected message from the runtime");
    return m;
}

Result<void> applySysctl(const std::map<std::string, std::string>& sysctl) {
    for (const auto& [key, value] : sysctl) {
        std::string path = "/proc/sys/" + key;
        for (size_t i = 10; i < path.size(); ++i)
            if (path[i] == '.') path[i] = '/';
        LC_TRY_CTX(util::writeFile(path, value), "set sysctl " + key);
    }
    return {};
}

std::vector<char*> cstrings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// HOME from the container's /etc/passwd when the spec's env does not set it ("/" when the
// uid has no entry), as runc does.
std::vector<std::string> withHome(const std::vector<std::string>& env, uint32_t uid) {
    for (const auto& e : env)
        if (e.rfind("HOME=", 0) == 0) return env;
    std::string home = "/";
    if (auto pw = lookupPasswdUid("/etc/passwd", uid)) home = pw->home;
    std::vector<std::string> out = env;
    out.push_back("HOME=" + home);
    return out;
}

// Blocks on exec.fifo until `start` opens its read end; the byte that tells `start` the
// process is on its way is written by the caller (after the startContainer hooks, so that
// start's poststart hooks come after them).
Result<UniqueFd> waitForStart(int fifoFd) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fifoFd);
    int fd;
    do fd = ::open(path, O_WRONLY | O_CLOEXEC); while (fd < 0 && errno == EINTR);
    if (fd < 0) return errnoError("open exec fifo");
    return UniqueFd(fd);
}

// `listenerPid`: the "pid" the seccomp listener is told (0: the state's pid, the init's).
Result<void> loadSeccompIfAny(const InitConfig& cfg, sys::ProcessCalls& pc, const std::string& stateJson, pid_t listenerPid) {
    if (!cfg.seccomp) return {};
    auto fd = security::loadSeccomp(*cfg.seccomp, pc);
    if (!fd) return std::unexpected(fd.error().wrap("load seccomp filter"));
    if (*fd < 0) return {};
    UniqueFd notify(*fd);
    if (cfg.seccompListenerFd < 0) return {};
    const spec::Seccomp& sc = *cfg.spec->linux->seccomp;
    LC_TRY_CTX(security::sendSeccompListener(cfg.seccompListenerFd, sc.listenerMetadata, stateJson, listenerPid, notify.get()),
               "seccomp listener " + sc.listenerPath);
    pc.close(cfg.seccompListenerFd);
    return {};
}

Result<void> visibleContainerSteps(const InitConfig& cfg);

// The container itself: namespaces, filesystem, hooks, hostname, sysctl (init only).
Result<void> containerSteps(const InitConfig& cfg, sys::ProcessCalls& pc, const std::string& stateJson) {
    const spec::Spec& sp = *cfg.spec;
    const int sync = cfg.syncFd;
    if (cfg.ns.newUser()) {
        // Become root of the new user namespace (the parent wrote the maps before Go).
        if (pc.setresgid(0, 0, 0) < 0) return errnoError("setgid 0 in the user namespace");
        if (pc.setresuid(0, 0, 0) < 0) return errnoError("setuid 0 in the user namespace");
    }
    for (size_t i = 0; i < cfg.ns.joins.size(); ++i) {
        const auto& j = cfg.ns.joins[i];
        if (cfg.joinFds[i] < 0) continue;  // joined by the parent
        if (pc.setns(cfg.joinFds[i], j.flag) < 0) return errnoError("join namespace " + j.path);
    }
    if (cfg.unshareFlags && pc.unshare(cfg.unshareFlags) < 0) return errnoError("unshare");
    if (pc.setsid() < 0) return errnoError("setsid");
    if (!cfg.noNewKeyring) {
        LC_TRY(security::applyKeyringLabel(*cfg.process));
        std::string name = "_ses." + cfg.containerId;
        if (pc.joinSessionKeyring(name.c_str()) < 0 && errno != ENOSYS &&
            errno != EACCES && errno != EPERM)
            return errnoError("join session keyring");
    }

    const bool mountNs = cfg.ns.hasMount();
    if (mountNs) LC_TRY(rootfs::prepare(cfg.rootfs));
    LC_TRY(sendMsg(sync, Msg::MountsReady));
    LC_TRY(expect(sync, Msg::HooksDone));
    if (sp.hooks) LC_TRY(hooks::runAll(sp.hooks->createContainer, stateJson, "createContainer"));
    if (mountNs) {
        LC_TRY(rootfs::switchRoot(cfg.rootfs));
    } else {
        if (pc.chroot(cfg.rootfs.rootfs.c_str()) < 0) return errnoError("chroot " + cfg.rootfs.rootfs);
        if (pc.chdir("/") < 0) return errnoError("chdir /");
    }
    if (!sp.hostname.empty() && pc.sethostname(sp.hostname.data(), sp.hostname.size()) < 0)
        return errnoError("sethostname");
    if (!sp.domainname.empty() && pc.setdomainname(sp.domainname.data(), sp.domainname.size()) < 0)
        return errnoError("setdomainname");
    if (cfg.twoStage) return {};  // the rest once in the container's pid namespace
    return visibleContainerSteps(cfg);
}

// After the root switch: /proc (when deferred), sysctl, masked and readonly paths.
Result<void> visibleContainerSteps(const InitConfig& cfg) {
    const spec::Spec& sp = *cfg.spec;
    const bool mountNs = cfg.ns.hasMount();
    if (mountNs) LC_TRY(rootfs::mountDeferred(cfg.rootfs));
    // Before readonlyPaths: /proc/sys is usually one of them.
    if (sp.linux) LC_TRY(applySysctl(sp.linux->sysctl));
    if (mountNs) LC_TRY(rootfs::finalize(cfg.rootfs));
    return {};
}

// An exec'd process: joins every namespace of the container's init at once.
Result<void> joinSteps(const InitConfig& cfg, sys::ProcessCalls& pc) {
    if (cfg.execNsFlags && pc.setns(cfg.execNsFd, cfg.execNsFlags) < 0)
        return errnoError("join the container's namespaces");
    if (cfg.process->terminal && pc.setsid() < 0) return errnoError("setsid");
    return {};
}

// The user process: terminal, attributes, identity, seccomp, then execve (init and exec).
Result<void> processSteps(const InitConfig& cfg, sys::ProcessCalls& pc, const std::string& startStateJson, pid_t listenerPid) {
    const spec::Spec& sp = *cfg.spec;
    const spec::Process& proc = *cfg.process;
    const int sync = cfg.syncFd;
    if (proc.terminal) {
        auto master = setupConsole(proc.consoleSize, proc.user.uid);
        if (!master) return std::unexpected(master.error());
        LC_TRY(sendMsg(sync, Msg::Console, 0, {}, master->get()));
    }

    LC_TRY(applyOomScoreAdj(proc.oomScoreAdj));
    LC_TRY(applyRlimits(proc.rlimits));
    if (sp.linux && !cfg.exec) LC_TRY(applyPersonality(sp.linux->personality));
    LC_TRY(applyIoPriority(proc.ioPriority));
    LC_TRY(applyScheduler(proc.scheduler));

    std::vector<std::string> env = withHome(proc.env, proc.user.uid);
    auto exe = resolveExecutable(proc.args[0], env);
    if (!exe) return std::unexpected(exe.error());
    // No host fd may reach the user process (CVE-2024-21626 class).
    LC_TRY(security::closeInheritedFds(3 + cfg.preserveFds, {sync, cfg.fifoFd, cfg.seccompListenerFd}, pc));
    // A missing cwd is made inside the container (we are past the root switch), as runc does.
    // (Only for the init: runc's exec fails on a missing cwd, and Docker relies on that.)
    if (!cfg.exec && ::access(proc.cwd.c_str(), F_OK) < 0 && errno == ENOENT)
        LC_TRY_CTX(util::mkdirAll(proc.cwd, 0755), "create cwd");
    bool cwdDone = pc.chdir(proc.cwd.c_str()) == 0;
    if (!cwdDone && errno != EACCES) return errnoError("chdir to cwd (\"" + proc.cwd + "\") set in config.json failed");
    if (cwdDone) LC_TRY(security::checkCwdInsideRoot(proc.cwd));

    LC_TRY(security::applyExecLabels(proc));  // AppArmor profile, SELinux label: for the execve below
    // Without no_new_privs the filter must go in while we still hold CAP_SYS_ADMIN.
    if (!proc.noNewPrivileges) LC_TRY(loadSeccompIfAny(cfg, pc, startStateJson, listenerPid));
    if (cfg.caps) LC_TRY(security::dropBounding(*cfg.caps, pc));
    bool skipSetgroups = cfg.userNs && cfg.spec->linux && cfg.spec->linux->gidMappings.empty();
    if (cfg.userNs && pc.setgroupsDenied() > 0) {
        // A rootless container mapping only the caller's gid: setgroups(2) is off (runc: the
        // groups from /etc/group are silently not set, asked-for ones are an error).
        if (!proc.user.additionalGids.empty())
            return fail(EPERM, "cannot set any additional groups in a rootless container");
        skipSetgroups = true;
    }
    LC_TRY(applyUser(proc.user, skipSetgroups, pc));
    if (cfg.caps) LC_TRY(security::applyCapabilities(*cfg.caps, pc));
    if (!cwdDone && pc.chdir(proc.cwd.c_str()) < 0)
        return errnoError("chdir to cwd (\"" + proc.cwd + "\") set in config.json failed");
    if (!cwdDone) LC_TRY(security::checkCwdInsideRoot(proc.cwd));

    LC_TRY(sendMsg(sync, Msg::Ready));
    pc.close(sync);

    if (cfg.fifoFd >= 0) {
        auto released = waitForStart(cfg.fifoFd);
        if (!released) return std::unexpected(released.error());
        if (sp.hooks) LC_TRY(hooks::runAll(sp.hooks->startContainer, startStateJson, "startContainer"));
        LC_TRY(util::writeAll(released->get(), "0", "exec fifo"));
    }
    if (proc.noNewPrivileges) {
        if (pc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return errnoError("set no_new_privs");
        LC_TRY(loadSeccompIfAny(cfg, pc, startStateJson, listenerPid));
    }

    if (cfg.listenFds > 0) {
        env.push_back("LISTEN_FDS=" + std::to_string(cfg.listenFds));
        env.push_back("LISTEN_PID=" + std::to_string(::getpid()));
    }
    auto argv = cstrings(proc.args);
    auto envp = cstrings(env);
    pc.closeRange(3 + static_cast<unsigned>(cfg.preserveFds), ~0U, CLOSE_RANGE_CLOEXEC);
    pc.execve(exe->c_str(), argv.data(), envp.data());
    return errnoError("exec " + proc.args[0]);
}

struct GoPayload {
    std::string stateJson;       // for createContainer hooks ("creating")
    std::string startStateJson;  // for startContainer hooks ("created") and the seccomp listener
    pid_t listenerPid = 0;       // the pid the listener is told (exec: this process's)
};

// The payload is the state for createContainer hooks, a NUL, and the state for
// startContainer hooks and the seccomp listener; then optionally a NUL and the listener pid.
GoPayload parseGo(const std::string& payload) {
    GoPayload g;
    const size_t nul = payload.find('\0');
    g.stateJson = payload.substr(0, nul);
    g.startStateJson = nul == std::string::npos ? g.stateJson : payload.substr(nul + 1);
    if (size_t nul2 = g.startStateJson.find('\0'); nul2 != std::string::npos) {
        g.listenerPid = static_cast<pid_t>(std::strtol(g.startStateJson.c_str() + nul2 + 1, nullptr, 10));
        g.startStateJson.resize(nul2);
    }
    return g;
}

// Stage 1 of a two-stage exec: into every namespace of the container (the mount namespace
// puts root and cwd at the container's root), every host fd closed, then the clone of the
// process that the container can see. Returns in stage 2 only; stage 1 reports and exits.
Result<void> becomeVisible(const InitConfig& cfg, sys::ProcessCalls& pc) {
    StagePlan plan;
    plan.nsFd = cfg.execNsFd;
    plan.nsFlags = cfg.execNsFlags;
    plan.joins = {{{cfg.stagePidFd, CLONE_NEWPID}, {cfg.stageTimeFd, CLONE_NEWTIME}}};
    plan.rootFd = cfg.execRootFd;
    plan.closeFrom = 3 + cfg.preserveFds;
    plan.keep = {cfg.syncFd, cfg.fifoFd, cfg.seccompListenerFd, -1};
    plan.nonDumpable = cfg.nonDumpable;
    int pidfd = -1;
    auto child = enterAndFork(plan, pc, &pidfd);
    if (!child) return std::unexpected(child.error());
    if (*child == 0) {
        // Stage 2, in a copy of its own: where stage 1 shared the runtime's memory, this is
        // the first process that can copy its heap in advance (lc::unshareHeap).
        if (cfg.stage1SharesMemory) lc::unshareHeap();
        return {};
    }
    // No heap from here to _exit (see StagePlan): the pid in a stack buffer, a small message.
    char pidText[16];
    auto [end, ec] = std::to_chars(pidText, pidText + sizeof pidText, *child);
    (void)ec;
    auto sent = sendMsg(cfg.syncFd, Msg::Child, 0, std::string_view(pidText, static_cast<size_t>(end - pidText)), pidfd);
    if (!sent) {
        ::kill(*child, SIGKILL);
        (void)!::write(2, "runc-cpp init: lost the runtime\n", 32);
        ::_exit(1);
    }
    ::_exit(0);
}

}  // namespace

Result<void> initSteps(const InitConfig& cfg, sys::ProcessCalls& pc) {
    LC_TRY(installStdio(cfg.stdio));  // first: every later step sees the process's own 0-2
    // Into the cgroup before anything else runs here.
    if (!cfg.cgroupJoinFds.empty()) {
        if (size_t bad = cgroups::joinSelf(cfg.cgroupJoinFds.data(), cfg.cgroupJoinFds.size()))
            return errnoError("join cgroup (hierarchy " + std::to_string(bad) + ")");
        for (int fd : cfg.cgroupJoinFds) pc.close(fd);
    }
    GoPayload g;
    if (!(cfg.twoStage && cfg.stage1SharesMemory)) {
        auto go = expect(cfg.syncFd, Msg::Go);
        if (!go) return std::unexpected(go.error());
        g = parseGo(go->payload);
    }
    if (cfg.twoStage) {
        // Stage 1 (create: an init that joins a pid namespace by path, pods) builds the
        // container up to the root switch while nothing in there can see it.
        if (!cfg.exec) LC_TRY(containerSteps(cfg, pc, g.stateJson));
        LC_TRY(becomeVisible(cfg, pc));
        // Stage 2: the runtime now knows our pid and sends the payload again.
        auto go2 = expect(cfg.syncFd, Msg::Go);
        if (!go2) return std::unexpected(go2.error());
        g = parseGo(go2->payload);
        if ((!cfg.exec || cfg.process->terminal) && pc.setsid() < 0) return errnoError("setsid");
        if (!cfg.exec) LC_TRY(visibleContainerSteps(cfg));
        return processSteps(cfg, pc, g.startStateJson, g.listenerPid);
    }
    if (cfg.exec) LC_TRY(joinSteps(cfg, pc));
    else LC_TRY(containerSteps(cfg, pc, g.stateJson));
    return processSteps(cfg, pc, g.startStateJson, g.listenerPid);
}

void runInit(const InitConfig& cfg, sys::ProcessCalls& pc) {
    // The heap is copy-on-write now: copy it in one call, not page by page (not when this is
    // stage 1 in the runtime's own memory: nothing is copied there).
    if (!cfg.stage1SharesMemory) lc::unshareHeap();
    for (int fd : cfg.closeFds) pc.close(fd);
    // Start from a clean signal state: the runtime may block, catch or ignore signals. The
    // handlers go first: none of the runtime's may run here once signals are let through.
    for (int s = 1; s < NSIG; ++s)
        if (s != SIGKILL && s != SIGSTOP) ::signal(s, SIG_DFL);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    auto r = initSteps(cfg, pc);
    const Error& e = r.error();
    // After Ready the channel is gone: the error can only go to stderr.
    if (!sendMsg(cfg.syncFd, Msg::Error, e.errnum(), e.message()).has_value()) {
        std::string line = "runc-cpp init: " + e.message() + "\n";
        (void)!::write(2, line.data(), line.size());
    }
    ::_exit(e.errnum() == ENOENT ? 127 : (e.errnum() == EACCES ? 126 : 1));
}

}  // namespace lc::process
