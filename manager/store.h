// The manager's state on disk. Under the root (default /run/runccpp-manager):
//   <id>/meta.json       what `run` was asked for (name, command, tty, log limits, ...)
//   <id>/started.json    written by the supervisor once the container runs (pid, time)
//   <id>/exit.json       written by the supervisor after the init was reaped and the logs drained
//   <id>/supervisor.pid  "<pid> <start time>" of the container's supervisor
//   <id>/sock            the supervisor's unix socket (console fd, wait for exit)
//   <id>/container.log   JSON-lines log, rotated to container.log.1 ...
//   runc/                libcontainer's state root
//   events.log           lifecycle events, one JSON object a line (rotated to events.log.1)
// Nothing else holds state: any manager process sees every container.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "base/clock.h"
#include "base/file.h"

namespace mgr {

using lc::exitCodeOf;
using lc::nowNs;                                                       // base/clock.h
inline std::string rfc3339(int64_t ns) { return lc::rfc3339Nano(ns); }  // 2026-01-02T03:04:05.123456789Z
std::string humanDuration(int64_t secs);   // "5 seconds", "About a minute", "3 hours"
// The tree's file helpers (base/file.h): the manager's files are 0600 from their creation.
inline lc::Result<void> writeFileAtomic(const std::string& path, const std::string& text) {
    return lc::util::writeFileAtomic(path, text, 0600);
}
inline std::string readFile(const std::string& path) {  // empty when unreadable
    auto r = lc::util::readFile(path);
    return r ? std::move(*r) : std::string();
}

struct Meta {
    std::string id, name, bundle;      // bundle: dir of config.json (generated specs live in <id>/)
    std::string image, imageRef;       // an image's id and the name it was run by (none for dirs)
    std::vector<std::string> volumes;  // named volumes it mounts
    std::vector<std::string> args;     // the process's argv
    std::map<std::string, std::string> labels;  // --label, --label-file
    std::string restart;               // --restart as given (restart.h); empty: no
    bool tty = false, autoRemove = false;
    bool interactive = false;          // stdin is a pipe kept open (run -i without -t)
    int64_t created = 0;               // ns since the epoch
    int64_t logMaxSize = 10 << 20, logMaxFiles = 3;
};

struct ExitRecord {
    int code = -1;
    int64_t finishedAt = 0;
    bool oomKilled = false;
};

struct Status {
    std::string state;   // created, running, paused, exited, dead
    pid_t pid = 0;       // init's host pid while it runs
    int64_t startedAt = 0;
    std::optional<ExitRecord> exit;
    pid_t supervisor = 0;  // 0 when it is gone
};

class Store {
public:
    explicit Store(std::string root) : root_(std::move(root)) {}

    [[nodiscard]] const std::string& root() const { return root_; }
    [[nodiscard]] std::string dir(const std::string& id) const { return root_ + "/" + id; }
    [[nodiscard]] std::string runcRoot() const { return root_ + "/runc"; }
    [[nodiscard]] std::string eventsPath() const { return root_ + "/events.log"; }
    [[nodiscard]] std::string sockPath(const std::string& id) const { return dir(id) + "/sock"; }
    [[nodiscard]] std::string logPath(const std::string& id) const { return dir(id) + "/container.log"; }

    lc::Result<void> init() const;
    // An exclusive lock on the root for name allocation and removal.
    lc::Result<lc::UniqueFd> lock() const;

    lc::Result<std::vector<Meta>> list() const;  // oldest first
    // A container by full id, name, or unique id prefix.
    lc::Result<Meta> resolve(const std::string& ref) const;
    lc::Result<Meta> readMeta(const std::string& id) const;
    lc::Result<void> writeMeta(const Meta& m) const;

    lc::Result<void> writeStarted(const std::string& id, pid_t pid, int64_t at) const;
    lc::Result<void> writeExit(const std::string& id, const ExitRecord& e) const;
    [[nodiscard]] std::optional<ExitRecord> readExit(const std::string& id) const;
    lc::Result<void> writeSupervisorPid(const std::string& id, pid_t pid) const;
    // The supervisor's pid if it is still that process (its start time matches), else 0.
    [[nodiscard]] pid_t supervisorPid(const std::string& id) const;

    [[nodiscard]] Status status(const Meta& m) const;

    // Appends a lifecycle event: {"time","timeNano","type":"container","action","id","name","attributes"}.
    // The log is rotated to events.log.1 at eventsMaxSize() (4 MiB, or
    // $RUNCCPP_MANAGER_EVENTS_MAX_SIZE bytes).
    void event(const std::string& action, const Meta& m, const std::map<std::string, std::string>& attrs = {}) const;
    static int64_t eventsMaxSize();

private:
    std::string root_;
};

// {"k":"v",...} (keys sorted)
std::string labelsJson(const std::map<std::string, std::string>& labels);

// Process start time (field 22 of /proc/PID/stat), 0 when the process is gone or a zombie.
uint64_t procStartTime(pid_t pid);

}  // namespace mgr
