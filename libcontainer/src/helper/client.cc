// lc::RemoteRuntime and lc::RemoteContainer: the embedder's side of the helper. Each call
// becomes one request; see remote.h for the model and helper/protocol.h for the format.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <filesystem>

#include "helper/channel.h"
#include "libcontainer/remote.h"
#include "spec/json.h"
#include "util/fileutil.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace lc {
namespace helper {

uint64_t Channel::nextId() {
    std::lock_guard g(mu_);
    return next_++;
}

Result<Message> Channel::call(Writer& req) {
    std::string json = req.finish();
    if (json.size() > kMaxPayload)
        return fail(EMSGSIZE, "helper request: " + std::to_string(json.size()) + " bytes is over the limit of " + std::to_string(kMaxPayload));
    return callRaw(req.id(), encodeFrame(json), req.fds());
}

Result<Message> Channel::callRaw(uint64_t replyId, std::string_view packet, const std::vector<int>& fds) {
    {
        std::lock_guard g(sendMu_);
        if (auto r = sendPacket(sock.get(), packet, fds); !r) {
            if (r.error().errnum() == EPIPE || r.error().errnum() == ECONNRESET)
                return fail(ECONNRESET, "the runc-cpp helper exited");
            return std::unexpected(r.error());
        }
    }
    std::unique_lock l(mu_);
    for (;;) {
        if (auto it = replies_.find(replyId); it != replies_.end()) {
            Message m = std::move(it->second);
            replies_.erase(it);
            l.unlock();
            if (!m.has("ok")) return fail(EPROTO, "helper reply: field \"ok\": missing");
            if (!m.boolean("ok")) return std::unexpected(decodeError(m));
            return m;
        }
        if (dead_) return std::unexpected(*dead_);
        if (reading_) {
            cv_.wait(l);
            continue;
        }
        reading_ = true;
        l.unlock();
        auto frame = recvFrame(sock.get());
        Result<Message> m = frame ? Message::parse(std::move(*frame), "helper reply") : Result<Message>(std::unexpected(frame.error()));
        l.lock();
        reading_ = false;
        if (!m) {
            // A helper that is gone or talks nonsense serves nobody any more.
            dead_ = m.error().errnum() == ECONNRESET ? Error{std::error_code(ECONNRESET, quietCategory()), "the runc-cpp helper exited"}
                                                     : m.error();
        } else {
            const uint64_t id = m->id();
            replies_.insert_or_assign(id, std::move(*m));
        }
        cv_.notify_all();
    }
}

Channel::~Channel() {
    sock.reset();  // the helper sees the end of its socket and exits
    if (pidfd) {
        siginfo_t si{};
        while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.get()), &si, WEXITED) < 0 && errno == EINTR) {}
    }
}

namespace {

Result<int> threadCount() {
    LC_TRY_ASSIGN(std::string status, util::readFile("/proc/self/status"));
    size_t at = status.find("\nThreads:");
    if (at == std::string::npos) return fail(EIO, "/proc/self/status: no Threads line");
    return std::atoi(status.c_str() + at + 9);
}

// The helper's first steps after fork: nothing of the program's signal handling, no fd but
// 0-2 and its socket (moved to 3), gone when its parent is.
[[noreturn]] void becomeHelper(int sock, pid_t parent, Runtime rt) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (::getppid() != parent) ::_exit(1);
    ::prctl(PR_SET_NAME, "runc-cpp-helper", 0, 0, 0);
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (sock != 3 && ::dup3(sock, 3, O_CLOEXEC) < 0) ::_exit(1);
    ::syscall(SYS_close_range, 4U, ~0U, 0U);
    serve(UniqueFd(3), std::move(rt));
}

std::string absolute(const std::string& p) {
    if (p.empty() || p[0] == '/') return p;
    std::error_code ec;
    auto abs = std::filesystem::absolute(p, ec);
    return ec ? p : abs.string();
}

Result<void> noPreservedFds(int preserve, int listen) {
    if (preserve != 0 || listen != 0) return fail(EINVAL, "preserveFds, listenFds: not supported through the runc-cpp helper");
    return {};
}

