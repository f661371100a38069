// The real ProcessCalls: each method is the system call of the same name.
#include <linux/sched.h>
#include <cstdint>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/process_calls.h"

namespace lc::sys {
namespace {

class LinuxProcessCalls final : public ProcessCalls {
public:
    int setns(int fd, int nstype) override { return ::setns(fd, nstype); }
    int fchdir(int fd) override { return ::fchdir(fd); }
    int chroot(const char* path) override { return ::chroot(path); }
    int close(int fd) override { return ::close(fd); }
    int closeRange(unsigned first, unsigned last) override {
        return static_cast<int>(::syscall(SYS_close_range, first, last, 0));
    }
    int setNonDumpable() override { return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
    pid_t cloneSibling(int* pidfd) override {
        clone_args args{};
        args.flags = CLONE_PARENT | CLONE_PIDFD;
        args.pidfd = reinterpret_cast<uint64_t>(pidfd);
        // The kernel wants 0 with CLONE_PARENT: the child gets the caller's exit signal
        // (SIGCHLD, from the runtime's clone3 of stage 1).
        args.exit_signal = 0;
        return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
    }
};

}  // namespace

ProcessCalls& realProcessCalls() {
    static LinuxProcessCalls instance;
    return instance;
}

}  // namespace lc::sys
