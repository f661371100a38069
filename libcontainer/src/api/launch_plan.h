// One launch path for create and exec.
//
// planCreate/planExec are pure (no system call: every fd they mention was opened by the
// caller) and turn (spec, create-or-exec options, cgroup placement, the running container
// for exec) into one LaunchSpec: what the child does before execve (process/init.h: user and
// groups, capabilities, no_new_privs, seccomp and its listener, console and stdio, rlimits,
// cwd, env, LSM labels, oom_score_adj), the namespaces it makes or joins, how it enters its
// cgroup, one or two stages. launchProcess() (launcher.cc) then runs any LaunchSpec: the
// seccomp listener, the console hand-off, the cgroup join by pid when the child cannot join
// by itself, id maps, the pid file, and killing the process when a step after clone fails.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cgroups/manager.h"
#include "libcontainer/container.h"
#include "libcontainer/runtime.h"
#include "namespaces/plan.h"
#include "process/launch.h"
#include "sys/process_calls.h"
#include "sys/syscalls.h"

namespace lc::api {

// What create and exec options have in common: the process's I/O and where its pid goes.
struct ProcessIo {
    std::string consoleSocket;  // receives the pty master (terminal: true)
    bool keepConsole = false;   // terminal without a socket: the caller keeps the master
    Stdio stdio;
    std::string pidFile;
};
ProcessIo ioOf(const CreateOptions& o);
ProcessIo ioOf(const ExecOptions& o);

// The console and stdio rules shared by create and exec: a terminal needs a console socket
// (or keepConsole), a console socket needs a terminal, the stdio fds must be open.
Result<void> checkProcessIo(const spec::Process& proc, const ProcessIo& io);

// The single description of a launch.
struct LaunchSpec {
    process::InitConfig init;        // the child's steps (fds, caps, seccomp, rootfs, joins)
    process::LaunchPlan plan;        // the parent's clone (flags, cgroup fd, stages, pid/time ns)
    ProcessIo io;
    std::string seccompListenerPath; // a notify profile: connected before clone, else ""
    bool parentJoinsCgroup = false;  // the child cannot enter its cgroup itself: addProcess(pid)
    bool writeIdMaps = false;        // a new user namespace: the parent writes the maps
    const char* phase = "create";    // "create" or "exec": fault point names
    std::string failure;             // context of a launch error
    std::vector<std::string> notes;  // debug-level notes (ambient caps dropped)
};

// Capabilities and seccomp for `proc` under `linux` (may be null): compiled in the parent,
// the filter through the cache in `seccompCache` ("" = none; security/seccomp_cache.h).
Result<void> planProcess(LaunchSpec& ls, const spec::Process& proc, const spec::Linux* linux,
                         std::vector<std::string>* warnings, const std::string& seccompCache = {});

// Everything create decided or opened before the plan.
struct CreateInput {
    const spec::Spec* spec = nullptr;
    const CreateOptions* opts = nullptr;
    const namespaces::Plan* ns = nullptr;
    const std::vector<UniqueFd>* joinFds = nullptr;  // parallel to ns->joins
    const cgroups::JoinPlan* cgroupJoin = nullptr;
    std::map<std::string, std::string> cgroupPaths;
    bool cgroupV2Only = false;
    std::string rootfs;              // resolved host path
    std::string bundle;
    std::string seccompCache;        // compiled filter cache directory ("" = none)
    int fifoFd = -1;                 // O_PATH exec.fifo
    int stateDirFd = -1;             // closed by the child first
    sys::Syscalls* fs = nullptr;     // the rootfs seam the child uses
};
// `rootfs` is the child's rootfs config, already resolved (rootfs::resolve) by the caller
// when the container has a mount namespace; `procDeferrable` as rootfs::procDeferrable says
// (only asked when the init joins a pid namespace by path).
Result<LaunchSpec> planCreate(const CreateInput& in, rootfs::Config rootfs, bool procDeferrable);
// The child's rootfs config before resolve().
rootfs::Config rootfsConfigFor(const CreateInput& in);

// Everything exec found out about the running container.
struct ExecInput {
    const spec::Spec* spec = nullptr;      // the container's saved config (seccomp profile)
    const ExecOptions* opts = nullptr;
    std::string containerId;
    int nsFlags = 0;                       // CLONE_NEW* in which the init differs from us
    int initPidFd = -1;                    // pidfd of the container's init (setns target)
    int initRootFd = -1;                   // the init's root, when it has no mount namespace
    const cgroups::JoinPlan* cgroupJoin = nullptr;  // null: the container has no cgroup
    std::string seccompCache;              // compiled filter cache directory ("" = none)
};
Result<LaunchSpec> planExec(const ExecInput& in);

// The parts of a launch that only create has (hooks, the state record).
struct LaunchSteps {
    std::function<Result<void>(pid_t)> afterClone;   // before id maps and cgroup join
    std::function<std::string(pid_t)> stateJson;     // the Go payload (process/launch.h)
    std::function<Result<void>(pid_t)> onMountsReady;
    std::function<Result<void>(pid_t)> onVisible;
    std::function<Result<void>(pid_t)> afterLaunch;  // before the pid file; failing kills it
};

struct Started {
    pid_t pid = -1;
    UniqueFd pidfd;
    UniqueFd console;  // the pty master when kept (no console socket)
};

// The one launcher: runs `ls` (clone, child steps, parent steps) through `pc`. `cg` is the
// container's cgroup manager (null: none). On failure after clone the process is killed and
// reaped; nothing of it is left.
Result<Started> launchProcess(LaunchSpec& ls, cgroups::Manager* cg, const LaunchSteps& steps,
                              const RuntimeOptions& ro, sys::ProcessCalls& pc);

}  // namespace lc::api
