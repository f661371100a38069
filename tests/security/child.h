// Test helper: run a function in a forked child and collect its wait status.
#pragma once

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace lc::security::test {

// Forks; the child runs fn() and exits with its return value (fn must not return through
// Catch2 or throw). Returns the raw wait status, or -1 when fork/waitpid failed.
// The child exits with the raw exit_group syscall: under ASan, _exit() is intercepted and
// makes more syscalls (sigaltstack, gettid, mmap) that a test's seccomp filter denies, and
// ASan then dies with "CHECK failed" and status 1 instead of the child's own code.
template <typename F>
int runInChild(F&& fn) {
    pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int code = std::forward<F>(fn)();
        ::syscall(SYS_exit_group, code);
        ::_exit(code);  // only if a filter refused exit_group
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return status;
}

inline bool exitedWith(int status, int code) { return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code; }
inline bool killedBy(int status, int sig) { return status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == sig; }

}  // namespace lc::security::test
