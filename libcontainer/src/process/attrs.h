// Process attributes applied by the init (and by exec'd processes) before execve.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "spec/spec.h"
#include "sys/process_calls.h"

namespace lc::process {

// RLIMIT_* name -> resource number; -1 if unknown.
int rlimitResource(const std::string& name);
Result<void> applyRlimits(const std::vector<spec::Rlimit>& rlimits);
Result<void> applyOomScoreAdj(const std::optional<int>& adj);
Result<void> applyPersonality(const std::optional<spec::Personality>& p);
Result<void> applyIoPriority(const std::optional<spec::IoPriority>& io);
Result<void> applyScheduler(const std::optional<spec::Scheduler>& s);
// setgroups(additionalGids), setresgid, setresuid through `sc`. `skipSetgroups`: no setgroups.
Result<void> applyUser(const spec::User& user, bool skipSetgroups, sys::ProcessCalls& sc);

// Finds the binary for args[0] as exec would inside the container: a path with '/' is
// checked directly, else each $PATH entry of `env`. Errors use runc's wording
// (`exec: "x": executable file not found in $PATH`, `exec: "/x": stat /x: no such file or directory`).
Result<std::string> resolveExecutable(const std::string& arg0, const std::vector<std::string>& env);

// Allocates a pty inside the container (/dev/ptmx), makes the slave the controlling
// terminal and stdio of the calling process, sets its size, gives the slave to `owner` (the
// process's uid, as runc does), and returns the master.
// The container's /dev/ptmx may be a symlink only to the devpts instance's ptmx.
bool ptmxLinkAllowed(std::string_view target);
// The node is the pty multiplexer: char device 5:2.
bool isPtyMultiplexer(const struct stat& st);

Result<UniqueFd> setupConsole(const std::optional<spec::Box>& size, uid_t owner);

}  // namespace lc::process
