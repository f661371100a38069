// The per-container supervisor: a process of its own (new session, child subreaper, stdio on
// /dev/null) that creates and starts the container with libcontainer, owns its stdio (pipes,
// or the pty master for a terminal) and writes it to the JSON-lines log, reaps the init,
// records the exit status (code, or 128+signal) and lifecycle events, and serves a unix socket
// (see client.h). It outlives the manager command that launched it and exits once the
// container has exited and its exit is on disk (after removing the container with --rm).
#pragma once

#include <sys/types.h>

#include "libcontainer/error.h"
#include "spec/spec.h"
#include "store.h"

namespace mgr {

// Forks the supervisor for a container whose meta.json is written, and returns its pid once
// the container runs, or the error that kept it from starting (the supervisor is gone then).
// With `attach` (a foreground run) it is set to a connection the supervisor treats as a "wait"
// client from the start, so that even a container that exits at once is waited for (and not
// removed under --rm before this end hung up); for a terminal the pty master comes first on it.
lc::Result<pid_t> launchSupervisor(const Store& store, const Meta& meta, const spec::Spec& spec,
                                   lc::UniqueFd* attach = nullptr);

}  // namespace mgr
