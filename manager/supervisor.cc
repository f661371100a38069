#include "supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "libcontainer/oom.h"
#include "libcontainer/runtime.h"
#include "images.h"
#include "logfile.h"
#include "network.h"
#include "loop.h"
#include "process_io.h"
#include "restart.h"

namespace mgr {
namespace {

void writeAll(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

lc::Result<lc::UniqueFd> listenUnix(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return lc::fail(ENAMETOOLONG, "socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return lc::errnoError("socket");
    lc::UniqueFd s(fd);
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return lc::errnoError("bind " + path);
    ::chmod(path.c_str(), 0600);
    if (::listen(fd, 16) < 0) return lc::errnoError("listen " + path);
    return s;
}

void sendFd(int sock, int fd) {
    char byte = 'c';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof cbuf;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    (void)::sendmsg(sock, &msg, MSG_NOSIGNAL);
}

int64_t monotonicMs() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The running supervisor: everything its loop callbacks share.
class Supervisor {
public:
    Supervisor(const Store& store, Meta meta, shim::Loop& loop)
        : store_(store), meta_(std::move(meta)), loop_(loop),
          log_(store.logPath(meta_.id), meta_.logMaxSize, meta_.logMaxFiles) {}

    lc::Result<void> start(const spec::Spec& spec, lc::UniqueFd listener, lc::UniqueFd attached);
    int run();
    // Before a restart: the exited container's libcontainer state and cgroup go.
    void destroyContainer() {
        if (c_) (void)c_->destroy(true);
    }

private:
    void watchOutput(lc::UniqueFd fd, const std::string& stream);
    void onOutput(int fd, const std::string& stream);
    void onAccept();
    void onClient(int fd);
    void reap();
    void maybeFinish();
    void finish();
    void removeAndStop();
    void armTimer(int ms);

    const Store& store_;
    Meta meta_;
    shim::Loop& loop_;
    LogWriter log_;
    std::optional<lc::Runtime> rt_;
    std::optional<lc::Container> c_;
    pid_t init_ = -1;
    void checkOom();

    lc::UniqueFd listener_, sigfd_, timer_, oomTimer_, console_;
    std::optional<lc::OomWatch> oomWatch_;  // dropped once its cgroup is gone
    uint64_t oomKills_ = 0;
    lc::UniqueFd stdin_;
    std::map<int, lc::UniqueFd> outputs_;  // fd -> owner, with its stream in streams_
    std::map<int, std::string> streams_;
    std::map<int, lc::UniqueFd> clients_;  // connections that did not send a request yet
    std::map<int, lc::UniqueFd> waiters_;
    std::optional<int> exitStatus_;
    bool finished_ = false, removing_ = false, timerFired_ = false;
};

lc::Result<void> Supervisor::start(const spec::Spec& spec, lc::UniqueFd listener, lc::UniqueFd attached) {
    listener_ = std::move(listener);
    LC_TRY(log_.open());
    auto rt = lc::Runtime::open({.root = store_.runcRoot()});
    if (!rt) return std::unexpected(rt.error());
    rt_.emplace(std::move(*rt));

    int nullFd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nullFd < 0) return lc::errnoError("open /dev/null");
    lc::UniqueFd devNull(nullFd);
    lc::UniqueFd inR, inW, outR, outW, errR, errW;
    bool tty = spec.process && spec.process->terminal;
    if (!tty) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) < 0) return lc::errnoError("pipe");
        outR.reset(p[0]), outW.reset(p[1]);
        if (::pipe2(p, O_CLOEXEC) < 0) return lc::errnoError("pipe");
        errR.reset(p[0]), errW.reset(p[1]);
        if (meta_.interactive) {
            if (::pipe2(p, O_CLOEXEC) < 0) return lc::errnoError("pipe");
            inR.reset(p[0]), inW.reset(p[1]);
        }
    }
    lc::CreateOptions co{.id = meta_.id, .bundle = meta_.bundle};
    co.keepConsole = tty;
    auto c = [&] {
        if (tty) {
            shim::StdioSwap swap(devNull.get(), devNull.get(), devNull.get());
            return rt_->create(co, spec);
        }
        shim::StdioSwap swap(inR ? inR.get() : devNull.get(), outW.get(), errW.get());
        return rt_->create(co, spec);
    }();
    if (!c) return std::unexpected(c.error());
    c_.emplace(std::move(*c));
    init_ = c_->initPid();
    store_.event("create", meta_);
    // From here on a failure must not leave the container behind.
    struct Undo {
        lc::Container* c;
        ~Undo() {
            if (c) (void)c->destroy(true);
        }
    } undo{&*c_};
    inR.reset();
    outW.reset();
    errW.reset();
    if (tty) {
        console_ = c_->takeConsole();
        if (!console_) return lc::fail(EIO, "no console for the terminal");
        int d = ::fcntl(console_.get(), F_DUPFD_CLOEXEC, 3);
        if (d < 0) return lc::errnoError("dup console");
        watchOutput(lc::UniqueFd(d), "stdout");
    } else {
        watchOutput(std::move(outR), "stdout");
        watchOutput(std::move(errR), "stderr");
    }
    LC_TRY(c_->start());
    LC_TRY(store_.writeStarted(meta_.id, init_, nowNs()));
    store_.event("start", meta_);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    sigfd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!sigfd_ || !timer_) return lc::errnoError("signalfd/timerfd");
    LC_TRY(loop_.watch(sigfd_.get(), EPOLLIN, [this](uint32_t) {
        signalfd_siginfo si;
        while (::read(sigfd_.get(), &si, sizeof si) == sizeof si) {}
        reap();
    }));
    LC_TRY(loop_.watch(timer_.get(), EPOLLIN, [this](uint32_t) {
        uint64_t n;
        (void)::read(timer_.get(), &n, sizeof n);
        timerFired_ = true;
        if (removing_) removeAndStop();
        else maybeFinish();
    }));
    LC_TRY(loop_.watch(listener_.get(), EPOLLIN, [this](uint32_t) { onAccept(); }));
    // OOM kills while the container runs (one that kills a child, not the init): libcontainer's
    // OomWatch wakes the loop when the memory cgroup counts one (v1 eventfd, v2 inotify).
    // Without a memory cgroup to watch, the count is polled every second instead.
    if (auto w = c_->oomEvents()) {
        oomWatch_.emplace(std::move(*w));
        LC_TRY(loop_.watch(oomWatch_->fd(), EPOLLIN, [this](uint32_t) {
            if (!oomWatch_->consume()) {  // the cgroup is gone: nothing more to watch
                loop_.unwatch(oomWatch_->fd());
                oomWatch_.reset();
                return;
            }
            if (!exitStatus_) checkOom();
        }));
    } else {
        oomTimer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
        if (!oomTimer_) return lc::errnoError("timerfd");
        itimerspec every{{1, 0}, {1, 0}};
        ::timerfd_settime(oomTimer_.get(), 0, &every, nullptr);
        LC_TRY(loop_.watch(oomTimer_.get(), EPOLLIN, [this](uint32_t) {
            uint64_t n;
            (void)::read(oomTimer_.get(), &n, sizeof n);
            if (!exitStatus_) checkOom();
        }));
    }
    loop_.setIdle([this] { reap(); });
    if (attached) {
        // The foreground `run`: a waiter from the start (gets the console first for a terminal).
        if (console_) sendFd(attached.get(), console_.get());
        // -i: the client feeds stdin; its EOF (or its death) is the container's EOF
        if (inW) sendFd(attached.get(), inW.get());
        inW.reset();
        int fd = attached.get();
        waiters_[fd] = std::move(attached);
        LC_TRY(loop_.watch(fd, EPOLLIN, [this, fd](uint32_t) { onClient(fd); }));
    }
    stdin_ = std::move(inW);  // -d -i: stdin stays open, as long as the container runs
    undo.c = nullptr;
    return {};
}

