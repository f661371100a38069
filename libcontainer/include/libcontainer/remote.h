// Containers from a multi-threaded program: lc::RemoteRuntime forks one single-threaded helper
// process early, and every launch happens there (docs/embedding.md says why and which calls
// of lc::Runtime are safe from threads without it).
//
//   int main() {
//       auto rt = lc::RemoteRuntime::start({.root = "/run/my-app"});  // before any thread
//       ... start threads; each may call rt->create(...), c->start(), c->exec(...) ...
//   }
//
// start() forks the calling process, which must still be single-threaded (it fails with
// EBUSY otherwise): the helper is a copy of the program as it is then, so it needs no binary
// of its own and inherits the RuntimeOptions as given (their callbacks run in the helper).
// It keeps the program's fds 0-2 and closes every other fd it inherited; it dies when the
// RemoteRuntime is destroyed or the program exits (its socket closes; PR_SET_PDEATHSIG too).
//
// The methods have the same names, options and errors as lc::Runtime's and lc::Container's.
// A RemoteRuntime may be used by many threads at once (requests carry ids; replies are
// matched to them); each RemoteContainer by one thread at a time. The helper handles one
// request at a time, so a slow create (a hook that hangs) delays the others; waits do not.
// Differences: processes (inits, exec'd ones) are children of the helper, not of the caller:
// wait() and waitProcess() ask the helper, and the pidfds handed back are pollable but not
// waitable here. Paths in the options are made absolute against the caller's cwd at the call.
// Not supported through the helper: preserveFds and listenFds (refused with EINVAL).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "libcontainer/container.h"
#include "libcontainer/error.h"
#include "libcontainer/runtime.h"
#include "spec/spec.h"

namespace lc {

namespace helper {
struct Channel;
struct Access;  // the library's own tests reach the channel through it
}

class RemoteContainer;

class RemoteRuntime {
public:
    // Forks the helper (see above). EBUSY when this process already runs several threads.
    static Result<RemoteRuntime> start(RuntimeOptions opts = {});
    RemoteRuntime(RemoteRuntime&&) noexcept;
    RemoteRuntime& operator=(RemoteRuntime&&) noexcept;
    // Closes the socket and reaps the helper (after the requests in flight).
    ~RemoteRuntime();

    [[nodiscard]] const RuntimeOptions& options() const { return opts_; }
    [[nodiscard]] pid_t helperPid() const;

    // As Runtime::create: stdio fds are passed to the helper; with keepConsole the pty master
    // comes back (RemoteContainer::takeConsole).
    Result<RemoteContainer> create(const CreateOptions& opts);
    Result<RemoteContainer> create(const CreateOptions& opts, const spec::Spec& spec);
    Result<RemoteContainer> load(const std::string& id);
    Result<std::vector<std::string>> list();

private:
    friend struct helper::Access;
    RemoteRuntime(std::shared_ptr<helper::Channel> ch, RuntimeOptions opts);
    Result<RemoteContainer> createWith(const CreateOptions& opts, const spec::Spec* spec);
    std::shared_ptr<helper::Channel> ch_;
    RuntimeOptions opts_;
};

class RemoteContainer {
public:
    RemoteContainer(RemoteContainer&&) noexcept = default;
    RemoteContainer& operator=(RemoteContainer&&) noexcept = default;
    ~RemoteContainer() = default;

    [[nodiscard]] const std::string& id() const { return id_; }
    [[nodiscard]] pid_t initPid() const { return initPid_; }
    [[nodiscard]] Result<spec::State> state() const;
    Result<void> start();
    Result<void> kill(int sig, bool all = false);
    Result<void> destroy(bool force = false, std::vector<std::string>* warnings = nullptr);
    Result<void> pause();
    Result<void> resume();
    Result<std::vector<pid_t>> pids() const;
    // As Container::exec; ExecProcess::pidfd polls readable when the process exits, and
    // waitProcess(pid) then gives its wait status.
    Result<ExecProcess> exec(const ExecOptions& opts);
    Result<Stats> stats() const;
    // For a container created through this RemoteRuntime: the init's wait status.
    Result<int> wait();
    // The wait status of a process started by exec() through this helper (blocks until it
    // exits; each status is given once).
    Result<int> waitProcess(pid_t pid);
    // For a created container: a pidfd of the init (pollable; -1 otherwise).
    [[nodiscard]] int pidfd() const { return pidfd_.get(); }
    UniqueFd takeConsole() { return std::move(console_); }

private:
    friend class RemoteRuntime;
    RemoteContainer(std::shared_ptr<helper::Channel> ch, std::string id, pid_t pid)
        : ch_(std::move(ch)), id_(std::move(id)), initPid_(pid) {}
    std::shared_ptr<helper::Channel> ch_;
    std::string id_;
    pid_t initPid_ = -1;
    UniqueFd pidfd_;
    UniqueFd console_;
};

}  // namespace lc
