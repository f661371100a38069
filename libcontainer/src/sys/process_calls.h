// The seam for the calls that move a runtime process into a container before the process
// that becomes visible there is made (process/stage.h), so that their order can be tested
// with a recording fake. libc convention: -1 and errno on failure.
#pragma once

#include <sys/types.h>

namespace lc::sys {

class ProcessCalls {
public:
    virtual ~ProcessCalls() = default;
    virtual int setns(int fd, int nstype) = 0;
    virtual int fchdir(int fd) = 0;
    virtual int chroot(const char* path) = 0;
    virtual int close(int fd) = 0;
    // close_range(first, last, 0).
    virtual int closeRange(unsigned first, unsigned last) = 0;
    // PR_SET_DUMPABLE 0.
    virtual int setNonDumpable() = 0;
    // clone3(CLONE_PARENT | CLONE_PIDFD): 0 in the child, its pid in the caller (pidfd set).
    virtual pid_t cloneSibling(int* pidfd) = 0;
};

// The real implementation (direct system calls).
ProcessCalls& realProcessCalls();

}  // namespace lc::sys
