// The container init: the clone3 child that sets up the container and execs the user process.
// Everything it needs is prepared by the parent before clone and passed here by reference
// (the child owns a copy of the parent's memory).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libcontainer/container.h"
#include "namespaces/plan.h"
#include "rootfs/rootfs.h"
#include "security/security.h"
#include "spec/spec.h"
#include "sys/process_calls.h"

namespace lc::process {

struct InitConfig {
    const spec::Spec* spec = nullptr;
    const spec::Process* process = nullptr;
    namespaces::Plan ns;
    std::vector<int> joinFds;       // parallel to ns.joins; pid and time joins are done by the parent
    int unshareFlags = 0;           // new namespaces the child makes itself (cgroup)
    rootfs::Config rootfs;
    int syncFd = -1;
    int fifoFd = -1;                // O_PATH fd of exec.fifo
    std::vector<int> closeFds;      // parent-only fds to close first (lock, parent's socket end)
    std::vector<int> cgroupJoinFds; // v1 `tasks` files the child writes "0" to (cgroups::JoinPlan)
    std::optional<security::CapPlan> caps;
    std::optional<security::SeccompProgram> seccomp;
    bool noNewKeyring = false;
    int seccompListenerFd = -1;     // connected to linux.seccomp.listenerPath, or -1
    int preserveFds = 0;            // fds kept open after stdio (listenFds included)
    int listenFds = 0;              // LISTEN_FDS/LISTEN_PID for socket activation
    Stdio stdio;                    // the caller's fds for 0-2 (process/stdio.h), -1: inherited
    std::string containerId;
    bool userNs = false;            // the process lives in a user namespace of its own
    // exec into a running container instead of building one: join these namespaces of the
    // init (a pidfd) with one setns; no mounts, hooks or exec.fifo.
    bool exec = false;
    int execNsFd = -1;
    int execNsFlags = 0;
    int execRootFd = -1;            // the init's root, for a container without a mount namespace
    // Two stages (process/stage.h): this process joins the container and drops what it holds
    // of the host, then clones the process that is visible in the container's pid namespace.
    bool twoStage = false;
    int stagePidFd = -1;            // pid namespace joined by stage 1 right before its clone
    int stageTimeFd = -1;           // time namespace likewise
    bool nonDumpable = false;
    // Stage 1 runs in the runtime's memory (LaunchPlan::stage1SharesMemory): it copies no
    // heap and waits for no Go (the runtime is stopped in clone3 until stage 1 exits).
    bool stage1SharesMemory = false;
};

// Every step of the init (or of an exec'd process) from the child's first instruction to
// execve, each privileged call through `pc` and every mount/file call of the rootfs through
// cfg.rootfs.sys. Returns only on failure (an execve through a fake that fails included):
// tests run it against recording fakes to check the order of the steps.
Result<void> initSteps(const InitConfig& cfg, sys::ProcessCalls& pc);

// Never returns: runs initSteps (execve), or reports its error on the sync channel and exits.
[[noreturn]] void runInit(const InitConfig& cfg, sys::ProcessCalls& pc);

}  // namespace lc::process
