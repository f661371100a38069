#include "foreground.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "libcontainer/error.h"
#include "libcontainer/terminal.h"

namespace cli {

SignalBlock::SignalBlock() {
    ::sigfillset(&set_);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) ::sigdelset(&set_, s);
    ::sigprocmask(SIG_BLOCK, &set_, &old_);
}

SignalBlock::~SignalBlock() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

int superviseForeground(pid_t pid, int pidfd, lc::UniqueFd console, const sigset_t& signals,
                        const std::function<void(int)>& forward) {
    lc::RawTerminal raw(console ? 0 : -1);
    if (console) lc::copyWindowSize(console.get());
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
                if (sig == SIGWINCH && console) lc::copyWindowSize(console.get());
                else if (sig != SIGCHLD) forward(sig);
            }
        }
        if (ci >= 0 && (set[ci].revents & (POLLIN | POLLHUP | POLLERR)) && !lc::copyOnce(console.get(), 1))
            consoleOpen = false;
        if (si >= 0 && (set[si].revents & (POLLIN | POLLHUP | POLLERR)) && !lc::copyOnce(0, console.get()))
            stdinOpen = false;
        if (set[1].revents & POLLIN) break;
    }
    if (consoleOpen) {  // what the terminal still holds
        pollfd p{console.get(), POLLIN, 0};
        while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && lc::copyOnce(console.get(), 1)) {}
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

std::string hostConsoleError() {
    for (int fd : {2, 1, 0})
        if (::isatty(fd)) return {};
    lc::UniqueFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!tty) return lc::errnoError("open /dev/tty").error().message();  // Go's lower-case wording
    return {};
}


}  // namespace cli
