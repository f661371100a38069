#include "task.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "events_task.pb.h"
#include "metrics.h"
#include "mounts.h"
#include "runc_options.pb.h"
#include "spec/json.h"
#include "task_util.h"
#include "task_shim.pb.h"
#include "types_task.pb.h"
#include "wkt_any.pb.h"

namespace shim {

namespace t = containerd::task::v2;
namespace ev = containerd::events;
namespace ty = containerd::v1::types;

std::string rootFileOf(const std::string& bundle) { return bundle + "/runccpp-root"; }

namespace {

int32_t codeOf(const lc::Error& e) {
    if (e.errnum() == ENOENT || e.errnum() == ESRCH) return ttrpc::kNotFound;
    return ttrpc::kUnknown;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Restores the signal mask of the shim around libcontainer calls that start processes, so
// that the new process does not inherit the blocked SIGCHLD (exits that arrive meanwhile are
// collected by the reaper's next pass).
class SigUnblock {
public:
    SigUnblock() {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, &saved_);
    }
    ~SigUnblock() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }

private:
    sigset_t saved_;
};

}  // namespace

void TaskService::handle(const ttrpc::Call& call, ttrpc::Reply reply) {
    static const std::map<std::string, Handler> kMethods = {
        {"Create", &TaskService::create},       {"Start", &TaskService::start},
        {"State", &TaskService::state},         {"Kill", &TaskService::kill},
        {"Wait", &TaskService::wait},           {"Delete", &TaskService::del},
        {"Pids", &TaskService::pids},           {"Pause", &TaskService::pause},
        {"Resume", &TaskService::resume},       {"Exec", &TaskService::exec},
        {"ResizePty", &TaskService::resizePty}, {"CloseIO", &TaskService::closeIO},
        {"Update", &TaskService::update},       {"Stats", &TaskService::stats},
        {"Connect", &TaskService::connect},     {"Shutdown", &TaskService::shutdown},
        {"Checkpoint", &TaskService::checkpoint},
    };
    if (call.service != "containerd.task.v2.Task") {
        reply.error(ttrpc::kUnimplemented, "service " + call.service + ": not implemented");
        return;
    }
    auto it = kMethods.find(call.method);
    if (it == kMethods.end()) {
        reply.error(ttrpc::kUnimplemented, "method " + call.method + ": not implemented");
        return;
    }
    (this->*(it->second))(call.payload, reply);
}

TaskService::Task* TaskService::task(const std::string& id, ttrpc::Reply& r) {
    auto it = tasks_.find(id);
    if (it != tasks_.end()) return it->second.get();
    r.error(ttrpc::kNotFound, "container " + id + ": not created");
    return nullptr;
}

TaskService::Proc* TaskService::find(Task& t, const std::string& execId) {
    if (execId.empty()) return t.init.get();
    auto it = t.execs.find(execId);
    return it == t.execs.end() ? nullptr : it->second.get();
}

int TaskService::statusOf(const Task& t, const Proc& p) {
    if (p.exited) return ty::STOPPED;
    if (!p.execId.empty()) return p.started ? ty::RUNNING : ty::CREATED;
    if (!t.container) return ty::STOPPED;
    auto st = t.container->state();
    if (!st) return ty::UNKNOWN;
    if (st->status == "created") return ty::CREATED;
    if (st->status == "running") return ty::RUNNING;
    if (st->status == "paused") return ty::PAUSED;
    if (st->status == "stopped") return ty::STOPPED;
    return ty::UNKNOWN;
}

