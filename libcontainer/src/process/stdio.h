// The caller's stdio for a container process (CreateOptions::stdio, ExecOptions::stdio): checked
// by the parent, installed on fds 0-2 by the child as its first step, so the caller's own fds
// 0-2 are never touched (an embedder needs no dup2 around create or exec).
#pragma once

#include "libcontainer/container.h"
#include "libcontainer/error.h"

namespace lc::process {

// Parent side: every fd given is open; none with a terminal (the pty is the stdio then).
Result<void> checkStdio(const Stdio& stdio, bool terminal);
// Child side: dup2s the given fds onto 0, 1, 2 (close-on-exec cleared); -1 keeps the fd.
// Any order works, including fds that are each other's targets (out = 0, in = 1).
Result<void> installStdio(const Stdio& stdio);

}  // namespace lc::process
