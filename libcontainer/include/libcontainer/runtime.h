// The embedding entry point: a Runtime bound to a state root creates and loads containers.
//
// Process model: create() clone3()s the container init straight from the calling process
// (no re-exec). The calling process must therefore be single-threaded when it calls create()
// (and Container::exec): a multi-threaded embedder uses lc::RemoteRuntime (remote.h), which
// forks a single-threaded helper once, early. docs/threads.md lists the calls that are safe
// from threads without it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "libcontainer/container.h"
#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc {

// Where a program keeps its state by default, decided as runc decides its --root:
// $XDG_RUNTIME_DIR/<program> for a caller that is not root (or is root only inside a user
// namespace other than the initial one, and $USER is not "root"), else /run/<program>. The
// directory is not created (an unprivileged caller makes it 0700).
std::string defaultStateRoot(const std::string& program);
// That decision, from its inputs (null strings: unset), and for this process.
bool honorsXdgRuntimeDir(uid_t euid, bool nonInitialUserNs, const char* xdgRuntimeDir, const char* user);
bool honorsXdgRuntimeDir();
// This process is in a user namespace other than the initial one (its uid_map is not the
// identity over every id).
bool inNonInitialUserNs();

// The owner uid of the caller's own systemd instance (the user manager found as
// RuntimeOptions::rootlessCgroups with systemdCgroup finds it): what runc reads from `busctl
// --user status` (OwnerUID=) to decide whether root in a user namespace is rootless. An
// error when there is no user instance or no runc-cpp-systemd. systemdHelper: as in
// RuntimeOptions.
Result<uid_t> systemdUserOwnerUid(const std::string& systemdHelper = {});

struct RuntimeOptions {
    std::string root = "/run/runc-cpp";       // one directory per container under it
    std::string cgroupRoot = "/sys/fs/cgroup"; // where the cgroup hierarchies are mounted
    // Debug-level messages (the CLI's --debug): notes that are not worth a warning, such as
    // ambient capabilities that cannot be raised. Null: dropped.
    std::function<void(const std::string&)> debugLog;
    // The systemd cgroup driver (runc's --systemd-cgroup): linux.cgroupsPath is
    // "slice:prefix:name" and each container's cgroup is a transient systemd unit (cgroup v2
    // hosts booted with systemd). systemdHelper: where runc-cpp-systemd is, when not installed.
    bool systemdCgroup = false;
    std::string systemdHelper;
    // Fault injection for crash tests: called with the name of each crash point reached
    // (util/fault.h lists where: "create:after-clone", "start:before-release", ...); it may
    // end the process there. Null (the default): no fault points.
    std::function<void(const char* point)> faultHook;
    // runc's rootless cgroup manager (--rootless, automatic for a non-root caller): when the
    // container's cgroup cannot be made for lack of permission and linux.cgroupsPath is
    // empty, the container runs without one, as long as the config sets no limits. With
    // systemdCgroup it means the caller's own systemd instance (the user manager) makes the
    // unit, below that manager's cgroup, as runc 1.1 does.
    bool rootlessCgroups = false;
};

struct CreateOptions {
    std::string id;
    std::string bundle;          // directory holding config.json (relative to the cwd is fine)
    std::string pidFile;         // written (atomically) with the init's host pid
    std::string consoleSocket;   // unix socket that receives the pty master (terminal: true)
    bool noPivot = false;        // MS_MOVE + chroot instead of pivot_root
    bool noNewKeyring = false;   // keep the caller's session keyring
    int preserveFds = 0;         // extra fds after the socket-activation ones stay open
    int listenFds = 0;           // socket activation: fds 3 .. 3+N-1 are passed with
                                 // LISTEN_FDS=N and LISTEN_PID=<the process's pid>
    // sd_notify: the caller's NOTIFY_SOCKET. The container then gets a read-only bind mount of
    // <root>/<id>/notify at /run/notify and NOTIFY_SOCKET=/run/notify/notify.sock, as runc does;
    // Container::startNotifying() forwards its READY=1.
    std::string notifySocket;
    bool keepConsole = false;    // terminal without console socket: keep the master (for run)
    Stdio stdio;                 // fds 0-2 of the init (default: the caller's), see container.h
    // Warnings (unknown capabilities, ...) are appended here when not null.
    std::vector<std::string>* warnings = nullptr;
};

class Runtime {
public:
    static Result<Runtime> open(RuntimeOptions opts = {});

    const RuntimeOptions& options() const { return opts_; }

    // Reads <bundle>/config.json, validates it, and creates the container: the init waits
    // for start(). Leaves nothing behind on failure.
    Result<Container> create(const CreateOptions& opts);
    // Creates from a spec built in memory (see builder.h); opts.bundle (default: the cwd)
    // is only where relative paths such as root.path are resolved.
    Result<Container> create(const CreateOptions& opts, const spec::Spec& spec);
    // Restores a container checkpointed by Container::checkpoint (or runc) from
    // opts.imagePath under the new id opts.id with <bundle>/config.json: the restored init is
    // a child of the calling process, the container is "running". Leaves nothing behind on
    // failure; CRIU's log is <workPath>/restore.log.
    Result<Container> restore(const RestoreOptions& opts);
    // Loads an existing container; ENOENT "container does not exist" when there is none.
    Result<Container> load(const std::string& id);
    // Ids of all containers in the root.
    Result<std::vector<std::string>> list();

private:
    explicit Runtime(RuntimeOptions opts) : opts_(std::move(opts)) {}
    Result<Container> createFrom(const CreateOptions& opts, const std::string& bundle, const spec::Spec& spec,
                                 const std::string& rawConfig);
    RuntimeOptions opts_;
};

}  // namespace lc
