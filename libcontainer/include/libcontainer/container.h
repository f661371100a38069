// A container in the state store. Move-only; every call re-derives the status from facts
// and takes the container's lock for what it changes.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "spec/spec.h"

namespace lc {

class Runtime;

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
    // Sends `sig` to the init, or with `all` to every process in the container's cgroup.
    Result<void> kill(int sig, bool all = false);
    // Removes the container: a created or stopped one always; a running one only with force
    // (then it is killed). Kills leftovers, removes cgroups, runs poststop hooks, drops state.
    Result<void> destroy(bool force = false);
    Result<void> pause();
    Result<void> resume();
    // Host pids of the container's processes.
    Result<std::vector<pid_t>> pids() const;

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
