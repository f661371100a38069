#pragma once

#include <sys/types.h>

#include <string>

#include "libcontainer/error.h"

namespace lc::util {

// One sendmsg of `data` with `fd` attached by SCM_RIGHTS (no fd when fd < 0); MSG_NOSIGNAL,
// retried on EINTR. Returns the sendmsg result (-1 with errno on failure).
ssize_t sendWithFd(int sock, const void* data, size_t len, int fd);

// Connects to the unix socket at `path` and sends `fd` with SCM_RIGHTS (runc's console
// socket protocol: the payload is the pty's name, then the socket is closed).
Result<void> sendFdToSocket(const std::string& path, int fd, const std::string& name);

}  // namespace lc::util
