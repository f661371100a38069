// planCreate / planExec: the pure half of the one launch path (launch_plan.h).
#include "api/launch_plan.h"

#include <sched.h>

#include <algorithm>

#include "process/stdio.h"
#include "security/seccomp_cache.h"
#include "security/security.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace lc::api {
namespace {

std::string timeOffsets(const spec::Linux& l) {
    std::string out;
    for (const auto& [clock, off] : l.timeOffsets)
        out += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    return out;
}

// The cgroup entry shared by create and exec: clone3 into the v2 leaf, or the child writes
// "0" into v1 tasks files; with neither the parent adds the pid after clone. No plan: no
// cgroup to enter.
void placeInCgroup(LaunchSpec& ls, const cgroups::JoinPlan* join) {
    if (!join) return;
    ls.plan.cgroupFd = join->cloneInto.valid() ? join->cloneInto.get() : -1;
    for (const auto& fd : join->selfJoin) ls.init.cgroupJoinFds.push_back(fd.get());
    ls.parentJoinsCgroup = !join->cloneInto.valid() && join->selfJoin.empty();
}

}  // namespace

ProcessIo ioOf(const CreateOptions& o) { return {o.consoleSocket, o.keepConsole, o.stdio, o.pidFile}; }
ProcessIo ioOf(const ExecOptions& o) { return {o.consoleSocket, o.keepConsole, o.stdio, o.pidFile}; }

Result<void> checkProcessIo(const spec::Process& proc, const ProcessIo& io) {
    if (proc.terminal && io.consoleSocket.empty() && !io.keepConsole)
        return fail(EINVAL, "cannot allocate tty if runc will detach without setting console socket");
    if (!proc.terminal && !io.consoleSocket.empty())
        return fail(EINVAL, "cannot use console socket if runc will not detach or allocate tty");
    return process::checkStdio(io.stdio, proc.terminal);
}

Result<void> planProcess(LaunchSpec& ls, const spec::Process& proc, const spec::Linux* linux,
                         std::vector<std::string>* warnings, const std::string& seccompCache) {
    ls.init.process = &proc;
    if (proc.capabilities) {
        auto c = security::planCapabilities(*proc.capabilities, warnings, &ls.notes);
        if (!c) return std::unexpected(c.error());
        ls.init.caps = *c;
    }
    if (linux && linux->seccomp) {
        auto prog = security::compileSeccompCached(*linux->seccomp, seccompCache);
        if (!prog) return std::unexpected(prog.error().wrap("seccomp"));
        ls.init.seccomp = std::move(*prog);
        // SCMP_ACT_NOTIFY: the process hands its notify fd to the listener (an empty
        // listenerPath is an error when connecting).
        if (ls.init.seccomp->notify) ls.seccompListenerPath = linux->seccomp->listenerPath;
    }
    return {};
}

rootfs::Config rootfsConfigFor(const CreateInput& in) {
    rootfs::Config r;
    r.spec = in.spec;
    r.rootfs = in.rootfs;
    r.noPivot = in.opts->noPivot;
    r.inUserNs = in.ns->newUser();
    r.newCgroupNs = in.ns->newFlags & CLONE_NEWCGROUP;
    r.cgroupPaths = in.cgroupPaths;
    r.cgroupV2Only = in.cgroupV2Only;
    r.bundle = in.bundle;
    r.sys = in.fs;
    return r;
}

