#include "foreground.h"

#include <poll.h>
#include <cerrno>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace cli {
namespace {

// Puts a terminal in raw mode for the lifetime of the object.
class RawTerminal {
public:
    explicit RawTerminal(int fd) : fd_(fd) {
        if (fd >= 0 && ::isatty(fd) && ::tcgetattr(fd, &saved_) == 0) {
            termios raw = saved_;
            ::cfmakeraw(&raw);
            active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
        }
    }
    ~RawTerminal() {
        if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
    }

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

bool copyOnce(int from, int to) {
    char buf[8192];
    ssize_t n;
    do n = ::read(from, buf, sizeof buf); while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        off += w;
    }
    return true;
}

void resize(int master) {
    winsize ws{};
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
}

}  // namespace

SignalBlock::SignalBlock() {
    ::sigfillset(&set_);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) ::sigdelset(&set_, s);
    ::sigprocmask(SIG_BLOCK, &set_, &old_);
}

SignalBlock::~SignalBlock() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

int superviseForeground(pid_t pid, int pidfd, lc::UniqueFd console, const sigset_t& signals,
                        const std::function<void(int)>& forward) {
    RawTerminal raw(console ? 0 : -1);
    if (console) resize(console.get());
    lc::UniqueFd sfd(::signalfd(-1, &signals, SFD_CLOEXEC));
    bool consoleOpen = console.valid(), stdinOpen = console.valid();
    for (;;) {
        pollfd set[4];
        nfds_t n = 0;
        set[n++] = {sfd.get(), POLLIN, 0};
        set[n++] = {pidfd, POLLIN, 0};
        int ci = -1, si = -1;
        if (consoleOpen) ci = static_cast<int>(n), set[n++] = {console.get(), POLLIN, 0};
        if (stdinOpen) si = static_cast<int>(n), set[n++] = {0, POLLIN, 0};
        if (::poll(set, n, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (set[0].revents & POLLIN) {
            signalfd_siginfo si2;
            if (::read(sfd.get(), &si2, sizeof si2) == sizeof si2) {
                int sig = static_cast<int>(si2.ssi_signo);
                if (sig == SIGWINCH && console) resize(console.get());
                else if (sig != SIGCHLD) forward(sig);
            }
        }
        if (ci >= 0 && (set[ci].revents & (POLLIN | POLLHUP | POLLERR)) && !copyOnce(console.get(), 1))
            consoleOpen = false;
        if (si >= 0 && (set[si].revents & (POLLIN | POLLHUP | POLLERR)) && !copyOnce(0, console.get()))
            stdinOpen = false;
        if (set[1].revents & POLLIN) break;
    }
    if (consoleOpen) {  // what the terminal still holds
        pollfd p{console.get(), POLLIN, 0};
        while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && copyOnce(console.get(), 1)) {}
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

int exitCodeOf(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

}  // namespace cli
