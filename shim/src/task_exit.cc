// The Task service's exit and OOM handling: reaped processes, TaskExit once their output is
// out (bounded), parked Wait calls, and the live OOM watch (TaskOOM).
#include "task.h"

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <sys/wait.h>

#include "events_task.pb.h"
#include "task_shim.pb.h"
#include "task_util.h"

namespace shim {

namespace t = containerd::task::v2;
namespace ev = containerd::events;

void TaskService::onExit(pid_t pid, int waitStatus) {
    Proc* p = nullptr;
    Task* tk = nullptr;
    for (auto& [tid, t] : tasks_) {
        if (t->init && t->init->pid == pid) p = t->init.get();
        for (auto& [id, e] : t->execs)
            if (!p && e->pid == pid && e->started) p = e.get();
        if (p) {
            tk = t.get();
            break;
        }
    }
    if (!p || p->exited) return;  // a process of ours we do not track (publisher, reparented)
    p->exited = true;
    p->exitStatus = exitCodeOf(waitStatus);
    p->exitedAt = now();
    if (p->io) p->io->drainNow();
    if (p == tk->init.get()) {
        checkOom(*tk);
        // The init is gone: the pid namespace is torn down; execs still recorded are gone too.
        for (auto& [id, e] : tk->execs) {
            if (e->started && !e->exited && ::kill(e->pid, 0) < 0) {
                e->exited = true;
                e->exitStatus = 255;
                e->exitedAt = now();
            }
        }
    }
    if (p->io && !(p->io->outputDone() && p->io->unreadOutput() == 0)) {
        // Output still on its way (a pty's input queue, a fifo not read yet): finish when
        // it was read, looking again every kOutputPollMs, for at most kOutputGraceMs.
        int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (tfd >= 0) {
            p->exitTimer.reset(tfd);
            itimerspec its{};
            its.it_value.tv_nsec = its.it_interval.tv_nsec = kOutputPollMs * 1000000L;
            ::clock_gettime(CLOCK_MONOTONIC, &p->exitDeadline);
            p->exitDeadline.tv_sec += kOutputGraceMs / 1000;
            p->exitDeadline.tv_nsec += (kOutputGraceMs % 1000) * 1000000L;
            if (p->exitDeadline.tv_nsec >= 1000000000L) {
                p->exitDeadline.tv_sec += 1;
                p->exitDeadline.tv_nsec -= 1000000000L;
            }
            if (::timerfd_settime(tfd, 0, &its, nullptr) < 0 ||
                !loop_.watch(tfd, EPOLLIN, [this, p](uint32_t) {
                    uint64_t ticks;
                    (void)!::read(p->exitTimer.get(), &ticks, sizeof ticks);
                    checkExit(*p);
                }))
                p->exitTimer.reset();
        }
        if (p->exitTimer) {
            p->exitPending = true;
            p->io->onOutputDone([this, p] { checkExit(*p); });
            return;
        }
    }
    finishExit(*p);
}

void TaskService::checkExit(Proc& p) {
    if (!p.exitPending) return;
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    bool late = t.tv_sec > p.exitDeadline.tv_sec ||
                (t.tv_sec == p.exitDeadline.tv_sec && t.tv_nsec >= p.exitDeadline.tv_nsec);
    if (late || (p.io->outputDone() && p.io->unreadOutput() == 0)) finishExit(p);
}

void TaskService::finishExit(Proc& p) {
    if (p.exitTimer) {
        loop_.unwatch(p.exitTimer.get());
        p.exitTimer.reset();
    }
    p.exitPending = false;
    if (p.io) p.io->releaseOutput();
    ev::TaskExit e;
    e.set_container_id(p.cid);
    e.set_id(p.execId.empty() ? p.cid : p.execId);
    e.set_pid(static_cast<uint32_t>(p.pid));
    e.set_exit_status(p.exitStatus);
    setTime(e.mutable_exited_at(), p.exitedAt);
    publish("/tasks/exit", "containerd.events.TaskExit", e.SerializeAsString());

    t::WaitResponse resp;
    resp.set_exit_status(p.exitStatus);
    setTime(resp.mutable_exited_at(), p.exitedAt);
    std::string bytes = resp.SerializeAsString();
    for (auto& w : p.waiters) w.ok(bytes);
    p.waiters.clear();
}

void TaskService::checkOom(Task& t) {
    if (!t.container) return;
    if (auto n = t.container->oomKillCount(); n) publishOom(t, *n);
}

void TaskService::publishOom(Task& t, uint64_t count) {
    // one TaskOOM per kill counted since the last one published
    for (; t.oomSeen < count; ++t.oomSeen) {
        ev::TaskOOM e;
        e.set_container_id(t.id);
        publish("/tasks/oom", "containerd.events.TaskOOM", e.SerializeAsString());
    }
}

void TaskService::startOomWatch(Task& t) {
    auto w = t.container->oomEvents();
    if (!w) {  // no memory cgroup: only the check at exit
        std::fprintf(stderr, "oom watch %s: %s\n", t.id.c_str(), w.error().message().c_str());
        return;
    }
    t.oomSeen = w->initialCount();  // kills from before this container (a reused cgroup)
    t.oom.emplace(std::move(*w));
    Task* tp = &t;  // tasks are held by unique_ptr; the watch ends before the task is dropped
    auto watched = loop_.watch(t.oom->fd(), EPOLLIN, [this, tp](uint32_t) {
        auto n = tp->oom->consume();
        if (!n) return stopOomWatch(*tp);  // the cgroup is gone
        publishOom(*tp, *n);
    });
    if (!watched) t.oom.reset();
}

void TaskService::stopOomWatch(Task& t) {
    if (!t.oom) return;
    loop_.unwatch(t.oom->fd());
    t.oom.reset();
}

void TaskService::dropTask(const std::string& id) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return;
    Task& t = *it->second;
    stopOomWatch(t);
    auto release = [this](Proc& p) {
        if (p.exitTimer) loop_.unwatch(p.exitTimer.get());
        for (auto& w : p.waiters) w.error(ttrpc::kNotFound, "process " + p.execId + " was deleted");
        p.waiters.clear();
    };
    if (t.init) release(*t.init);
    for (auto& [eid, e] : t.execs) release(*e);
    tasks_.erase(it);
    if (!tasks_.empty()) return;
    // The last task is gone: containerd sends Shutdown next; if it does not come (and no new
    // task of the group is created), end anyway after kIdleExitMs.
    int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (tfd < 0) return;
    idleTimer_.reset(tfd);
    itimerspec its{};
    its.it_value.tv_sec = kIdleExitMs / 1000;
    its.it_value.tv_nsec = (kIdleExitMs % 1000) * 1000000L;
    if (::timerfd_settime(tfd, 0, &its, nullptr) < 0 ||
        !loop_.watch(tfd, EPOLLIN, [this](uint32_t) { onIdleTimer(); }))
        idleTimer_.reset();
}

void TaskService::onIdleTimer() {
    if (idleTimer_) loop_.unwatch(idleTimer_.get());
    idleTimer_.reset();
    if (tasks_.empty() && shutdown_) shutdown_();
}

}  // namespace shim
