// The order of stage 1 (process/stage.h) through the ProcessCalls seam: everything of the
// host is dropped before the clone that makes the process visible in the container.
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "process/stage.h"
#include "sys/process_calls.h"
#include "recording_calls.h"

using namespace lc;

namespace {

// The stage tests' view of the recorder: its own log, the clone's answer 4242.
struct Recorder {
    std::vector<std::string> calls;
    lc::test::RecordingCalls fake{calls};
    std::string& failOn = fake.failOn;
    operator sys::ProcessCalls&() { return fake; }
};

}  // namespace

TEST_CASE("stage 1: join, re-root, close host fds, non-dumpable, then clone", "[core][stage]") {
    process::StagePlan plan;
    plan.nsFd = 7;
    plan.nsFlags = CLONE_NEWNS | CLONE_NEWPID;
    plan.joins = {{{8, CLONE_NEWPID}, {-1, CLONE_NEWTIME}}};
    plan.rootFd = 9;
    plan.closeFrom = 3;
    plan.keep = {5, 12, -1, 2};
    Recorder r;
    int pidfd = -1;
    auto pid = process::enterAndFork(plan, r, &pidfd);
    REQUIRE(pid);
    CHECK(*pid == 4242);
    CHECK(pidfd == 99);
    const std::vector<std::string> want = {
        "setns 7 " + std::to_string(CLONE_NEWNS | CLONE_NEWPID),
        "setns 8 " + std::to_string(CLONE_NEWPID),
        "fchdir 9",
        "chroot .",
        "close_range 3-4",   // up to the sync socket (5)
        "close_range 6-11",  // the namespace, root and every other host fd in between
        "close_range 13-max",
        "nondumpable",
        "clone",  // last: only now can the container see a process of ours
    };
    CHECK(r.calls == want);
}

TEST_CASE("stage 1: no clone when a step fails", "[core][stage]") {
    for (const char* step : {"setns", "fchdir", "chroot", "close_range", "nondumpable"}) {
        process::StagePlan plan;
        plan.nsFd = 7;
        plan.nsFlags = CLONE_NEWNS;
        plan.rootFd = 9;
        Recorder r;
        r.failOn = step;
        int pidfd = -1;
        auto pid = process::enterAndFork(plan, r, &pidfd);
        CHECK_FALSE(pid);
        CHECK(r.calls.back().rfind(step, 0) == 0);
        for (const auto& c : r.calls) CHECK(c != "clone");
    }
}

TEST_CASE("stage 1: user-namespaced processes stay dumpable; nothing to join is no setns", "[core][stage]") {
    process::StagePlan plan;
    plan.nonDumpable = false;
    plan.keep = {3};
    Recorder r;
    int pidfd = -1;
    REQUIRE(process::enterAndFork(plan, r, &pidfd));
    const std::vector<std::string> want = {"close_range 4-max", "clone"};
    CHECK(r.calls == want);
}

namespace {
struct SharedProbe {
    int written = 0;
    uintptr_t local = 0;  // the address of a local variable of the child
    pid_t sawPid = 0;
};
void sharedChild(void* p) {
    auto* probe = static_cast<SharedProbe*>(p);
    int onStack = 0;
    probe->local = reinterpret_cast<uintptr_t>(&onStack);
    probe->sawPid = static_cast<pid_t>(::syscall(SYS_getpid));
    probe->written = 42;  // the caller's memory: it sees this after the clone returns
    ::_exit(7);
}
}  // namespace

TEST_CASE("cloneSharingMemory: the child runs on the given stack in the caller's memory; the caller waits for it",
          "[core][stage]") {
    auto& pc = sys::realProcessCalls();
    const size_t size = 256 * 1024;
    void* stack = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    REQUIRE(stack != MAP_FAILED);
    auto top = static_cast<char*>(stack) + size;
    SharedProbe probe;
    int pidfd = -1;
    pid_t pid = pc.cloneSharingMemory(-1, &pidfd, top, &sharedChild, &probe);
    if constexpr (sys::kCloneSharingMemory) {
        REQUIRE(pid > 0);
        // CLONE_VFORK: by now the child has exited, and what it wrote is in our memory
        CHECK(probe.written == 42);
        CHECK(probe.sawPid == pid);
        CHECK(probe.local > reinterpret_cast<uintptr_t>(stack));
        CHECK(probe.local < reinterpret_cast<uintptr_t>(top));
        CHECK(pidfd >= 0);
        int st = 0;
        REQUIRE(::waitpid(pid, &st, 0) == pid);
        CHECK(WIFEXITED(st));
        CHECK(WEXITSTATUS(st) == 7);
        ::close(pidfd);
        // a misaligned stack top is refused before any clone
        errno = 0;
        CHECK(pc.cloneSharingMemory(-1, &pidfd, top - 8, &sharedChild, &probe) < 0);
        CHECK(errno == EINVAL);
    } else {
        CHECK(pid < 0);
        CHECK(errno == ENOSYS);
    }
    ::munmap(stack, size);
}
