// The seam for the calls that start a container process and turn it into the user's
// process: the launcher's clone3 and namespace dance, and every step the init (or an exec'd
// process) takes between clone and execve: setns/unshare, identity, capabilities, prctl,
// seccomp, hostname, cwd, fd closing and execve itself. Mount-table and file calls are in
// sys::Syscalls. Both are passed explicitly to the code that uses them, so that the ORDER of
// the steps can be tested with recording fakes (tests/core/recording_calls.h).
// libc convention: -1 and errno on failure. Implementations must not allocate: they are
// called between clone and execve.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace lc::sys {

// Whether cloneSharingMemory is there: x86-64, and not under AddressSanitizer (it cannot
// follow a child that runs on a stack it did not make: every such child wrote a report).
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define LC_CLONE_SHARING_MEMORY 1
inline constexpr bool kCloneSharingMemory = true;
#else
inline constexpr bool kCloneSharingMemory = false;
#endif

class ProcessCalls {
public:
    virtual ~ProcessCalls() = default;

    // Launcher (parent side).
    // clone3(flags | CLONE_PIDFD [| CLONE_INTO_CGROUP when cgroupFd >= 0]), exit signal
    // SIGCHLD: 0 in the child, its pid in the caller (*pidfd set).
    virtual pid_t clone3(uint64_t flags, int cgroupFd, int* pidfd) = 0;
    // clone3(CLONE_PARENT | CLONE_PIDFD): 0 in the child, its pid in the caller (pidfd set).
    virtual pid_t cloneSibling(int* pidfd) = 0;
    // clone3(CLONE_VM | CLONE_VFORK | CLONE_PIDFD [| CLONE_INTO_CGROUP]), exit signal SIGCHLD:
    // the child runs fn(arg) on the stack that ends at stackTop (16-byte aligned), in the
    // caller's memory, and must not return (it exits or execs); the caller is stopped until
    // then and gets the child's pid (*pidfd set). The default, and where kCloneSharingMemory
    // is false: -1 with ENOSYS (callers fall back to clone3).
    virtual pid_t cloneSharingMemory(int cgroupFd, int* pidfd, void* stackTop, void (*fn)(void*), void* arg) {
        (void)cgroupFd, (void)pidfd, (void)stackTop, (void)fn, (void)arg;
        errno = ENOSYS;
        return -1;
    }

    // Namespaces, root, session.
    virtual int setns(int fd, int nstype) = 0;
    virtual int unshare(int flags) = 0;
    virtual int fchdir(int fd) = 0;
    virtual int chroot(const char* path) = 0;
    virtual int chdir(const char* path) = 0;
    virtual int setsid() = 0;
    virtual int sethostname(const char* name, size_t len) = 0;
    virtual int setdomainname(const char* name, size_t len) = 0;
    // keyctl(KEYCTL_JOIN_SESSION_KEYRING, name).
    virtual long joinSessionKeyring(const char* name) = 0;

    // Identity and privileges.
    virtual int setresuid(uid_t r, uid_t e, uid_t s) = 0;
    virtual int setresgid(gid_t r, gid_t e, gid_t s) = 0;
    virtual int setgroups(size_t n, const gid_t* groups) = 0;
    // /proc/self/setgroups says "deny": 1, else 0 (an unreadable file counts as "allow").
    virtual int setgroupsDenied() = 0;
    virtual int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) = 0;
    // capset(2) with a _LINUX_CAPABILITY_VERSION_3 header for the calling thread; `data`
    // points at two __user_cap_data_struct.
    virtual int capset(void* data) = 0;
    // seccomp(2); returns the listener fd for SECCOMP_FILTER_FLAG_NEW_LISTENER, else 0.
    virtual long seccomp(unsigned op, unsigned flags, void* args) = 0;
    // PR_SET_DUMPABLE 0.
    virtual int setNonDumpable() = 0;

    // Descriptors and exec.
    virtual int close(int fd) = 0;
    // close_range(first, last, flags) (flags: 0 or CLOSE_RANGE_CLOEXEC).
    virtual int closeRange(unsigned first, unsigned last, unsigned flags) = 0;
    virtual int execve(const char* path, char* const argv[], char* const envp[]) = 0;
};

// The real implementation (direct system calls).
ProcessCalls& realProcessCalls();

}  // namespace lc::sys
