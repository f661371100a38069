#include "process/launch.h"


#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "process/sync.h"
#include "util/fileutil.h"

namespace lc::process {
namespace {

// Temporarily moves the caller's pid/time namespace for children, and moves it back.
class ChildNsSwitch {
public:
    explicit ChildNsSwitch(sys::ProcessCalls& pc) : pc_(pc) {}
    Result<void> enter(int fd, int nstype, const char* own) {
        if (fd < 0) return {};
        int self = ::open(own, O_RDONLY | O_CLOEXEC);
        if (self < 0) return errnoError(std::string("open ") + own);
        saved_.emplace_back(self, nstype);
        if (pc_.setns(fd, nstype) < 0) return errnoError("setns");
        return {};
    }
    Result<void> unshareTime(const std::string& offsets) {
        int self = ::open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
        if (self < 0) return errnoError("open /proc/self/ns/time_for_children");
        saved_.emplace_back(self, CLONE_NEWTIME);
        if (pc_.unshare(CLONE_NEWTIME) < 0) return errnoError("unshare time namespace");
        if (!offsets.empty()) LC_TRY_CTX(util::writeFile("/proc/self/timens_offsets", offsets), "set time offsets");
        return {};
    }
    ~ChildNsSwitch() {
        for (auto& [fd, type] : saved_) {
            (void)pc_.setns(fd.get(), type);
        }
    }

private:
    sys::ProcessCalls& pc_;
    std::vector<std::pair<UniqueFd, int>> saved_;
};

void killAndReap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
}

void reap(pid_t pid) {
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
}

// `pid` is the process we cloned; with two stages it becomes the visible one on Msg::Child
// (`*visible`, with its pidfd), and stage 1 is reaped.
// A stage 1 that ran in our memory has exited already and waits for no Go.
Result<void> drive(int sock, pid_t pid, const LaunchCallbacks& cb, bool twoStage, bool stage1Gone, pid_t* visible,
                   UniqueFd* visibleFd) {
    if (cb.afterClone) LC_TRY(cb.afterClone(pid));
    if (!stage1Gone) LC_TRY(sendMsg(sock, Msg::Go, 0, cb.stateJson ? cb.stateJson(pid) : std::string()));
    for (;;) {
        auto m = recvMsg(sock);
        if (!m) {
            if (m.error().errnum() == ECONNRESET) return fail(ECHILD, "container init exited unexpectedly");
            return std::unexpected(m.error());
        }
        switch (m->type) {
            case Msg::Child: {
                if (!twoStage || *visible > 0 || !m->fd) return fail(EPROTO, "sync: unexpected child message");
                char* end = nullptr;
                long child = std::strtol(m->payload.c_str(), &end, 10);
                if (m->payload.empty() || *end || child <= 0 || child > INT32_MAX)
                    return fail(EPROTO, "sync: bad child pid");
                *visible = static_cast<pid_t>(child);
                *visibleFd = std::move(m->fd);
                reap(pid);
                if (cb.onVisible) LC_TRY(cb.onVisible(*visible));
                LC_TRY(sendMsg(sock, Msg::Go, 0, cb.stateJson ? cb.stateJson(*visible) : std::string()));
                break;
            }
            case Msg::MountsReady:
                if (cb.onMountsReady) {
                    if (auto r = cb.onMountsReady(pid); !r) {
                        (void)sendMsg(sock, Msg::Error, r.error().errnum(), r.error().message());
                        return r;
                    }
                }
                LC_TRY(sendMsg(sock, Msg::HooksDone));
                break;
            case Msg::Console:
                if (!m->fd) return fail(EPROTO, "sync: console message without a pty");
                if (cb.onConsole) LC_TRY(cb.onConsole(std::move(m->fd)));
                break;
            case Msg::Ready:
                return {};
            case Msg::Error:
                return fail(m->err, m->payload);
            default:
                return fail(EPROTO, "sync: unexpected message from the container init");
        }
    }
}

// A clone into plan.cgroupFd, retried into the caller's own cgroup where that is refused and
// optional (LaunchPlan::cgroupOptional). `clone(cgroupFd)` returns a pid, or -1 and errno.
template <typename Clone>
pid_t cloneIntoCgroup(const LaunchPlan& plan, Clone clone) {
    pid_t pid = clone(plan.cgroupFd);
    if (pid < 0 && plan.cgroupFd >= 0 && plan.cgroupOptional && (errno == EACCES || errno == EPERM)) pid = clone(-1);
    return pid;
}

struct Stage1Args {
    const InitConfig* cfg;
    sys::ProcessCalls* pc;
};

// noexcept: nothing may unwind past the trampoline (there is no frame above it).
void stage1Main(void* p) noexcept {
    auto* a = static_cast<Stage1Args*>(p);
    runInit(*a->cfg, *a->pc);
}

// Stage 1's stack when it runs in our memory: reserved, not committed (only the pages it
// touches are ever mapped), with a guard page below. Stage 2 is cloned from stage 1 and goes
// on on (its copy of) this stack until its execve, so it is as large as a main thread's.
constexpr size_t kStage1Stack = 8u << 20;

class Stage1Stack {
public:
    Stage1Stack() {
        void* p = ::mmap(nullptr, kStage1Stack, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (p == MAP_FAILED) return;
        if (::mprotect(p, 4096, PROT_NONE) < 0) {
            ::munmap(p, kStage1Stack);
            return;
        }
        base_ = p;
    }
    ~Stage1Stack() {
        if (base_) ::munmap(base_, kStage1Stack);
    }
    Stage1Stack(const Stage1Stack&) = delete;
    Stage1Stack& operator=(const Stage1Stack&) = delete;
    [[nodiscard]] void* top() const { return base_ ? static_cast<char*>(base_) + kStage1Stack : nullptr; }

private:
    void* base_ = nullptr;
};

// Stage 1 in our memory (LaunchPlan::stage1SharesMemory). Every signal stays blocked across
// the clone so that none of our handlers runs on the shared memory before stage 1 has reset
// them. -1 with ENOSYS: no such clone here (the caller clones as usual).
pid_t cloneStage1Shared(InitConfig& cfg, const LaunchPlan& plan, sys::ProcessCalls& pc, int* pidfd) {
    Stage1Stack stack;
    if (!stack.top()) {
        errno = ENOSYS;
        return -1;
    }
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    cfg.stage1SharesMemory = true;
    Stage1Args args{&cfg, &pc};
    pid_t pid = cloneIntoCgroup(
        plan, [&](int cgroupFd) { return pc.cloneSharingMemory(cgroupFd, pidfd, stack.top(), &stage1Main, &args); });
    int err = errno;
    if (pid < 0) cfg.stage1SharesMemory = false;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = err;
    return pid;
}

}  // namespace

void bindStages(InitConfig& cfg, const LaunchPlan& plan) {
    if (!plan.twoStage) return;
    // Stage 1 joins these itself, after everything of the host is dropped.
    cfg.twoStage = true;
    cfg.stagePidFd = plan.joinPidFd;
    cfg.stageTimeFd = plan.joinTimeFd;
    cfg.nonDumpable = plan.nonDumpable;
}

Result<Launched> launch(InitConfig& cfg, const LaunchPlan& plan, const LaunchCallbacks& cb, sys::ProcessCalls& pc) {
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) return errnoError("socketpair");
    UniqueFd parentEnd(sp[0]), childEnd(sp[1]);
    cfg.syncFd = childEnd.get();
    cfg.closeFds.push_back(parentEnd.get());

