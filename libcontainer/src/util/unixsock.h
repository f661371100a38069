#pragma once

#include <string>

#include "libcontainer/error.h"

namespace lc::util {

// Connects to the unix socket at `path` and sends `fd` with SCM_RIGHTS (runc's console
// socket protocol: the payload is the pty's name, then the socket is closed).
Result<void> sendFdToSocket(const std::string& path, int fd, const std::string& name);

}  // namespace lc::util