void TaskService::create(const std::string& payload, ttrpc::Reply r) {
    t::CreateTaskRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse CreateTaskRequest");
    if (req.id().empty()) return r.error(ttrpc::kInvalidArgument, "task id: empty");
    if (tasks_.contains(req.id())) return r.error(ttrpc::kAlreadyExists, "task " + req.id() + ": already exists");
    if (!req.checkpoint().empty()) return r.error(ttrpc::kUnimplemented, "checkpoint restore: not implemented");

    lc::CreateOptions co;
    co.id = req.id();
    co.bundle = req.bundle();
    co.pidFile = req.bundle() + "/init.pid";
    std::string root;
    bool systemdCgroup = false;  // SystemdCgroup = true: cgroupsPath is "slice:prefix:name"
    if (req.has_options() && endsWith(req.options().type_url(), "containerd.runc.v1.Options")) {
        containerd::runc::v1::Options o;
        if (o.ParseFromString(req.options().value())) {
            root = o.root();
            co.noPivot = o.no_pivot_root();
            co.noNewKeyring = o.no_new_keyring();
            systemdCgroup = o.systemd_cgroup();
        }
    }
    if (root.empty()) root = cfg_.defaultRoot;
    root += "/" + cfg_.ns;
    auto nt = std::make_unique<Task>();
    nt->id = req.id();
    nt->bundle = req.bundle();
    {
        std::ofstream f(rootFileOf(req.bundle()), std::ios::trunc);
        f << root;
    }

    std::vector<MountSpec> mounts;
    for (const auto& m : req.rootfs()) mounts.push_back({m.type(), m.source(), {m.options().begin(), m.options().end()}});
    std::string rootfs = req.bundle() + "/rootfs";
    if (auto m = mountAll(mounts, rootfs); !m) return r.error(ttrpc::kUnknown, m.error().message());
    if (!mounts.empty()) nt->rootfs = rootfs;
    auto undoMounts = [&] {
        if (!nt->rootfs.empty()) (void)unmountAll(nt->rootfs);
        nt->rootfs.clear();
    };

    auto proc = std::make_unique<Proc>();
    proc->cid = req.id();
    proc->paths = {req.stdin(), req.stdout(), req.stderr(), req.terminal()};
    auto io = ProcessIo::open(loop_, proc->paths);
    if (!io) {
        undoMounts();
        return r.error(ttrpc::kUnknown, io.error().message());
    }
    proc->io = std::move(*io);

    auto rt = lc::Runtime::open({.root = root, .systemdCgroup = systemdCgroup});
    if (!rt) {
        undoMounts();
        return r.error(ttrpc::kUnknown, "OCI runtime create failed: " + rt.error().message());
    }
    co.keepConsole = req.terminal();
    lc::Result<lc::Container> c = [&] {
        SigUnblock unblock;
        if (req.terminal()) return rt->create(co);
        StdioSwap swap(proc->io->childIn(), proc->io->childOut(), proc->io->childErr());
        return rt->create(co);
    }();
    if (!c) {
        undoMounts();
        return r.error(ttrpc::kUnknown, "OCI runtime create failed: " + c.error().message());
    }
    proc->pid = c->initPid();
    if (req.terminal()) {
        if (auto s = proc->io->startConsole(c->takeConsole()); !s) {
            (void)c->destroy(true);
            undoMounts();
            return r.error(ttrpc::kUnknown, s.error().message());
        }
    } else if (auto s = proc->io->startPipes(); !s) {
        (void)c->destroy(true);
        undoMounts();
        return r.error(ttrpc::kUnknown, s.error().message());
    }
    nt->rt.emplace(std::move(*rt));
    nt->container.emplace(std::move(*c));
    nt->init = std::move(proc);
    Task& tk = *nt;
    tasks_[req.id()] = std::move(nt);
    if (idleTimer_) {  // a task again: no idle exit
        loop_.unwatch(idleTimer_.get());
        idleTimer_.reset();
    }
    startOomWatch(tk);

    ev::TaskCreate e;
    e.set_container_id(req.id());
    e.set_bundle(req.bundle());
    *e.mutable_rootfs() = req.rootfs();
    e.mutable_io()->set_stdin(req.stdin());
    e.mutable_io()->set_stdout(req.stdout());
    e.mutable_io()->set_stderr(req.stderr());
    e.mutable_io()->set_terminal(req.terminal());
    e.set_pid(static_cast<uint32_t>(tk.init->pid));
    publish("/tasks/create", "containerd.events.TaskCreate", e.SerializeAsString());

    t::CreateTaskResponse resp;
    resp.set_pid(static_cast<uint32_t>(tk.init->pid));
    r.ok(resp.SerializeAsString());
}

