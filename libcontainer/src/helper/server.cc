// The helper process of lc::RemoteRuntime: single-threaded, it runs lc::Runtime and
// lc::Container calls for the embedder's threads, one request at a time, and reaps the
// processes it starts (their wait statuses are answered to wait/waitProcess requests).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <vector>

#include "helper/channel.h"
#include "spec/json.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace lc::helper {
namespace {

struct Reply {
    std::string json;
    std::vector<UniqueFd> keep;  // fds named in json, closed once sent
    std::vector<int> fds;
};

class Server {
public:
    Server(UniqueFd sock, Runtime rt) : sock_(std::move(sock)), rt_(std::move(rt)) {}
    void run();

private:
    struct Child {
        UniqueFd pidfd;
        std::string container;
        bool orphan = false;  // its container was deleted: nobody will ask for the status
    };
    struct Exited {
        int status;
        std::string container;
    };

    Result<Reply> handle(Message& m);
    Result<Reply> create(Message& m);
    Result<Reply> exec(Message& m);
    Result<std::optional<Reply>> wait(Message& m, pid_t pid);
    void adopt(pid_t pid, int pidfd, const std::string& container);
    void reap(pid_t pid);
    bool send(uint64_t id, Result<Reply> r);

    UniqueFd sock_;
    Runtime rt_;
    std::map<pid_t, Child> children_;
    std::map<pid_t, Exited> exited_;
    std::map<std::string, pid_t> inits_;                // containers created here
    std::vector<std::pair<uint64_t, pid_t>> waiters_;  // wait requests not answered yet
};

Stdio stdioFrom(Message& m, UniqueFd (&held)[3]) {
    held[0] = m.takeFd("stdin"), held[1] = m.takeFd("stdout"), held[2] = m.takeFd("stderr");
    return Stdio{held[0].get(), held[1].get(), held[2].get()};
}

void warningsTo(json::Writer& w, const std::vector<std::string>& warnings) {
    w.key("warnings").beginArray();
    for (const auto& s : warnings) w.str(s);
    w.endArray();
}

Result<Container> loadContainer(Runtime& rt, Message& m) {
    std::string id = m.str("containerId", true);
    LC_TRY(m.done());
    return rt.load(id);
}

void Server::adopt(pid_t pid, int pidfd, const std::string& container) {
    int own = ::fcntl(pidfd, F_DUPFD_CLOEXEC, 0);
    if (own >= 0) children_[pid] = Child{UniqueFd(own), container};
}

Result<Reply> Server::create(Message& m) {
    CreateOptions co;
    co.id = m.str("containerId", true);
    co.bundle = m.str("bundle");
    std::string specJson = m.str("spec");
    co.pidFile = m.str("pidFile");
    co.consoleSocket = m.str("consoleSocket");
    co.noPivot = m.boolean("noPivot");
    co.noNewKeyring = m.boolean("noNewKeyring");
    co.notifySocket = m.str("notifySocket");
    co.keepConsole = m.boolean("keepConsole");
    UniqueFd held[3];
    co.stdio = stdioFrom(m, held);
    std::vector<std::string> warnings;
    co.warnings = &warnings;
    LC_TRY(m.done());
    std::optional<spec::Spec> sp;
    if (!specJson.empty()) {
        auto parsed = spec::parseSpec(specJson);
        if (!parsed) return std::unexpected(parsed.error().wrap("spec"));
        sp = std::move(*parsed);
    }
    auto c = sp ? rt_.create(co, *sp) : rt_.create(co);
    if (!c) return std::unexpected(c.error());
    Reply r;
    adopt(c->initPid(), c->pidfd(), co.id);
    inits_[co.id] = c->initPid();
    r.keep.emplace_back(::fcntl(c->pidfd(), F_DUPFD_CLOEXEC, 0));
    r.keep.push_back(c->takeConsole());
    Writer w(m.id());
    w.json().key("initPid").num(c->initPid());
    warningsTo(w.json(), warnings);
    w.fd("pidfd", r.keep[0].get()).fd("console", r.keep[1].get());
    r.json = w.finish();
    r.fds = w.fds();
    return r;
}

Result<Reply> Server::exec(Message& m) {
    std::string id = m.str("containerId", true);
    std::string procJson = m.str("process", true);
    ExecOptions eo;
    eo.consoleSocket = m.str("consoleSocket");
    eo.keepConsole = m.boolean("keepConsole");
    eo.pidFile = m.str("pidFile");
    eo.cgroup = m.str("cgroup");
    eo.cgroupByController = m.stringMap("cgroupByController");
    eo.ignorePaused = m.boolean("ignorePaused");
    UniqueFd held[3];
    eo.stdio = stdioFrom(m, held);
    std::vector<std::string> warnings;
    eo.warnings = &warnings;
    LC_TRY(m.done());
    auto proc = spec::parseProcess(procJson);
    if (!proc) return std::unexpected(proc.error().wrap("process"));
    eo.process = std::move(*proc);
    LC_TRY_ASSIGN(auto c, rt_.load(id));
    LC_TRY_ASSIGN(ExecProcess p, c.exec(eo));
    adopt(p.pid, p.pidfd.get(), id);
    Reply r;
    Writer w(m.id());
    w.json().key("pid").num(p.pid);
    warningsTo(w.json(), warnings);
    w.fd("pidfd", p.pidfd.get()).fd("console", p.console.get());
    r.keep.push_back(std::move(p.pidfd));
    r.keep.push_back(std::move(p.console));
    r.json = w.finish();
    r.fds = w.fds();
    return r;
}

// The status now (erased), nothing (the process still runs: the reply comes from reap), or
// an error for a process this helper does not know.
Result<std::optional<Reply>> Server::wait(Message& m, pid_t pid) {
    if (auto it = exited_.find(pid); it != exited_.end()) {
        Writer w(m.id());
        w.json().key("status").num(it->second.status);
        exited_.erase(it);
        return std::optional<Reply>(Reply{w.finish(), {}, {}});
    }
    if (auto it = children_.find(pid); it != children_.end() && !it->second.orphan) {
        waiters_.emplace_back(m.id(), pid);
        return std::optional<Reply>();
    }
    return fail(ECHILD, "process " + std::to_string(pid) + " was not started through this helper, or its status was taken");
}

Result<Reply> Server::handle(Message& m) {
    const std::string& op = m.op();
    auto ok = [&](Writer& w) { return Reply{w.finish(), {}, {}}; };
    if (op == "create") return create(m);
    if (op == "exec") return exec(m);
    if (op == "list") {
        LC_TRY(m.done());
        LC_TRY_ASSIGN(auto ids, rt_.list());
        Writer w(m.id());
        w.json().key("ids").beginArray();
        for (const auto& id : ids) w.json().str(id);
        w.json().endArray();
        return ok(w);
    }
    if (op == "kill") {
        std::string id = m.str("containerId", true);
        int sig = static_cast<int>(m.integer("signal", 1, SIGRTMAX, true));
        bool all = m.boolean("all");
        LC_TRY(m.done());
        LC_TRY_ASSIGN(auto c, rt_.load(id));
        LC_TRY(c.kill(sig, all));
        Writer w(m.id());
        return ok(w);
    }
    if (op == "destroy") {
        std::string id = m.str("containerId", true);
        bool force = m.boolean("force");
        LC_TRY(m.done());
        LC_TRY_ASSIGN(auto c, rt_.load(id));
        std::vector<std::string> warnings;
        LC_TRY(c.destroy(force, &warnings));
        // Nobody asks for the statuses of a deleted container's processes any more.
        std::erase_if(exited_, [&](const auto& e) { return e.second.container == id; });
        for (auto& [pid, ch] : children_)
            if (ch.container == id) ch.orphan = true;
        inits_.erase(id);
        Writer w(m.id());
        warningsTo(w.json(), warnings);
        return ok(w);
    }
    if (op == "waitProcess" || op == "wait") {
        pid_t pid;
        if (op == "wait") {
            std::string id = m.str("containerId", true);
            LC_TRY(m.done());
            auto it = inits_.find(id);
            if (it == inits_.end()) return fail(ECHILD, "container " + id + " was not created by this process");
            pid = it->second;
        } else {
            pid = static_cast<pid_t>(m.integer("pid", 1, INT32_MAX, true));
            LC_TRY(m.done());
        }
        LC_TRY_ASSIGN(auto now, wait(m, pid));
        if (!now) return Reply{};  // answered by reap()
        return std::move(*now);
    }
    if (op == "load" || op == "start" || op == "pause" || op == "resume" || op == "state" || op == "stats" ||
        op == "pids") {
        LC_TRY_ASSIGN(auto c, loadContainer(rt_, m));
        Writer w(m.id());
        if (op == "load") w.json().key("initPid").num(c.initPid());
        if (op == "start") LC_TRY(c.start());
        if (op == "pause") LC_TRY(c.pause());
        if (op == "resume") LC_TRY(c.resume());
        if (op == "state") {
            LC_TRY_ASSIGN(auto st, c.state());
            w.json().key("state").str(spec::toJson(st));
        }
        if (op == "stats") {
            LC_TRY_ASSIGN(auto st, c.stats());
            w.json().key("stats");
            writeStats(w.json(), st);
        }
        if (op == "pids") {
            LC_TRY_ASSIGN(auto pids, c.pids());
            w.json().key("pids").beginArray();
            for (pid_t p : pids) w.json().num(p);
            w.json().endArray();
        }
        return ok(w);
    }
    return fail(EINVAL, "helper request: unknown op \"" + op + "\"");
}

bool Server::send(uint64_t id, Result<Reply> r) {
    if (!r) return static_cast<bool>(sendFrame(sock_.get(), encodeError(id, r.error()), {}));
    if (r->json.empty()) return true;  // deferred
    return static_cast<bool>(sendFrame(sock_.get(), r->json, r->fds));
}

void Server::reap(pid_t pid) {
    auto it = children_.find(pid);
    siginfo_t si{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(it->second.pidfd.get()), &si, WEXITED | WNOHANG) < 0) {
        if (errno != ECHILD) return;
    } else if (si.si_pid == 0) {
        return;  // not yet
    }
    int status = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8
               : si.si_code == CLD_DUMPED ? (si.si_status | 0x80)
                                          : si.si_status;
    Child ch = std::move(it->second);
    children_.erase(it);
    for (auto w = waiters_.begin(); w != waiters_.end();) {
        if (w->second != pid) {
            ++w;
            continue;
        }
        Writer out(w->first);
        out.json().key("status").num(status);
        (void)sendFrame(sock_.get(), out.finish(), {});
        w = waiters_.erase(w);
        ch.orphan = true;  // given
    }
    if (!ch.orphan) exited_[pid] = Exited{status, ch.container};
}