    std::fflush(stdout);
    std::fflush(stderr);
    int pidfd = -1;
    pid_t pid;
    {
        if (plan.joinUserFd >= 0 && (plan.joinPidFd >= 0 || plan.joinTimeFd >= 0)) {
            if (pc.setns(plan.joinUserFd, CLONE_NEWUSER) < 0) return errnoError("join the container's user namespace");
            cfg.execNsFlags &= ~CLONE_NEWUSER;
        }
        ChildNsSwitch sw(pc);
        bindStages(cfg, plan);
        if (!plan.twoStage) {
            LC_TRY(sw.enter(plan.joinPidFd, CLONE_NEWPID, "/proc/self/ns/pid"));
            LC_TRY(sw.enter(plan.joinTimeFd, CLONE_NEWTIME, "/proc/self/ns/time"));
        }
        if (plan.newTimeNs) LC_TRY(sw.unshareTime(plan.timeOffsets));
        int dumpable = plan.nonDumpable ? pc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) : -1;
        if (dumpable > 0) pc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        pid = -1;
        errno = ENOSYS;
        if (plan.twoStage && plan.stage1SharesMemory && plan.cloneFlags == 0)
            pid = cloneStage1Shared(cfg, plan, pc, &pidfd);
        if (pid < 0 && (errno == ENOSYS || errno == EINVAL)) {
            pid = cloneIntoCgroup(plan, [&](int cgroupFd) { return pc.clone3(plan.cloneFlags, cgroupFd, &pidfd); });
            if (pid == 0) runInit(cfg, pc);
        }
        // This side does not copy its heap in advance: until the child's Go it touches a few
        // pages, and each copy in advance would delay the Go (the child's own copy is what
        // matters: it runs all the container steps).
        if (dumpable > 0) pc.prctl(PR_SET_DUMPABLE, static_cast<unsigned long>(dumpable), 0, 0, 0);
    }
    if (pid < 0) return errnoError("clone3");
    UniqueFd clonedFd(pidfd);
    childEnd.reset();

    pid_t visible = -1;
    UniqueFd visibleFd;
    if (auto r = drive(parentEnd.get(), pid, cb, plan.twoStage, cfg.stage1SharesMemory, &visible, &visibleFd); !r) {
        if (visible > 0) killAndReap(visible);
        else killAndReap(pid);
        return std::unexpected(r.error());
    }
    Launched out;
    if (plan.twoStage) {
        if (visible <= 0) {  // Ready from stage 1 cannot happen; be safe
            killAndReap(pid);
            return fail(EPROTO, "sync: the container process was never made");
        }
        out.pid = visible;
        out.pidfd = std::move(visibleFd);
    } else {
        out.pid = pid;
        out.pidfd = std::move(clonedFd);
    }
    return out;
}

}  // namespace lc::process
