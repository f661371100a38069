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
    if (init_ && init_->pid == pid) p = init_.get();
    for (auto& [id, e] : execs_)
        if (!p && e->pid == pid && e->started) p = e.get();
    if (!p || p->exited) return;  // a process of ours we do not track (publisher, reparented)
    p->exited = true;
    p->exitStatus = exitCodeOf(waitStatus);
    p->exitedAt = now();
    if (p->io) p->io->drainNow();
    if (p == init_.get()) {
        checkOom();
        // The init is gone: the pid namespace is torn down; execs still recorded are gone too.
        for (auto& [id, e] : execs_) {
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
    e.set_container_id(cfg_.id);
    e.set_id(p.execId.empty() ? cfg_.id : p.execId);
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

void TaskService::checkOom() {
    if (!container_) return;
    if (auto n = container_->oomKillCount(); n) publishOom(*n);
}

void TaskService::publishOom(uint64_t count) {
    // one TaskOOM per kill counted since the last one published
    for (; oomSeen_ < count; ++oomSeen_) {
        ev::TaskOOM e;
        e.set_container_id(cfg_.id);
        publish("/tasks/oom", "containerd.events.TaskOOM", e.SerializeAsString());
    }
}

void TaskService::startOomWatch() {
    auto w = container_->oomEvents();
    if (!w) {  // no memory cgroup: only the check at exit
        std::fprintf(stderr, "oom watch: %s\n", w.error().message().c_str());
        return;
    }
    oomSeen_ = w->initialCount();  // kills from before this container (a reused cgroup)
    oom_.emplace(std::move(*w));
    auto watched = loop_.watch(oom_->fd(), EPOLLIN, [this](uint32_t) {
        auto n = oom_->consume();
        if (!n) return stopOomWatch();  // the cgroup is gone
        publishOom(*n);
    });
    if (!watched) oom_.reset();
}

void TaskService::stopOomWatch() {
    if (!oom_) return;
    loop_.unwatch(oom_->fd());
    oom_.reset();
}

}  // namespace shim
