// The order of stage 1 (process/stage.h) through the ProcessCalls seam: everything of the
// host is dropped before the clone that makes the process visible in the container.
#include <sched.h>

#include <cerrno>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "process/stage.h"
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
    plan.joins = {{8, CLONE_NEWPID}, {-1, CLONE_NEWTIME}};
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
