// Stage 1 of a two-stage start: the step that separates what the runtime holds of the host
// from the process that becomes visible in the container's pid namespace.
//
// setns(CLONE_NEWPID) only moves the caller's children, so a process can join every namespace
// of a container (the mount namespace sets its root and cwd to the container's root), drop
// every host fd, and only then make the child that other processes of the container can see
// in /proc. That child is made with CLONE_PARENT: it is the runtime's child, as a one-stage
// init would be.
#pragma once

#include <sys/types.h>

#include <array>

#include "libcontainer/error.h"
#include "sys/process_calls.h"

namespace lc::process {

struct StageJoin {
    int fd = -1;  // -1: none
    int flag = 0;
};

// Fixed sizes, no heap: stage 1 may run in the runtime's own memory (LaunchPlan::
// stage1SharesMemory), where an allocation would stay behind in the runtime's heap, and a
// stage 1 killed in the middle of one (it is in the container's cgroups) would leave that
// heap broken.
struct StagePlan {
    int nsFd = -1;       // one setns(nsFd, nsFlags) (exec: the init's pidfd), or -1
    int nsFlags = 0;
    std::array<StageJoin, 2> joins{};  // further setns(fd, flag), in order
    int rootFd = -1;     // chroot into this directory (a container without a mount namespace)
    int closeFrom = 3;   // every fd >= closeFrom is closed, except `keep`
    std::array<int, 4> keep{-1, -1, -1, -1};  // -1: none
    // Re-assert PR_SET_DUMPABLE 0 (not for user-namespaced processes: they could not open
    // their own /proc files).
    bool nonDumpable = true;
};

// Joins, re-roots, closes, stays non-dumpable, then clones. In the caller: the child's pid
// (and its pidfd in *pidfd); in the child: 0. Nothing is cloned if a step fails.
Result<pid_t> enterAndFork(const StagePlan& plan, sys::ProcessCalls& sc, int* pidfd);

}  // namespace lc::process
