// Parent side of container start-up: clone3 the init, then drive it over the sync channel.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "process/init.h"

namespace lc::process {

struct LaunchCallbacks {
    // Right after clone, before the child is let go: id maps, cgroup membership.
    std::function<Result<void>(pid_t)> afterClone;
    // The state JSON handed to the child for its hooks.
    std::function<std::string(pid_t)> stateJson;
    // The child's rootfs is ready: prestart and createRuntime hooks.
    std::function<Result<void>(pid_t)> onMountsReady;
    // Two stages: the process visible in the container exists (before its Go is sent).
    std::function<Result<void>(pid_t)> onVisible;
    // The pty master arrived.
    std::function<Result<void>(UniqueFd)> onConsole;
};

struct LaunchPlan {
    uint64_t cloneFlags = 0;   // CLONE_NEW* made by clone3 itself
    int cgroupFd = -1;         // CLONE_INTO_CGROUP target, or -1
    // A refused CLONE_INTO_CGROUP (EACCES/EPERM: an unprivileged caller may not move into the
    // cgroup from where it runs) clones into the caller's cgroup instead: a rootless exec, for
    // which runc ignores a failed cgroup join.
    bool cgroupOptional = false;
    int joinPidFd = -1;        // pid namespace to start the init in (parent setns dance), or -1
    int joinTimeFd = -1;       // time namespace likewise, or -1
    // An unprivileged caller (rootless exec) cannot enter a pid or time namespace from its own
    // user namespace: it first joins this one (the container's) for good, and the child then
    // skips CLONE_NEWUSER in its own join. -1: no such step.
    int joinUserFd = -1;
    bool newTimeNs = false;    // a new time namespace with offsets below
    std::string timeOffsets;   // "monotonic 5 0\nboottime ..." for /proc/self/timens_offsets
    // Clone from a non-dumpable parent: until its execve the child's /proc/<pid> (exe, mem,
    // fds) is out of reach of other processes of the container (CVE-2019-5736 class).
    // Not for user-namespaced children: they could not reach their own /proc files.
    bool nonDumpable = false;
    // Two stages (process/stage.h): the clone stays in our pid namespace, joins the container
    // (joinPidFd/joinTimeFd included) and drops every host fd, and only then clones the
    // process that is visible in the container. Launched::pid is that second process.
    bool twoStage = false;
    // Two stages: stage 1 runs in the caller's memory on a stack of its own (CLONE_VM |
    // CLONE_VFORK; the caller waits in clone3 until it exits) instead of in a copy of it: one
    // copy of the address space fewer. Stage 1 is never in the container's pid namespace and
    // waits for no Go; stage 2 is cloned from it with a copy of its own, as before. Not for
    // user-namespaced processes (stage 1 would join a user namespace while sharing the
    // runtime's memory) nor when the caller moves the child into its cgroup itself. Falls
    // back to clone3 where the platform has no such clone (ProcessCalls::cloneSharingMemory:
    // x86-64 only, and not in AddressSanitizer builds).
    bool stage1SharesMemory = false;
};

struct Launched {
    pid_t pid = -1;
    UniqueFd pidfd;
};

// What the child needs to know of a two-stage plan (stage 1's pid/time joins, dumpability);
// launch() calls it, and so do tests that run the child's steps without a launch.
void bindStages(InitConfig& cfg, const LaunchPlan& plan);

// Starts the init: the namespace dance around clone3 and the clone itself go through `pc`,
// and so does every step of the child (runInit). `cfg.syncFd` and `cfg.closeFds` are filled
// here. On failure the child is killed and reaped before returning.
Result<Launched> launch(InitConfig& cfg, const LaunchPlan& plan, const LaunchCallbacks& cb, sys::ProcessCalls& pc);

}  // namespace lc::process
