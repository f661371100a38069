// Handing a seccomp notify fd (SCMP_ACT_NOTIFY) to the listener named by
// linux.seccomp.listenerPath, as the runtime spec describes: connect to the unix socket, send
// one message carrying the fd with SCM_RIGHTS and, as payload, the container process state:
//   {"ociVersion": <from the state>, "fds": ["seccompFd"], "pid": <pid>,
//    "metadata": <listenerMetadata, left out when empty>, "state": <the container state>}
// then close the connection.
#pragma once

#include <sys/types.h>

#include <string>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"

namespace lc::security {

// The payload described above. `stateJson` is the container state document (as hooks get it);
// it is embedded as it is. Errors when it is not a JSON object.
Result<std::string> seccompListenerPayload(const std::string& metadata, const std::string& stateJson, pid_t pid);

// Sends `notifyFd` and the payload to the listener at `listenerPath`. `pid` is the process
// the filter belongs to, as the host sees it; 0 takes the "pid" of the state. Does not close
// `notifyFd`. The path is resolved in the caller's mount namespace and root: a container init
// that has already switched to the container's root cannot use it (see the two-step form).
// Called in the process that loaded the filter, every syscall it makes here (socket, connect,
// sendmsg, close) must be one the profile does not notify, or it blocks on itself.
Result<void> sendSeccompListener(const std::string& listenerPath, const std::string& metadata,
                                 const std::string& stateJson, pid_t pid, int notifyFd);

// The same in two steps, for a container process: connect in the runtime (host mount
// namespace) before clone, let the child inherit the socket, and send from the child once the
// filter is loaded (after pivot_root, where the host path no longer resolves).
Result<UniqueFd> connectSeccompListener(const std::string& listenerPath);
Result<void> sendSeccompListener(int connectedSock, const std::string& metadata, const std::string& stateJson,
                                 pid_t pid, int notifyFd);

}  // namespace lc::security