void Supervisor::watchOutput(lc::UniqueFd fd, const std::string& stream) {
    int f = fd.get();
    int fl = ::fcntl(f, F_GETFL);
    ::fcntl(f, F_SETFL, fl | O_NONBLOCK);
    streams_[f] = stream;
    outputs_[f] = std::move(fd);
    (void)loop_.watch(f, EPOLLIN, [this, f](uint32_t) { onOutput(f, streams_[f]); });
}

void Supervisor::onOutput(int fd, const std::string& stream) {
    char buf[65536];
    for (int i = 0; i < 16; ++i) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            log_.write(stream, std::string_view(buf, static_cast<size_t>(n)));
            continue;
        }
        if (n < 0 && (errno == EINTR)) continue;
        if (n < 0 && errno == EAGAIN) return;
        // EOF, or EIO from a pty master whose last slave fd closed
        loop_.unwatch(fd);
        outputs_.erase(fd);
        maybeFinish();
        return;
    }
}

void Supervisor::onAccept() {
    for (;;) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        clients_[fd] = lc::UniqueFd(fd);
        (void)loop_.watch(fd, EPOLLIN, [this, fd](uint32_t) { onClient(fd); });
    }
}

void Supervisor::onClient(int fd) {
    if (auto w = waiters_.find(fd); w != waiters_.end()) {
        char b[64];
        if (::read(fd, b, sizeof b) > 0) return;  // ignore chatter; EOF means it hung up
        loop_.unwatch(fd);
        waiters_.erase(w);
        if (removing_ && waiters_.empty()) removeAndStop();
        return;
    }
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    std::string req = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    auto conn = std::move(clients_[fd]);
    clients_.erase(fd);
    if (req.starts_with("attach")) {
        // `attach`: the console of a terminal, or the stdin a -d -i container keeps (a byte
        // without an fd when a foreground run holds it), then a waiter as for "wait"
        if (console_) sendFd(fd, console_.get());
        else if (meta_.interactive) sendFd(fd, stdin_ ? stdin_.get() : -1);
    }
    if (req.starts_with("wait") || req.starts_with("attach")) {
        if (finished_) {
            writeAll(fd, "exit " + std::to_string(exitCodeOf(*exitStatus_)) + "\n");
        }
        waiters_[fd] = std::move(conn);
        return;
    }
    loop_.unwatch(fd);
    if (req.starts_with("console")) sendFd(fd, console_.get());
}

