// run: create + start, then (unless --detach) wait in the foreground: forward signals,
// proxy a terminal, exit with the container's status, delete it afterwards.
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>

#include "../cli.h"
#include "create_options.h"

namespace cli {
namespace {

// Puts a terminal in raw mode for the lifetime of the object.
class RawTerminal {
public:
    explicit RawTerminal(int fd) : fd_(fd) {
        if (::isatty(fd) && ::tcgetattr(fd, &saved_) == 0) {
            termios raw = saved_;
            ::cfmakeraw(&raw);
            raw.c_oflag |= OPOST;  // keep output newline handling of the host terminal
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
    ssize_t n = ::read(from, buf, sizeof buf);
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

int exitCodeOf(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

}  // namespace

int runRun(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    CreateFlags f;
    addCreateFlags(desc, f);
    bool detach = false, keep = false;
    desc.add_options()
        ("detach,d", po::bool_switch(&detach), "detach from the container's process")
        ("keep", po::bool_switch(&keep), "do not delete the container after it exits");
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    std::string id;
    if (!parseArgs(ctx, "run", "[command options] <container-id>", args, desc, pos, vm, &rc)) return rc;
    if (!requireId(ctx, vm, "run", &id, &rc)) return rc;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());

    std::vector<std::string> warnings;
    auto opts = toCreateOptions(f, id, &warnings);
    opts.keepConsole = !detach;

    // Signals are blocked before the clone so that none is lost; the init unblocks them.
    sigset_t all, old;
    ::sigfillset(&all);
    ::sigdelset(&all, SIGSEGV);
    ::sigdelset(&all, SIGBUS);
    ::sigdelset(&all, SIGFPE);
    ::sigdelset(&all, SIGILL);
    if (!detach) ::sigprocmask(SIG_BLOCK, &all, &old);

    auto c = rt->create(opts);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!c) return failWith(ctx, "runc-cpp run failed: " + c.error().message());
    if (auto r = c->start(); !r) {
        (void)c->destroy(true);
        return failWith(ctx, r.error());
    }
    if (detach) return 0;

    lc::UniqueFd console = c->takeConsole();
    RawTerminal raw(console ? 0 : -1);
    if (console) resize(console.get());
    lc::UniqueFd sfd(::signalfd(-1, &all, SFD_CLOEXEC));
    pollfd fds[3] = {{sfd.get(), POLLIN, 0}, {c->pidfd(), POLLIN, 0}, {-1, POLLIN, 0}};
    int nfds = 2;
    pollfd stdinFd{-1, POLLIN, 0};
    if (console) {
        fds[2] = {console.get(), POLLIN, 0};
        nfds = 3;
        stdinFd = {0, POLLIN, 0};
    }
    bool stdinOpen = console.valid();
    for (;;) {
        pollfd set[4];
        int n = 0;
        for (int i = 0; i < nfds; ++i) set[n++] = fds[i];
        if (stdinOpen) set[n++] = stdinFd;
        int r = ::poll(set, static_cast<nfds_t>(n), -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (set[0].revents & POLLIN) {
            signalfd_siginfo si;
            if (::read(sfd.get(), &si, sizeof si) == sizeof si) {
                int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGWINCH && console) resize(console.get());
                else if (sig != SIGCHLD) (void)c->kill(sig, false);
            }
        }
        if (nfds == 3 && (set[2].revents & (POLLIN | POLLHUP))) {
            if (!copyOnce(console.get(), 1)) fds[2].fd = -1;
        }
        if (stdinOpen && (set[n - 1].revents & (POLLIN | POLLHUP))) {
            if (!copyOnce(0, console.get())) stdinOpen = false;
        }
        if (set[1].revents & POLLIN) break;
    }
    // Drain what the terminal still holds.
    if (console) {
        pollfd p{console.get(), POLLIN, 0};
        while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && copyOnce(console.get(), 1)) {}
    }
    auto status = c->wait();
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    int code = status ? exitCodeOf(*status) : 255;
    if (!keep) {
        if (auto r = c->destroy(true); !r) ctx.log->warn("delete after run: " + r.error().message());
    }
    return code;
}

}  // namespace cli