void stdioFds(Writer& w, const Stdio& s) { w.fd("stdin", s.in).fd("stdout", s.out).fd("stderr", s.err); }

Result<void> readWarnings(Message& m, std::vector<std::string>* out) {
    auto w = m.strings("warnings");
    if (out) out->insert(out->end(), w.begin(), w.end());
    return {};
}

// A request that names one container.
Writer request(Channel& ch, std::string_view op, const std::string& id) {
    Writer w(ch.nextId(), op);
    w.json().key("containerId").str(id);
    return w;
}

Result<void> callEmpty(Channel& ch, std::string_view op, const std::string& id) {
    Writer w = request(ch, op, id);
    LC_TRY_ASSIGN(Message m, ch.call(w));
    return m.done();
}

}  // namespace
}  // namespace helper

using helper::Channel;
using helper::Message;
using helper::Writer;

Result<RemoteRuntime> RemoteRuntime::start(RuntimeOptions opts) {
    LC_TRY_ASSIGN(Runtime rt, Runtime::open(opts));
    LC_TRY_ASSIGN(int threads, helper::threadCount());
    if (threads != 1)
        return fail(EBUSY, "runc-cpp helper: start it before the program starts threads (this process runs " +
                               std::to_string(threads) + ")");
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return errnoError("socketpair");
    UniqueFd ours(sv[0]), theirs(sv[1]);
    const pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) return errnoError("fork the runc-cpp helper");
    if (pid == 0) helper::becomeHelper(theirs.release(), parent, std::move(rt));
    theirs.reset();
    auto ch = std::make_shared<Channel>();
    ch->sock = std::move(ours);
    ch->pid = pid;
    ch->pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!ch->pidfd) {
        int err = errno;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return errnoError("pidfd_open the runc-cpp helper", err);
    }
    return RemoteRuntime(std::move(ch), std::move(opts));
}

RemoteRuntime::RemoteRuntime(std::shared_ptr<Channel> ch, RuntimeOptions opts) : ch_(std::move(ch)), opts_(std::move(opts)) {}
RemoteRuntime::RemoteRuntime(RemoteRuntime&&) noexcept = default;
RemoteRuntime& RemoteRuntime::operator=(RemoteRuntime&&) noexcept = default;
RemoteRuntime::~RemoteRuntime() = default;

pid_t RemoteRuntime::helperPid() const { return ch_ ? ch_->pid : -1; }

Result<RemoteContainer> RemoteRuntime::create(const CreateOptions& o) { return createWith(o, nullptr); }
Result<RemoteContainer> RemoteRuntime::create(const CreateOptions& o, const spec::Spec& sp) { return createWith(o, &sp); }

Result<RemoteContainer> RemoteRuntime::createWith(const CreateOptions& o, const spec::Spec* sp) {
    LC_TRY(helper::noPreservedFds(o.preserveFds, o.listenFds));
    Writer w = helper::request(*ch_, "create", o.id);
    auto& j = w.json();
    j.key("bundle").str(helper::absolute(o.bundle.empty() ? "." : o.bundle));
    if (sp) j.key("spec").str(spec::toJson(*sp));
    if (!o.pidFile.empty()) j.key("pidFile").str(helper::absolute(o.pidFile));
    if (!o.consoleSocket.empty()) j.key("consoleSocket").str(helper::absolute(o.consoleSocket));
    if (!o.notifySocket.empty()) j.key("notifySocket").str(helper::absolute(o.notifySocket));
    j.key("noPivot").boolean(o.noPivot).key("noNewKeyring").boolean(o.noNewKeyring).key("keepConsole").boolean(o.keepConsole);
    helper::stdioFds(w, o.stdio);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    pid_t pid = static_cast<pid_t>(m.integer("initPid", 1, INT32_MAX, true));
    LC_TRY(helper::readWarnings(m, o.warnings));
    RemoteContainer c(ch_, o.id, pid);
    c.pidfd_ = m.takeFd("pidfd");
    c.console_ = m.takeFd("console");
    LC_TRY(m.done());
    return c;
}