void Supervisor::checkOom() {
    auto n = c_->oomKillCount();
    if (!n || *n <= oomKills_) return;
    oomKills_ = *n;
    store_.event("oom", meta_);
}

void Supervisor::reap() {
    int st = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) {
        if (pid != init_ || exitStatus_) continue;
        exitStatus_ = st;
        // The pipes reach EOF when the last process holding them is gone; a process that
        // escaped the container's pid namespace could hold them forever: give it 2s.
        armTimer(2000);
        maybeFinish();
    }
}

void Supervisor::armTimer(int ms) {
    timerFired_ = false;
    itimerspec its{};
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000L;
    ::timerfd_settime(timer_.get(), 0, &its, nullptr);
}

void Supervisor::maybeFinish() {
    if (finished_ || !exitStatus_) return;
    // The end of the output: EOF on the pipes, EIO on the pty master once the slave is closed.
    if (!outputs_.empty() && !timerFired_) return;
    finish();
}

void Supervisor::finish() {
    finished_ = true;
    for (auto& [fd, owner] : outputs_) loop_.unwatch(fd);
    outputs_.clear();
    console_.reset();
    log_.flush();
    ExitRecord e;
    e.code = exitCodeOf(*exitStatus_);
    e.finishedAt = nowNs();
    checkOom();  // the kill that ended the init, if it was one
    // as docker reports it: the container's memory cgroup had an OOM kill
    e.oomKilled = oomKills_ > 0;
    (void)store_.writeExit(meta_.id, e);
    store_.event("die", meta_, {{"exitCode", std::to_string(e.code)}});
    for (auto& [fd, conn] : waiters_) writeAll(fd, "exit " + std::to_string(e.code) + "\n");
    if (!meta_.autoRemove) {
        loop_.stop();
        return;
    }
    // --rm: the waiters (a foreground `run`) read the rest of the log first.
    removing_ = true;
    if (waiters_.empty()) {
        removeAndStop();
        return;
    }
    armTimer(5000);
}

void Supervisor::removeAndStop() {
    if (!removing_) return;
    removing_ = false;
    (void)c_->destroy(true);
    store_.event("destroy", meta_);
    std::error_code ec;
    unmountRootfs(store_, meta_.id);
    detachNetwork(store_, meta_.id);
    std::filesystem::remove_all(store_.dir(meta_.id), ec);
    loop_.stop();
}

int Supervisor::run() {
    (void)loop_.run();
    ::unlink(store_.sockPath(meta_.id).c_str());
    return 0;
}

// Closes every fd from 3 on but those in keep.
void closeInherited(std::initializer_list<int> keep) {
    std::vector<int> fds;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (dirent* e = ::readdir(d)) {
            int fd = std::atoi(e->d_name);
            if (e->d_name[0] != '.' && fd >= 3 && fd != ::dirfd(d)) fds.push_back(fd);
        }
        ::closedir(d);
    }
    for (int fd : fds)
        if (std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
}

