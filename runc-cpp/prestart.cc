// The entry point of the static CLI (x86-64): for create, run and exec, the re-execution from a
// read-only copy of the binary (libcontainer/src/security/exe_protect.h) happens here, before
// the C library initialises itself, and so that start-up is paid once instead of twice.
//
// A static glibc program spends about 0.55 ms in its start-up on the VMs this project runs on
// (docs/bench.md): most of it is CPUID, which traps to the hypervisor (7.7 us each, some 70 of
// them to size the caches). create, run and exec start twice (the second time from the copy);
// before this, the first start ran that whole set-up only to execute itself again.
//
// What runs here is freestanding: raw system calls, no C library function, no TLS, no stack
// protector (the canary lives in TLS, which is not set up yet); this file is compiled with
// -fno-stack-protector -fno-builtin -fno-tree-loop-distribute-patterns (meson.build) and
// argv_scan.h has no library calls. Anything unexpected (the marker already set, a binary
// that is already read-only, no open_tree or mount_setattr, too many environment entries)
// returns to the C library's entry (_start) unchanged, and the start-up hook in main.cc does
// what it always did (a sealed memfd copy when no read-only mount can be made).
#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include <cstddef>
#include <cstdint>

#include "argv_scan.h"

namespace {

constexpr unsigned kOpenTreeClone = 1;          // OPEN_TREE_CLONE
constexpr unsigned kOpenTreeCloexec = O_CLOEXEC;  // OPEN_TREE_CLOEXEC
constexpr std::uint64_t kMountAttrRdonly = 1;   // MOUNT_ATTR_RDONLY
constexpr std::size_t kMaxEnv = 1024;  // more: the C library path handles it
// The marker the protected copy sees (kExeProtectEnv in exe_protect.h, with its value).
constexpr const char kMarker[] = "_RUNC_CPP_EXE_PROTECTED=1";

struct MountAttr {
    std::uint64_t attr_set, attr_clr, propagation, userns_fd;
};

[[gnu::always_inline]] inline long sys(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
    long ret;
    register long r10 asm("r10") = d;
    register long r8 asm("r8") = e;
    asm volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
    return ret;
}

}  // namespace

// `sp` is the process's initial stack: argc, argv[], NULL, envp[], NULL.
extern "C" [[gnu::used]] void rcpp_prestart(long* sp) {
    const long argc = sp[0];
    char** argv = reinterpret_cast<char**>(sp + 1);
    char** envp = argv + argc + 1;
    if (argc < 2) return;

    std::size_t nenv = 0;
    for (; envp[nenv] != nullptr; ++nenv)
        if (cli::scan::startsWith(envp[nenv], "_RUNC_CPP_EXE_PROTECTED=")) return;  // the copy
    if (nenv + 2 > kMaxEnv) return;

    const std::size_t n = static_cast<std::size_t>(argc - 1);
    const std::size_t ci = cli::scan::commandIndex(n, [&](std::size_t i) { return argv[i + 1]; });
    if (ci >= n) return;
    for (std::size_t i = 0; i < ci; ++i)
        if (cli::scan::helpOrVersion(argv[i + 1])) return;
    if (!cli::scan::startsContainers(argv[ci + 1])) return;

    // Already on a read-only mount: nothing to copy (currentExeProtection says the same).
    struct statfs sf;
    if (sys(SYS_statfs, reinterpret_cast<long>("/proc/self/exe"), reinterpret_cast<long>(&sf)) == 0 &&
        (sf.f_flags & ST_RDONLY))
        return;

    const long fd = sys(SYS_open_tree, AT_FDCWD, reinterpret_cast<long>("/proc/self/exe"),
                        kOpenTreeClone | kOpenTreeCloexec);
    if (fd < 0) return;
    MountAttr attr{kMountAttrRdonly, 0, 0, 0};
    if (sys(SYS_mount_setattr, fd, reinterpret_cast<long>(""), AT_EMPTY_PATH, reinterpret_cast<long>(&attr),
            sizeof attr) == 0) {
        char* env[kMaxEnv];
        for (std::size_t i = 0; i < nenv; ++i) env[i] = envp[i];
        env[nenv] = const_cast<char*>(kMarker);
        env[nenv + 1] = nullptr;
        sys(SYS_execveat, fd, reinterpret_cast<long>(""), reinterpret_cast<long>(argv), reinterpret_cast<long>(env),
            AT_EMPTY_PATH);
    }
    sys(SYS_close, fd);
}

// The entry: keep the stack pointer and %rdx (the function the kernel or loader asks to run at
// exit; 0 for a static program) for the C library's _start, call rcpp_prestart on an aligned
// stack, then continue at _start as if nothing had run.
asm(R"(
	.text
	.globl rcpp_entry
	.type rcpp_entry, @function
rcpp_entry:
	mov %rdx, %r15
	mov %rsp, %rbx
	mov %rsp, %rdi
	and $-16, %rsp
	call rcpp_prestart
	mov %rbx, %rsp
	mov %r15, %rdx
	xor %ebp, %ebp
	jmp _start
	.size rcpp_entry, .-rcpp_entry
)");
