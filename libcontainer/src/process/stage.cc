#include "process/stage.h"

#include <algorithm>
#include <cerrno>
#include <climits>

namespace lc::process {
namespace {

Result<void> closeAllBut(sys::ProcessCalls& sc, int from, std::array<int, 4> keep) {
    if (from < 0) from = 0;
    std::sort(keep.begin(), keep.end());
    unsigned lo = static_cast<unsigned>(from);
    for (int k : keep) {
        if (k < from) continue;  // none (-1), or below the range anyway
        unsigned fd = static_cast<unsigned>(k);
        if (fd > lo && sc.closeRange(lo, fd - 1, 0) < 0) return errnoError("close host fds");
        lo = std::max(lo, fd + 1);
    }
    if (sc.closeRange(lo, ~0U, 0) < 0) return errnoError("close host fds");
    return {};
}

}  // namespace

Result<pid_t> enterAndFork(const StagePlan& plan, sys::ProcessCalls& sc, int* pidfd) {
    if (plan.nsFd >= 0 && plan.nsFlags && sc.setns(plan.nsFd, plan.nsFlags) < 0)
        return errnoError("join the container's namespaces");
    for (const auto& j : plan.joins)
        if (j.fd >= 0 && sc.setns(j.fd, j.flag) < 0) return errnoError("join the container's namespaces");
    if (plan.rootFd >= 0) {
        if (sc.fchdir(plan.rootFd) < 0) return errnoError("enter the container's root");
        if (sc.chroot(".") < 0) return errnoError("chroot to the container's root");
    }
    LC_TRY(closeAllBut(sc, plan.closeFrom, plan.keep));
    if (plan.nonDumpable && sc.setNonDumpable() < 0) return errnoError("set non-dumpable");
    pid_t pid = sc.cloneSibling(pidfd);
    if (pid < 0) {
        // the kernel's alloc_pid answers ENOMEM for a pid namespace whose init has exited
        if (errno == ENOMEM)
            return errnoError("clone3 into the container (is it stopping? a pid namespace whose init has exited refuses new processes with this error)");
        return errnoError("clone3 into the container");
    }
    return pid;
}

}  // namespace lc::process
