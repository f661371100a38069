// The manager's commands, one file each; every one returns the process exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "libcontainer/container.h"
#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "logfile.h"
#include "store.h"

namespace mgr {

using Argv = std::vector<std::string>;

int cmdRun(const Store& store, const Argv& argv);
int cmdPs(const Store& store, const Argv& argv);
int cmdLogs(const Store& store, const Argv& argv);
int cmdStats(const Store& store, const Argv& argv);
int cmdTop(const Store& store, const Argv& argv);
int cmdExec(const Store& store, const Argv& argv);
int cmdStop(const Store& store, const Argv& argv);
int cmdKill(const Store& store, const Argv& argv);
int cmdRm(const Store& store, const Argv& argv);
int cmdInspect(const Store& store, const Argv& argv);
int cmdEvents(const Store& store, const Argv& argv);
int cmdWait(const Store& store, const Argv& argv);
int cmdPause(const Store& store, const Argv& argv);
int cmdUnpause(const Store& store, const Argv& argv);
int cmdLoad(const Store& store, const Argv& argv);
int cmdImages(const Store& store, const Argv& argv);
int cmdRmi(const Store& store, const Argv& argv);
int cmdMetrics(const Store& store, const Argv& argv);  // metrics.cc
int cmdNetwork(const Store& store, const Argv& argv);
int cmdStart(const Store& store, const Argv& argv);
int cmdRestart(const Store& store, const Argv& argv);
int cmdAttach(const Store& store, const Argv& argv);

// stop's work for one container (no output): marks it stopped by the user, sends `sig`,
// KILLs after graceSecs; 0, or the code of the error it reported.
int stopContainer(const Store& store, const Meta& m, const std::string& ref, int sig, int64_t graceSecs);

// Shared by the commands (common.cc).
int errorOut(const std::string& msg, int code = 1);  // "Error: msg" on stderr
std::string shortId(const std::string& id);
// Runs `fn` for each container reference in turn (full id, id prefix or name). A reference
// that does not resolve is reported and the rest still run. Returns the last non-zero result
// (an unresolved reference counts as 1), or 0.
int forEachContainer(const Store& store, const std::vector<std::string>& refs,
                     const std::function<int(const Meta& m, const std::string& ref)>& fn);
lc::Result<lc::Container> loadContainer(const Store& store, const std::string& id);
void printEntry(const LogEntry& e, bool timestamps);
// Attaches to a started container until it exits: prints its log from the start (stdout,
// stderr), feeds a terminal's input and window size, forwards signals; returns the exit code.
// `conn` is the connection from launchSupervisor(attach).
// `since` (an RFC 3339 time, as the log's): entries before it are not printed (start -a).
// `stdinOptional`: a -i container's stdin may not come (the attach command).
int attach(const Store& store, const Meta& meta, lc::UniqueFd conn, const std::string& since = {},
           bool stdinOptional = false);
// A time flag (--since, --until): unix seconds (fractions allowed), RFC 3339 UTC
// (2026-01-02T03:04:05Z) or a duration before now (10s, 5m, 2h); ns since the epoch.
lc::Result<int64_t> parseTimeArg(const std::string& s);
// Signal by name (TERM, SIGTERM) or number; 0 when unknown.
int signalNumber(const std::string& s);
// Waits (bounded) for the supervisor of a container to be gone.
void waitSupervisorGone(const Store& store, const std::string& id, int timeoutMs);

}  // namespace mgr
