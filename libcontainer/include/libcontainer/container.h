// A container in the state store. Move-only; every call re-derives the status from facts
// and takes the container's lock for what it changes.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libcontainer/checkpoint.h"
#include "libcontainer/error.h"
#include "libcontainer/oom.h"
#include "libcontainer/stats.h"
#include "libcontainer/unique_fd.h"
#include "spec/spec.h"

namespace lc {

class Runtime;

// The stdio of a container process (CreateOptions::stdio, ExecOptions::stdio): fds of the
// calling process that the new process gets as its fds 0, 1 and 2 (dup2'd in the child; the
// caller's own fds 0-2 are not touched, and the caller keeps and closes the fds it gives).
// -1: the caller's own fd of that number is inherited. Not with a terminal: with
// process.terminal the process's stdio is the pty (a console socket or keepConsole).
struct Stdio {
    int in = -1;
    int out = -1;
    int err = -1;
};

// A process started in a running container by Container::exec.
struct ExecOptions {
    spec::Process process;        // complete: args, env, cwd, user, caps, rlimits, terminal...
    std::string consoleSocket;    // terminal: receives the pty master (else keepConsole)
    bool keepConsole = false;     // terminal without socket: keep the master in ExecProcess
    std::string pidFile;          // written atomically with the process's host pid
    int preserveFds = 0;          // fds 3 .. 3+N-1 stay open in the process
    std::string cgroup;           // sub-cgroup of the container's to join, every hierarchy
    std::map<std::string, std::string> cgroupByController;  // runc --cgroup ctrl:path
    bool ignorePaused = false;    // allow exec into a paused container
    Stdio stdio;                  // fds 0-2 of the process (default: the caller's)
    std::vector<std::string>* warnings = nullptr;
};

struct ExecProcess {
    pid_t pid = -1;               // host pid; a child of the calling process
    UniqueFd pidfd;
    UniqueFd console;             // pty master when keepConsole
};

class Container {
public:
    Container(Container&&) noexcept;
    Container& operator=(Container&&) noexcept;
    ~Container();

    [[nodiscard]] const std::string& id() const;
    // Host pid of the init as recorded at create (it may have exited since).
    [[nodiscard]] pid_t initPid() const;
    // The OCI state, with the status derived now (creating, created, running, paused, stopped).
    [[nodiscard]] Result<spec::State> state() const;

    // Releases a created container's init to exec the user process; runs poststart hooks.
    Result<void> start();
    // start() with runc's NOTIFY_SOCKET proxy (api/notify.cc): binds the container's
    // <root>/<id>/notify/notify.sock (mounted at /run/notify in the container when create had
    // CreateOptions::notifySocket), starts, then waits until the container sends READY=... or
    // its init exits, and forwards "READY=...\n" and "MAINPID=<mainPid>\n" (0: the init) to
    // `hostSocket`. With an empty hostSocket it is start().
    Result<void> startNotifying(const std::string& hostSocket, pid_t mainPid = 0);
    // Sends `sig` to the init, or with `all` to every process in the container's cgroup.
    Result<void> kill(int sig, bool all = false);
    // Removes the container: a created or stopped one always; a running one only with force
    // (then it is killed). Kills leftovers, removes cgroups, runs poststop hooks, drops state.
    // A failing poststop hook does not stop the others nor fail the delete (runtime-spec): its
    // error is appended to `warnings` when not null.
    Result<void> destroy(bool force = false, std::vector<std::string>* warnings = nullptr);
    Result<void> pause();
    Result<void> resume();
    // Host pids of the container's processes.
    Result<std::vector<pid_t>> pids() const;
    // Runs another process inside the container: it joins every namespace and the cgroup of
    // the init and gets the seccomp profile of the container's config, with the process
    // attributes of opts.process. Returns once the process is about to execve (an exec
    // failure such as a missing binary is reported here). Caller waits with waitpid.
    Result<ExecProcess> exec(const ExecOptions& opts);
    // Changes the cgroup limits of a live container (runc update).
    Result<void> update(const spec::Resources& res);
    // Resource usage from the container's cgroup.
    Result<Stats> stats() const;
    // OOM kills recorded by the container's memory cgroup so far.
    Result<uint64_t> oomKillCount() const;
    // A pollable watch that turns readable when the memory cgroup records an OOM kill (oom.h).
    Result<OomWatch> oomEvents() const;
    // Checkpoints a running (or paused) container with CRIU into opts.imagePath (runc
    // checkpoint). The container is stopped by the dump unless leaveRunning or preDump; the
    // caller then destroys it, as runc does. CRIU's log is <workPath>/dump.log.
    Result<void> checkpoint(const CheckpointOptions& opts);
    // The `process` of the container's saved config: the base that `runc exec` flags edit.
    Result<spec::Process> configProcess() const;

    // For a container created by this process: waits for the init to exit and returns its
    // wait status (as waitpid gives it). Fails for a container loaded from the store.
    Result<int> wait();
    // For a container created by this process: a pidfd of the init (invalid otherwise).
    [[nodiscard]] int pidfd() const;
    // The pty master when the process has a terminal and no console socket was given.
    UniqueFd takeConsole();

    struct Impl;

private:
    friend class Runtime;
    explicit Container(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lc