Result<RemoteContainer> RemoteRuntime::load(const std::string& id) {
    Writer w = helper::request(*ch_, "load", id);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    pid_t pid = static_cast<pid_t>(m.integer("initPid", INT32_MIN, INT32_MAX, true));
    LC_TRY(m.done());
    return RemoteContainer(ch_, id, pid);
}

Result<std::vector<std::string>> RemoteRuntime::list() {
    Writer w(ch_->nextId(), "list");
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    auto ids = m.strings("ids");
    LC_TRY(m.done());
    return ids;
}

Result<spec::State> RemoteContainer::state() const {
    Writer w = helper::request(*ch_, "state", id_);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    std::string json = m.str("state", true);
    LC_TRY(m.done());
    auto st = spec::parseState(json);
    if (!st) return std::unexpected(st.error().wrap("helper reply: field \"state\""));
    return st;
}

Result<void> RemoteContainer::start() { return helper::callEmpty(*ch_, "start", id_); }
Result<void> RemoteContainer::pause() { return helper::callEmpty(*ch_, "pause", id_); }
Result<void> RemoteContainer::resume() { return helper::callEmpty(*ch_, "resume", id_); }

Result<void> RemoteContainer::kill(int sig, bool all) {
    if (sig < 1 || sig > SIGRTMAX) return fail(EINVAL, "signal " + std::to_string(sig) + " is out of range 1-" + std::to_string(SIGRTMAX));
    Writer w = helper::request(*ch_, "kill", id_);
    w.json().key("signal").num(sig).key("all").boolean(all);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    return m.done();
}

Result<void> RemoteContainer::destroy(bool force, std::vector<std::string>* warnings) {
    Writer w = helper::request(*ch_, "destroy", id_);
    w.json().key("force").boolean(force);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    LC_TRY(helper::readWarnings(m, warnings));
    return m.done();
}

Result<std::vector<pid_t>> RemoteContainer::pids() const {
    Writer w = helper::request(*ch_, "pids", id_);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    auto pids = m.integers("pids", 1, INT32_MAX);
    LC_TRY(m.done());
    return std::vector<pid_t>(pids.begin(), pids.end());
}

Result<Stats> RemoteContainer::stats() const {
    Writer w = helper::request(*ch_, "stats", id_);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    json::Value v = m.object("stats", true);
    LC_TRY(m.done());
    return helper::readStats(v);
}

Result<ExecProcess> RemoteContainer::exec(const ExecOptions& o) {
    LC_TRY(helper::noPreservedFds(o.preserveFds, 0));
    Writer w = helper::request(*ch_, "exec", id_);
    auto& j = w.json();
    j.key("process").str(spec::toJson(o.process));
    if (!o.consoleSocket.empty()) j.key("consoleSocket").str(helper::absolute(o.consoleSocket));
    if (!o.pidFile.empty()) j.key("pidFile").str(helper::absolute(o.pidFile));
    if (!o.cgroup.empty()) j.key("cgroup").str(o.cgroup);
    if (!o.cgroupByController.empty()) j.key("cgroupByController").stringMap(o.cgroupByController);
    j.key("keepConsole").boolean(o.keepConsole).key("ignorePaused").boolean(o.ignorePaused);
    helper::stdioFds(w, o.stdio);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    ExecProcess p;
    p.pid = static_cast<pid_t>(m.integer("pid", 1, INT32_MAX, true));
    LC_TRY(helper::readWarnings(m, o.warnings));
    p.pidfd = m.takeFd("pidfd");
    p.console = m.takeFd("console");
    LC_TRY(m.done());
    return p;
}

Result<int> RemoteContainer::wait() {
    Writer w = helper::request(*ch_, "wait", id_);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    int status = static_cast<int>(m.integer("status", 0, 0xffff, true));
    LC_TRY(m.done());
    return status;
}

Result<int> RemoteContainer::waitProcess(pid_t pid) {
    if (pid <= 0) return fail(EINVAL, "pid " + std::to_string(pid) + " is not a process");
    Writer w(ch_->nextId(), "waitProcess");
    w.json().key("pid").num(pid);
    LC_TRY_ASSIGN(Message m, ch_->call(w));
    int status = static_cast<int>(m.integer("status", 0, 0xffff, true));
    LC_TRY(m.done());
    return status;
}

}  // namespace lc