void TaskService::start(const std::string& payload, ttrpc::Reply r) {
    t::StartRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse StartRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    Proc* p = find(*tk, req.exec_id());
    if (!p || !tk->container) return r.error(ttrpc::kNotFound, "process " + req.exec_id() + " does not exist");
    if (p->started) return r.error(ttrpc::kFailedPrecondition, "process already started");
    if (p->execId.empty()) {
        if (auto s = tk->container->start(); !s) return r.error(ttrpc::kUnknown, "OCI runtime start failed: " + s.error().message());
        p->started = true;
        ev::TaskStart e;
        e.set_container_id(tk->id);
        e.set_pid(static_cast<uint32_t>(p->pid));
        publish("/tasks/start", "containerd.events.TaskStart", e.SerializeAsString());
        t::StartResponse resp;
        resp.set_pid(static_cast<uint32_t>(p->pid));
        return r.ok(resp.SerializeAsString());
    }
#ifdef SHIM_HAVE_EXEC
    lc::ExecOptions eo;
    eo.process = *p->process;
    eo.process.terminal = p->paths.terminal;
    eo.keepConsole = p->paths.terminal;
    lc::Result<lc::ExecProcess> ep = [&] {
        SigUnblock unblock;
        if (p->paths.terminal) return tk->container->exec(eo);
        StdioSwap swap(p->io->childIn(), p->io->childOut(), p->io->childErr());
        return tk->container->exec(eo);
    }();
    if (!ep) return r.error(ttrpc::kUnknown, "OCI runtime exec failed: " + ep.error().message());
    p->pid = ep->pid;
    p->started = true;
    auto s = p->paths.terminal ? p->io->startConsole(std::move(ep->console)) : p->io->startPipes();
    if (!s) return r.error(ttrpc::kUnknown, s.error().message());
    ev::TaskExecStarted e;
    e.set_container_id(tk->id);
    e.set_exec_id(p->execId);
    e.set_pid(static_cast<uint32_t>(p->pid));
    publish("/tasks/exec-started", "containerd.events.TaskExecStarted", e.SerializeAsString());
    t::StartResponse resp;
    resp.set_pid(static_cast<uint32_t>(p->pid));
    r.ok(resp.SerializeAsString());
#else
    r.error(ttrpc::kUnimplemented, "exec: not implemented by this build of libcontainer");
#endif
}

void TaskService::state(const std::string& payload, ttrpc::Reply r) {
    t::StateRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse StateRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    Proc* p = find(*tk, req.exec_id());
    if (!p) return r.error(ttrpc::kNotFound, "process " + req.exec_id() + " does not exist");
    t::StateResponse resp;
    resp.set_id(p->execId.empty() ? tk->id : p->execId);
    resp.set_exec_id(p->execId);
    resp.set_bundle(tk->bundle);
    resp.set_pid(static_cast<uint32_t>(p->pid));
    resp.set_status(static_cast<ty::Status>(statusOf(*tk, *p)));
    resp.set_stdin(p->paths.in);
    resp.set_stdout(p->paths.out);
    resp.set_stderr(p->paths.err);
    resp.set_terminal(p->paths.terminal);
    resp.set_exit_status(p->exitStatus);
    if (p->exited) setTime(resp.mutable_exited_at(), p->exitedAt);
    r.ok(resp.SerializeAsString());
}

void TaskService::kill(const std::string& payload, ttrpc::Reply r) {
    t::KillRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse KillRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    Proc* p = find(*tk, req.exec_id());
    if (!p) return r.error(ttrpc::kNotFound, "process " + req.exec_id() + " does not exist");
    int sig = static_cast<int>(req.signal());
    if (p->execId.empty()) {
        if (!tk->container) return r.error(ttrpc::kNotFound, "container " + tk->id + " does not exist");
        if (p->exited && !req.all()) return r.error(ttrpc::kNotFound, "process already finished");
        auto k = tk->container->kill(sig, req.all());
        if (!k && !(p->exited || k.error().errnum() == ESRCH)) return r.error(codeOf(k.error()), k.error().message());
        return r.ok("");
    }
    if (!p->started || p->exited || p->pid <= 0) return r.error(ttrpc::kNotFound, "process already finished");
    if (::kill(p->pid, sig) < 0) return r.error(ttrpc::kNotFound, "process already finished");
    r.ok("");
}

void TaskService::wait(const std::string& payload, ttrpc::Reply r) {
    t::WaitRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse WaitRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    Proc* p = find(*tk, req.exec_id());
    if (!p) return r.error(ttrpc::kNotFound, "process " + req.exec_id() + " does not exist");
    if (!p->exited || p->exitPending) {
        p->waiters.push_back(r);
        return;
    }
    t::WaitResponse resp;
    resp.set_exit_status(p->exitStatus);
    setTime(resp.mutable_exited_at(), p->exitedAt);
    r.ok(resp.SerializeAsString());
}