void Server::run() {
    for (;;) {
        std::vector<pollfd> pfds{{sock_.get(), POLLIN, 0}};
        std::vector<pid_t> pids;
        for (const auto& [pid, ch] : children_) {
            pfds.push_back({ch.pidfd.get(), POLLIN, 0});
            pids.push_back(pid);
        }
        if (::poll(pfds.data(), pfds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (size_t i = 1; i < pfds.size(); ++i)
            if (pfds[i].revents) reap(pids[i - 1]);
        if (!pfds[0].revents) continue;
        auto frame = recvFrame(sock_.get());
        if (!frame) {
            if (frame.error().errnum() == ECONNRESET) return;  // the embedder is gone
            // A packet that is no frame: refused, id 0 (its id cannot be trusted).
            if (!send(0, std::unexpected(frame.error()))) return;
            continue;
        }
        // The id of a request that is refused as a whole, when it has a readable one.
        uint64_t id = 0;
        if (json::Document doc; doc.parse(frame->json)) id = doc.root().getUint("id");
        auto m = Message::parse(std::move(*frame), "helper request");
        if (!m) {
            if (!send(id, std::unexpected(m.error()))) return;
            continue;
        }
        if (!send(m->id(), handle(*m))) return;
    }
}

}  // namespace

void serve(UniqueFd sock, Runtime rt) {
    Server s(std::move(sock), std::move(rt));
    s.run();
    ::_exit(0);
}

}  // namespace lc::helper
