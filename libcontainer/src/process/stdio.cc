#include "process/stdio.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <string>

#include "libcontainer/unique_fd.h"

namespace lc::process {
namespace {

constexpr const char* kNames[3] = {"stdin", "stdout", "stderr"};

std::array<int, 3> asArray(const Stdio& s) { return {s.in, s.out, s.err}; }

}  // namespace

Result<void> checkStdio(const Stdio& stdio, bool terminal) {
    auto fds = asArray(stdio);
    for (int i = 0; i < 3; ++i) {
        if (fds[i] == -1) continue;
        if (fds[i] < -1) return fail(EBADF, std::string("stdio: ") + kNames[i] + " fd " + std::to_string(fds[i]) + " is not a file descriptor");
        if (terminal) return fail(EINVAL, std::string("stdio: ") + kNames[i] + " fd given with terminal: true (the pty is the process's stdio)");
        if (::fcntl(fds[i], F_GETFD) < 0) return errnoError(std::string("stdio: ") + kNames[i] + " fd " + std::to_string(fds[i]));
    }
    return {};
}

Result<void> installStdio(const Stdio& stdio) {
    auto fds = asArray(stdio);
    // First above 2, so that no target overwrites a source still to be installed.
    std::array<UniqueFd, 3> moved;
    for (int i = 0; i < 3; ++i) {
        if (fds[i] < 0) continue;
        moved[i].reset(::fcntl(fds[i], F_DUPFD_CLOEXEC, 3));
        if (!moved[i]) return errnoError(std::string("stdio: dup ") + kNames[i]);
    }
    for (int i = 0; i < 3; ++i)
        if (moved[i] && ::dup2(moved[i].get(), i) < 0) return errnoError(std::string("stdio: dup2 ") + kNames[i]);
    return {};
}

}  // namespace lc::process