void TaskService::del(const std::string& payload, ttrpc::Reply r) {
    t::DeleteRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse DeleteRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    Proc* p = find(*tk, req.exec_id());
    if (!p) return r.error(ttrpc::kNotFound, "process " + req.exec_id() + " does not exist");
    if (p->exitPending) finishExit(*p);
    if (!p->execId.empty()) {
        if (p->started && !p->exited) return r.error(ttrpc::kFailedPrecondition, "cannot delete a running process");
        t::DeleteResponse resp;
        resp.set_pid(static_cast<uint32_t>(p->pid));
        resp.set_exit_status(p->exitStatus);
        setTime(resp.mutable_exited_at(), p->exitedAt);
        if (p->exitTimer) loop_.unwatch(p->exitTimer.get());
        tk->execs.erase(req.exec_id());
        return r.ok(resp.SerializeAsString());
    }
    if (tk->container) {
        if (p->started && !p->exited) return r.error(ttrpc::kFailedPrecondition, "cannot delete a running task");
        auto d = tk->container->destroy(!p->started);
        if (!d) return r.error(ttrpc::kUnknown, "OCI runtime delete failed: " + d.error().message());
        if (!p->exited) {  // never started: destroy killed the init, collect it now
            int st = 0;
            pid_t w;
            do w = ::waitpid(p->pid, &st, 0); while (w < 0 && errno == EINTR);
            if (w == p->pid) onExit(p->pid, st);
            else {
                p->exited = true;
                p->exitStatus = 128 + SIGKILL;
                p->exitedAt = now();
            }
            if (p->exitPending) finishExit(*p);  // TaskExit before TaskDelete
        }
        stopOomWatch(*tk);
        tk->container.reset();
    }
    if (!tk->rootfs.empty()) {
        (void)unmountAll(tk->rootfs);
        tk->rootfs.clear();
    }
    ev::TaskDelete e;
    e.set_container_id(tk->id);
    e.set_pid(static_cast<uint32_t>(p->pid));
    e.set_exit_status(p->exitStatus);
    setTime(e.mutable_exited_at(), p->exitedAt);
    publish("/tasks/delete", "containerd.events.TaskDelete", e.SerializeAsString());
    t::DeleteResponse resp;
    resp.set_pid(static_cast<uint32_t>(p->pid));
    resp.set_exit_status(p->exitStatus);
    setTime(resp.mutable_exited_at(), p->exitedAt);
    r.ok(resp.SerializeAsString());
    dropTask(req.id());
}

void TaskService::pids(const std::string& payload, ttrpc::Reply r) {
    t::PidsRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse PidsRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    if (!tk->container) return r.error(ttrpc::kNotFound, "container " + tk->id + " does not exist");
    auto ps = tk->container->pids();
    if (!ps) return r.error(ttrpc::kUnknown, ps.error().message());
    t::PidsResponse resp;
    for (pid_t pid : *ps) {
        auto* info = resp.add_processes();
        info->set_pid(static_cast<uint32_t>(pid));
        for (auto& [id, e] : tk->execs) {
            if (e->pid != pid || !e->started) continue;
            containerd::runc::v1::ProcessDetails d;
            d.set_exec_id(id);
            info->mutable_info()->set_type_url("containerd.runc.v1.ProcessDetails");
            info->mutable_info()->set_value(d.SerializeAsString());
        }
    }
    r.ok(resp.SerializeAsString());
}

void TaskService::pause(const std::string& payload, ttrpc::Reply r) {
    t::PauseRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse PauseRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    if (!tk->container) return r.error(ttrpc::kNotFound, "container " + tk->id + " does not exist");
    if (auto s = tk->container->pause(); !s) return r.error(ttrpc::kUnknown, s.error().message());
    ev::TaskPaused e;
    e.set_container_id(tk->id);
    publish("/tasks/paused", "containerd.events.TaskPaused", e.SerializeAsString());
    r.ok("");
}

void TaskService::resume(const std::string& payload, ttrpc::Reply r) {
    t::ResumeRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse ResumeRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    if (!tk->container) return r.error(ttrpc::kNotFound, "container " + tk->id + " does not exist");
    if (auto s = tk->container->resume(); !s) return r.error(ttrpc::kUnknown, s.error().message());
    ev::TaskResumed e;
    e.set_container_id(tk->id);
    publish("/tasks/resumed", "containerd.events.TaskResumed", e.SerializeAsString());
    r.ok("");
}

