#include "hooks/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "libcontainer/unique_fd.h"
#include "util/fileutil.h"

namespace lc::hooks {
namespace {

std::vector<char*> cstrings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

std::string readOutput(int fd) {
    std::string out;
    ::lseek(fd, 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while (out.size() < 65536 && (n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace

namespace {

// Writes to a pipe whose reader may be gone (EPIPE) without the process-wide SIGPIPE
// disposition changing: SIGPIPE is blocked in this thread for the write, and one it raised
// is taken off the pending set before the mask is restored.
void writeIgnoringSigpipe(int fd, std::string_view data) {
    sigset_t pipeSet, old, pending;
    ::sigemptyset(&pipeSet);
    ::sigaddset(&pipeSet, SIGPIPE);
    ::sigemptyset(&pending);
    ::sigpending(&pending);
    const bool wasPending = ::sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
    auto r = util::writeAll(fd, data, "hook stdin");
    if (!r && r.error().errnum() == EPIPE && !wasPending) {
        const timespec zero{};
        while (::sigtimedwait(&pipeSet, nullptr, &zero) < 0 && errno == EINTR) {}
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

Result<void> run(const spec::Hook& hook, std::string_view stateJson) {
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) < 0) return errnoError("pipe");
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    UniqueFd out(::memfd_create("hook-output", MFD_CLOEXEC));
    if (!out) return errnoError("memfd_create");

    std::vector<std::string> args = hook.args;
    if (args.empty()) args.push_back(hook.path);
    auto argv = cstrings(args);
    auto envp = cstrings(hook.env);

    pid_t pid = ::fork();
    if (pid < 0) return errnoError("fork hook " + hook.path);
    if (pid == 0) {
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::dup2(rd.get(), 0);
        ::dup2(out.get(), 1);
        ::dup2(out.get(), 2);
        ::execve(hook.path.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    rd.reset();
    // The state is small (well under a pipe buffer); a hook that does not read it is fine.
    writeIgnoringSigpipe(wr.get(), stateJson);
    wr.reset();

    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    bool timedOut = false;
    if (hook.timeout && pidfd) {
        pollfd p{pidfd.get(), POLLIN, 0};
        int n;
        do n = ::poll(&p, 1, *hook.timeout * 1000); while (n < 0 && errno == EINTR);
        if (n == 0) {
            timedOut = true;
            ::kill(pid, SIGKILL);
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (timedOut) return fail(ETIMEDOUT, "hook " + hook.path + " ran past specified timeout of " + std::to_string(*hook.timeout) + "s");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    std::string output = readOutput(out.get());
    std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : std::string("signal: ") + ::strsignal(WTERMSIG(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && ::access(hook.path.c_str(), X_OK) < 0)
        return errnoError("hook " + hook.path);
    return fail("hook " + hook.path + " failed: " + why + (output.empty() ? "" : ", output: " + output));
}

namespace {

Error hookError(const Error& e, const char* kind, size_t i) {
    return e.wrap(std::string("error running ") + kind + " hook #" + std::to_string(i));
}

}  // namespace

Result<void> runAll(const std::vector<spec::Hook>& hooks, std::string_view stateJson, const char* kind) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        if (auto r = run(hooks[i], stateJson); !r) return std::unexpected(hookError(r.error(), kind, i));
    }
    return {};
}

void runAllWarn(const std::vector<spec::Hook>& hooks, std::string_view stateJson, const char* kind,
                std::vector<std::string>* warnings) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        auto r = run(hooks[i], stateJson);
        if (!r && warnings) warnings->push_back(hookError(r.error(), kind, i).message());
    }
}

}  // namespace lc::hooks
