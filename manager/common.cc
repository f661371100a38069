#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "args.h"
#include "client.h"
#include "commands.h"
#include "libcontainer/runtime.h"
#include "libcontainer/terminal.h"

namespace mgr {

int errorOut(const std::string& msg, int code) {
    std::fprintf(stderr, "Error: %s\n", msg.c_str());
    return code;
}

std::string shortId(const std::string& id) { return id.substr(0, 12); }

int forEachContainer(const Store& store, const std::vector<std::string>& refs,
                     const std::function<int(const Meta& m, const std::string& ref)>& fn) {
    int rc = 0;
    for (const auto& ref : refs) {
        auto m = store.resolve(ref);
        int r = m ? fn(*m, ref) : errorOut(m.error().message());
        if (r != 0) rc = r;
    }
    return rc;
}

lc::Result<lc::Container> loadContainer(const Store& store, const std::string& id) {
    auto rt = lc::Runtime::open({.root = store.runcRoot()});
    if (!rt) return std::unexpected(rt.error());
    return rt->load(id);
}

void printEntry(const LogEntry& e, bool timestamps) {
    FILE* out = e.stream == "stderr" ? stderr : stdout;
    if (timestamps) std::fprintf(out, "%s ", e.time.c_str());
    std::fwrite(e.log.data(), 1, e.log.size(), out);
    std::fflush(out);
}

// Unix seconds (fractions allowed), RFC 3339 UTC (2026-01-02T03:04:05Z), or a duration
// before now (10s, 5m, 2h).
lc::Result<int64_t> parseTimeArg(const std::string& s) {
    if (s.empty()) return lc::fail(EINVAL, "empty time");
    char unit = s.back();
    if ((unit == 's' || unit == 'm' || unit == 'h') && s.find('T') == std::string::npos) {
        auto n = parseInt(s.substr(0, s.size() - 1), "duration");
        if (!n) return std::unexpected(n.error());
        int64_t mul = unit == 's' ? 1 : unit == 'm' ? 60 : 3600;
        return nowNs() - *n * mul * 1000000000;
    }
    if (s.find('T') != std::string::npos) {
        tm t{};
        const char* end = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &t);
        if (!end) return lc::fail(EINVAL, "invalid time: " + s);
        int64_t ns = static_cast<int64_t>(::timegm(&t)) * 1000000000;
        if (*end == '.') {  // fraction, up to nanoseconds
            int64_t scale = 100000000;
            for (++end; *end >= '0' && *end <= '9'; ++end, scale /= 10) ns += (*end - '0') * scale;
        }
        if (*end != 'Z' && *end != '\0') return lc::fail(EINVAL, "invalid time (UTC only): " + s);
        return ns;
    }
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (*end) return lc::fail(EINVAL, "invalid time: " + s);
    return static_cast<int64_t>(v * 1e9);
}

int signalNumber(const std::string& s) {
    if (s.empty()) return 0;
    if (std::isdigit(static_cast<unsigned char>(s[0]))) {
        int n = std::atoi(s.c_str());
        return n > 0 && n < NSIG ? n : 0;
    }
    std::string name = s.starts_with("SIG") ? s.substr(3) : s;
    for (int i = 1; i < NSIG; ++i) {
        const char* abbrev = ::sigabbrev_np(i);
        if (abbrev && name == abbrev) return i;
    }
    return 0;
}

void waitSupervisorGone(const Store& store, const std::string& id, int timeoutMs) {
    for (int waited = 0; store.supervisorPid(id) && waited < timeoutMs; waited += 20)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

int attach(const Store& store, const Meta& meta, lc::UniqueFd conn, const std::string& since, bool stdinOptional) {
    lc::UniqueFd console;
    if (meta.tty) {
        auto c = receiveFd(conn.get());
        if (!c) return errorOut("attach " + shortId(meta.id) + ": " + c.error().message(), 125);
        console = std::move(*c);
        lc::copyWindowSize(console.get());
    }
    // -i: our stdin goes to the container's (a pipe), without a terminal
    lc::UniqueFd input;
    if (meta.interactive) {
        auto in = receiveFd(conn.get());
        if (!in && !stdinOptional) return errorOut("attach " + shortId(meta.id) + ": " + in.error().message(), 125);
        if (in) input = std::move(*in);
    }
    int inputFd = console ? console.get() : input.get();
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) sigaddset(&set, s);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    lc::UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC));
    lc::UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (watch) ::inotify_add_watch(watch.get(), store.dir(meta.id).c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
    lc::RawTerminal raw(console && ::isatty(0) ? 0 : -1);
    LogReader reader(store.logPath(meta.id));
    auto print = [&since](const LogEntry& e) {
        if (since.empty() || e.time >= since) printEntry(e, false);
    };
    bool stdinOpen = inputFd >= 0;
    std::optional<int> code;
    for (;;) {
        reader.readNew(print);
        pollfd p[4] = {{conn.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}, {watch.get(), POLLIN, 0}, {stdinOpen ? 0 : -1, POLLIN, 0}};
        if (::poll(p, 4, 250) < 0 && errno != EINTR) break;
        if (p[2].revents & POLLIN) {
            char buf[4096];
            while (::read(watch.get(), buf, sizeof buf) > 0) {}
        }
        if (p[3].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!lc::copyOnce(0, inputFd)) {
                stdinOpen = false;
                if (console) {
                    // end of input: the terminal's EOF character, as typing ^D would
                    char eot = 4;
                    (void)::write(console.get(), &eot, 1);
                } else {
                    input.reset();  // EOF on the container's stdin
                }
            }
        }
        if (p[1].revents & POLLIN) {
            signalfd_siginfo si;
            if (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
                int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGWINCH) {
                    if (console) lc::copyWindowSize(console.get());
                } else if (auto c = loadContainer(store, meta.id)) {
                    (void)c->kill(sig);
                }
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            code = readExitLine(conn.get());
            break;
        }
    }
    reader.readNew(print);
    // The signals stay blocked: one that came after the exit must not kill us before we
    // return the container's code (the caller exits next).
    if (!code) {
        if (auto e = store.readExit(meta.id)) return e->code;
        return errorOut("the supervisor of " + shortId(meta.id) + " went away", 125);
    }
    return *code;
}

}  // namespace mgr