[[noreturn]] void superviseChild(const Store& store, const Meta& meta, const spec::Spec& spec, int ready, int attached) {
    ::setsid();
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    // Nothing of the caller's but the readiness pipe: stdio to /dev/null and supervisor.log.
    int nullFd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    std::string logPath = store.dir(meta.id) + "/supervisor.log";
    int errFd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ::dup2(nullFd, 0);
    ::dup2(nullFd, 1);
    ::dup2(errFd >= 0 ? errFd : nullFd, 2);
    closeInherited({ready, attached});
    if (::chdir("/") < 0) {}
    (void)store.writeSupervisorPid(meta.id, ::getpid());

    auto fail = [&](const lc::Error& e) {
        std::string msg = "err " + std::to_string(e.errnum()) + " " + e.message() + "\n";
        writeAll(2, msg.substr(4));
        writeAll(ready, msg);
        ::unlink(store.sockPath(meta.id).c_str());
        ::_exit(1);
    };
    // One run of the container, then as many as its restart policy asks for (restart.h).
    RestartPolicy policy = parseRestartPolicy(meta.restart).value_or(RestartPolicy{});
    int64_t backoff = 0;
    bool first = true;
    std::optional<ExitRecord> previous;
    for (;;) {
        auto again = [&](const lc::Error& e) {  // a restart that failed: the last exit stands
            writeAll(2, "restart failed: " + e.message() + "\n");
            if (previous) (void)store.writeExit(meta.id, *previous);
            setRestarting(store, meta.id, false);
        };
        auto loop = shim::Loop::create();
        if (!loop) {
            if (first) fail(loop.error());
            again(loop.error());
            break;
        }
        auto listener = listenUnix(store.sockPath(meta.id));
        if (!listener) {
            if (first) fail(listener.error());
            again(listener.error());
            break;
        }
        Supervisor sup(store, meta, **loop);
        int64_t startedAt = monotonicMs();
        if (auto s = sup.start(spec, std::move(*listener), lc::UniqueFd(first ? attached : -1)); !s) {
            if (first) fail(s.error());
            ::unlink(store.sockPath(meta.id).c_str());
            again(s.error());
            break;
        }
        if (first) {
            writeAll(ready, "ok\n");
            ::close(ready);
            first = false;
        } else {
            setRestarting(store, meta.id, false);
            store.event("restart", meta);
        }
        sup.run();
        if (meta.autoRemove) break;
        auto e = store.readExit(meta.id);
        if (!e) break;
        int64_t restarts = restartCount(store, meta.id);
        if (!shouldRestart(policy, e->code, restarts, manuallyStopped(store, meta.id))) break;
        backoff = nextBackoffMs(backoff, monotonicMs() - startedAt);
        setRestarting(store, meta.id, true);
        // the back-off, cut short by the user's stop or rm -f
        bool stopped = false;
        for (int64_t waited = 0; waited < backoff && !stopped; waited += 20) {
            ::usleep(20000);
            stopped = manuallyStopped(store, meta.id);
        }
        if (stopped) {
            setRestarting(store, meta.id, false);
            break;
        }
        sup.destroyContainer();
        previous = e;
        ::unlink((store.dir(meta.id) + "/exit.json").c_str());
        ::unlink((store.dir(meta.id) + "/started.json").c_str());
        writeRestartCount(store, meta.id, restarts + 1);
    }
    ::_exit(0);
}

}  // namespace

lc::Result<pid_t> launchSupervisor(const Store& store, const Meta& meta, const spec::Spec& spec, lc::UniqueFd* attach) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return lc::errnoError("pipe");
    lc::UniqueFd r(p[0]), w(p[1]);
    lc::UniqueFd ours, theirs;
    if (attach) {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) return lc::errnoError("socketpair");
        ours.reset(p[0]), theirs.reset(p[1]);
    }
    ::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return lc::errnoError("fork");
    if (pid == 0) {
        r.reset();
        ours.reset();
        // the supervisor runs on in the background: its own grandparent is init
        pid_t inner = ::fork();
        if (inner < 0) ::_exit(1);
        if (inner > 0) ::_exit(0);
        superviseChild(store, meta, spec, w.get(), theirs ? theirs.get() : -1);
    }
    w.reset();
    theirs.reset();
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    std::string msg;
    char buf[512];
    ssize_t n;
    while ((n = ::read(r.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) msg.append(buf, static_cast<size_t>(n));
    if (msg.starts_with("ok")) {
        if (attach) *attach = std::move(ours);
        return store.supervisorPid(meta.id);
    }
    if (msg.starts_with("err ")) {
        int err = std::atoi(msg.c_str() + 4);
        std::string text = msg.substr(msg.find(' ', 4) + 1);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return lc::fail(err, text);
    }
    return lc::fail(EIO, "the supervisor of " + meta.id + " died while starting it");
}

}  // namespace mgr
