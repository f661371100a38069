// The real ProcessCalls: each method is the system call of the same name.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "sys/process_calls.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

namespace lc::sys {
namespace {

#ifdef LC_CLONE_SHARING_MEMORY
// clone3 with a stack of its own: the child starts with rsp at the top of that stack, calls
// fn(arg) there and, should fn return, exits. fn and arg travel in r12/r13, which the system
// call leaves alone in both processes. No C code runs in the child between the system call
// and fn: the compiler's frame of this function belongs to the parent.
long clone3OnStack(clone_args* args, void (*fn)(void*), void* arg) {
    register long r12 asm("r12") = reinterpret_cast<long>(fn);
    register long r13 asm("r13") = reinterpret_cast<long>(arg);
    long ret = SYS_clone3;
    asm volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "xor %%ebp, %%ebp\n\t"
        "mov %%r13, %%rdi\n\t"
        "call *%%r12\n\t"
        "mov $60, %%eax\n\t"  // SYS_exit
        "mov $127, %%edi\n\t"
        "syscall\n\t"
        "hlt\n"
        "1:\n\t"
        : "+a"(ret)
        : "D"(args), "S"(sizeof(clone_args)), "r"(r12), "r"(r13)
        : "rcx", "r11", "memory", "cc");
    return ret;
}
#endif

class LinuxProcessCalls final : public ProcessCalls {
public:
    pid_t clone3(uint64_t flags, int cgroupFd, int* pidfd) override {
        clone_args args{};
        args.flags = flags | CLONE_PIDFD;
        args.pidfd = reinterpret_cast<uint64_t>(pidfd);
        args.exit_signal = SIGCHLD;
        if (cgroupFd >= 0) {
            args.flags |= CLONE_INTO_CGROUP;
            args.cgroup = static_cast<uint64_t>(cgroupFd);
        }
        return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
    }
    pid_t cloneSibling(int* pidfd) override {
        clone_args args{};
        args.flags = CLONE_PARENT | CLONE_PIDFD;
        args.pidfd = reinterpret_cast<uint64_t>(pidfd);
        // The kernel wants 0 with CLONE_PARENT: the child gets the caller's exit signal
        // (SIGCHLD, from the runtime's clone3 of stage 1).
        args.exit_signal = 0;
        return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
    }
    pid_t cloneSharingMemory(int cgroupFd, int* pidfd, void* stackTop, void (*fn)(void*), void* arg) override {
#ifdef LC_CLONE_SHARING_MEMORY
        auto top = reinterpret_cast<uintptr_t>(stackTop);
        if (!fn || (top & 15) != 0 || top < 4096) {
            errno = EINVAL;
            return -1;
        }
        clone_args args{};
        args.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
        args.pidfd = reinterpret_cast<uint64_t>(pidfd);
        args.exit_signal = SIGCHLD;
        // clone3 takes the lowest address and the size; the child's rsp starts at their sum.
        // One page is enough to satisfy the kernel's check: the child runs on what lies below
        // the top, which the caller mapped.
        args.stack = static_cast<uint64_t>(top - 4096);
        args.stack_size = 4096;
        if (cgroupFd >= 0) {
            args.flags |= CLONE_INTO_CGROUP;
            args.cgroup = static_cast<uint64_t>(cgroupFd);
        }
        long r = clone3OnStack(&args, fn, arg);
        if (r < 0) {
            errno = static_cast<int>(-r);
            return -1;
        }
        return static_cast<pid_t>(r);
#else
        return ProcessCalls::cloneSharingMemory(cgroupFd, pidfd, stackTop, fn, arg);
#endif
    }
    int setns(int fd, int nstype) override { return ::setns(fd, nstype); }
    int unshare(int flags) override { return ::unshare(flags); }
    int fchdir(int fd) override { return ::fchdir(fd); }
    int chroot(const char* path) override { return ::chroot(path); }
    int chdir(const char* path) override { return ::chdir(path); }
    int setsid() override { return ::setsid() < 0 ? -1 : 0; }
    int sethostname(const char* name, size_t len) override { return ::sethostname(name, len); }
    int setdomainname(const char* name, size_t len) override { return ::setdomainname(name, len); }
    long joinSessionKeyring(const char* name) override {
        return ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
    }
    int setresuid(uid_t r, uid_t e, uid_t s) override { return ::setresuid(r, e, s); }
    int setresgid(gid_t r, gid_t e, gid_t s) override { return ::setresgid(r, e, s); }
    int setgroups(size_t n, const gid_t* groups) override { return ::setgroups(n, groups); }
    int setgroupsDenied() override {
        int fd = ::open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
        if (fd < 0) return 0;
        char buf[16] = {};
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        return n >= 4 && std::strncmp(buf, "deny", 4) == 0 ? 1 : 0;
    }
    int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) override {
        return ::prctl(option, a2, a3, a4, a5);
    }
    int capset(void* data) override {
        __user_cap_header_struct header{};
        header.version = _LINUX_CAPABILITY_VERSION_3;
        header.pid = 0;
        return static_cast<int>(::syscall(SYS_capset, &header, data));
    }
    long seccomp(unsigned op, unsigned flags, void* args) override { return ::syscall(SYS_seccomp, op, flags, args); }
    int setNonDumpable() override { return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
    int close(int fd) override { return ::close(fd); }
    int closeRange(unsigned first, unsigned last, unsigned flags) override {
        return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
    }
    int execve(const char* path, char* const argv[], char* const envp[]) override { return ::execve(path, argv, envp); }
};

}  // namespace

ProcessCalls& realProcessCalls() {
    static LinuxProcessCalls instance;
    return instance;
}

}  // namespace lc::sys