void TaskService::exec(const std::string& payload, ttrpc::Reply r) {
    t::ExecProcessRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse ExecProcessRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    if (!tk->container || !tk->init || tk->init->exited) return r.error(ttrpc::kFailedPrecondition, "container is not running");
    if (req.exec_id().empty() || tk->execs.contains(req.exec_id()))
        return r.error(ttrpc::kAlreadyExists, "id " + req.exec_id() + ": already exists");
    auto proc = spec::parseProcess(req.spec().value());
    if (!proc) return r.error(ttrpc::kInvalidArgument, "exec spec: " + proc.error().message());
    auto p = std::make_unique<Proc>();
    p->cid = tk->id;
    p->execId = req.exec_id();
    p->paths = {req.stdin(), req.stdout(), req.stderr(), req.terminal()};
    p->process = std::move(*proc);
    auto io = ProcessIo::open(loop_, p->paths);
    if (!io) return r.error(ttrpc::kUnknown, io.error().message());
    p->io = std::move(*io);
    tk->execs[req.exec_id()] = std::move(p);
    ev::TaskExecAdded e;
    e.set_container_id(tk->id);
    e.set_exec_id(req.exec_id());
    publish("/tasks/exec-added", "containerd.events.TaskExecAdded", e.SerializeAsString());
    r.ok("");
}

void TaskService::resizePty(const std::string& payload, ttrpc::Reply r) {
    t::ResizePtyRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse ResizePtyRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    Proc* p = find(*tk, req.exec_id());
    if (!p) return r.error(ttrpc::kNotFound, "process " + req.exec_id() + " does not exist");
    if (!p->io || p->io->console() < 0) return r.error(ttrpc::kFailedPrecondition, "process has no terminal");
    winsize ws{};
    ws.ws_col = static_cast<unsigned short>(req.width());
    ws.ws_row = static_cast<unsigned short>(req.height());
    if (::ioctl(p->io->console(), TIOCSWINSZ, &ws) < 0) return r.error(ttrpc::kUnknown, "resize pty: failed");
    r.ok("");
}

void TaskService::closeIO(const std::string& payload, ttrpc::Reply r) {
    t::CloseIORequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse CloseIORequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    Proc* p = find(*tk, req.exec_id());
    if (!p) return r.error(ttrpc::kNotFound, "process " + req.exec_id() + " does not exist");
    if (req.stdin() && p->io) p->io->closeStdin();
    r.ok("");
}

void TaskService::update(const std::string& payload, ttrpc::Reply r) {
    t::UpdateTaskRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse UpdateTaskRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    if (!tk->container) return r.error(ttrpc::kNotFound, "container " + tk->id + " does not exist");
    // containerd sends specs.LinuxResources as JSON in the Any (typeurl of a non-proto type)
    auto res = spec::parseResources(req.resources().value());
    if (!res) return r.error(ttrpc::kInvalidArgument, "resources: " + res.error().message());
    if (auto u = tk->container->update(*res); !u) return r.error(ttrpc::kUnknown, u.error().message());
    r.ok("");
}

void TaskService::stats(const std::string& payload, ttrpc::Reply r) {
    t::StatsRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse StatsRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    if (!tk->container) return r.error(ttrpc::kNotFound, "container " + tk->id + " does not exist");
    auto s = tk->container->stats();
    if (!s) return r.error(ttrpc::kUnknown, s.error().message());
    auto oom = tk->container->oomKillCount();
    t::StatsResponse resp;
    bool v2 = unifiedHost();
    resp.mutable_stats()->set_type_url(v2 ? kMetricsV2Type : kMetricsV1Type);
    resp.mutable_stats()->set_value(v2 ? metricsV2(*s, oom ? *oom : 0) : metricsV1(*s, oom ? *oom : 0));
    r.ok(resp.SerializeAsString());
}

void TaskService::connect(const std::string& payload, ttrpc::Reply r) {
    t::ConnectRequest req;
    (void)req.ParseFromString(payload);
    auto it = tasks_.find(req.id());
    t::ConnectResponse resp;
    resp.set_shim_pid(static_cast<uint32_t>(::getpid()));
    resp.set_task_pid(it != tasks_.end() && it->second->init ? static_cast<uint32_t>(it->second->init->pid) : 0);
    resp.set_version("runc-cpp");
    r.ok(resp.SerializeAsString());
}

void TaskService::shutdown(const std::string& payload, ttrpc::Reply r) {
    t::ShutdownRequest req;
    (void)req.ParseFromString(payload);
    // Keep serving while any task of the group exists (as containerd-shim-runc-v2: `now`
    // does not end the other tasks' shim either).
    if (!tasks_.empty()) return r.ok("");
    r.ok("");
    if (shutdown_) shutdown_();
}

}  // namespace shim