Result<LaunchSpec> planCreate(const CreateInput& in, rootfs::Config rootfs, bool procDeferrable) {
    const spec::Spec& sp = *in.spec;
    const CreateOptions& o = *in.opts;
    const namespaces::Plan& ns = *in.ns;
    if (!rootfs.sys) return fail(EINVAL, "create: no syscall seam for the rootfs");
    if (in.joinFds->size() != ns.joins.size()) return fail(EINVAL, "create: one fd per joined namespace");
    LaunchSpec ls;
    ls.phase = "create";
    ls.failure = "unable to start container process";
    ls.io = ioOf(o);
    LC_TRY(planProcess(ls, *sp.process, sp.linux ? &*sp.linux : nullptr, o.warnings, in.seccompCache));

    process::InitConfig& init = ls.init;
    init.spec = &sp;
    init.ns = ns;
    init.userNs = ns.newUser() || std::any_of(ns.joins.begin(), ns.joins.end(),
                                              [](const namespaces::Join& j) { return j.flag == CLONE_NEWUSER; });
    init.containerId = o.id;
    init.fifoFd = in.fifoFd;
    if (in.stateDirFd >= 0) init.closeFds.push_back(in.stateDirFd);
    init.noNewKeyring = o.noNewKeyring;
    init.preserveFds = o.preserveFds + o.listenFds;
    init.stdio = o.stdio;
    init.listenFds = o.listenFds;
    init.rootfs = std::move(rootfs);
    ls.writeIdMaps = ns.newUser();

    process::LaunchPlan& lp = ls.plan;
    // The cgroup and time namespaces are made later: cgroup once the init is in its cgroup,
    // time by the parent so that the offsets can be written before anything enters it.
    lp.cloneFlags = static_cast<uint64_t>(ns.newFlags & ~(CLONE_NEWCGROUP | CLONE_NEWTIME));
    init.unshareFlags = ns.newFlags & CLONE_NEWCGROUP;
    placeInCgroup(ls, in.cgroupJoin);
    lp.newTimeNs = ns.newFlags & CLONE_NEWTIME;
    if (sp.linux) lp.timeOffsets = timeOffsets(*sp.linux);
    lp.nonDumpable = !init.userNs;
    // An init that joins a pid namespace by path (pods) would be seen there by the processes
    // already in it: it builds the container first and only then enters it (process/stage.h).
    if (ns.joinsPid() && procDeferrable) {
        lp.twoStage = true;
        init.rootfs.deferProc = ns.hasMount();
    }
    for (size_t i = 0; i < ns.joins.size(); ++i) {
        int flag = ns.joins[i].flag;
        int fd = (*in.joinFds)[i].get();
        if (flag == CLONE_NEWPID) lp.joinPidFd = fd, fd = -1;
        if (flag == CLONE_NEWTIME) lp.joinTimeFd = fd, fd = -1;
        init.joinFds.push_back(fd);
    }
    return ls;
}

Result<LaunchSpec> planExec(const ExecInput& in) {
    const ExecOptions& o = *in.opts;
    const spec::Process& proc = o.process;
    LaunchSpec ls;
    ls.phase = "exec";
    ls.failure = "exec failed";
    ls.io = ioOf(o);
    LC_TRY(planProcess(ls, proc, in.spec->linux ? &*in.spec->linux : nullptr, o.warnings, in.seccompCache));

    process::InitConfig& init = ls.init;
    init.spec = in.spec;
    init.containerId = in.containerId;
    init.preserveFds = o.preserveFds;
    init.stdio = o.stdio;
    init.userNs = in.nsFlags & CLONE_NEWUSER;
    init.exec = true;
    init.execNsFd = in.initPidFd;
    // All of them, pid and time included: stage 1 joins them at once, and only its child is
    // in the container's pid namespace (process/stage.h).
    init.execNsFlags = in.nsFlags;
    // No mount namespace of its own: the init's root is still the container's.
    if (!(in.nsFlags & CLONE_NEWNS)) {
        if (in.initRootFd < 0) return fail(EINVAL, "exec: the container's root is not open");
        init.execRootFd = in.initRootFd;
    }
    placeInCgroup(ls, in.cgroupJoin);
    ls.plan.twoStage = true;
    ls.plan.nonDumpable = !init.userNs;
    // Not into a time namespace either: the kernel lets only a process that shares its
    // memory with no other join one (EUSERS).
    ls.plan.stage1SharesMemory =
        !init.userNs && !ls.parentJoinsCgroup && !(in.nsFlags & (CLONE_NEWUSER | CLONE_NEWTIME));
    return ls;
}

}  // namespace lc::api
