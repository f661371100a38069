// Keeps host resources from leaking into a container through inherited file descriptors and
// the working directory (CVE-2024-21626 class).
//
// A container process that inherits an fd to a host directory (from the runtime itself, e.g. a
// cgroup dir, or from its caller) can get out of its root: process.cwd "/proc/self/fd/N" makes
// the chdir follow the magic link to the host directory, and `..` from there walks the host's
// tree. Both helpers are for the container init / exec'd process between clone and execve: they
// allocate nothing and only make system calls.
#pragma once

#include <initializer_list>
#include <string>

#include "libcontainer/error.h"
#include "sys/process_calls.h"

namespace lc::security {

// Closes every fd >= `from` except those in `keep` (negative entries are ignored). Use it
// after the root switch and before chdir(process.cwd), with from = 3 + preserveFds and keep =
// the fds still needed (sync socket, exec fifo).
Result<void> closeInheritedFds(int from, std::initializer_list<int> keep, sys::ProcessCalls& sc);

// After chdir(process.cwd): the working directory must be reachable from the process's root.
// getcwd(2) names a directory outside the root "(unreachable)/..." (glibc: ENOENT); that is an
// error naming `cwd`.
Result<void> checkCwdInsideRoot(const std::string& cwd);

}  // namespace lc::security
