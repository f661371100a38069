#include "security/exe_protect.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "libcontainer/unique_fd.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace lc::security {
namespace {

struct MountAttr {  // struct mount_attr (linux/mount.h), kept local to avoid header clashes
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};

ExeProtection protectionOf(int fd) {
    int seals = ::fcntl(fd, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SEAL)) return ExeProtection::SealedMemfd;
    struct statvfs sv;
    if (::fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY)) return ExeProtection::ReadOnlyMount;
    return ExeProtection::None;
}

// A detached read-only bind mount of our own file; the returned fd is an O_PATH fd on it.
Result<UniqueFd> readOnlyMountCopy() {
    UniqueFd tree(static_cast<int>(
        ::syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!tree) return errnoError("open_tree /proc/self/exe");
    MountAttr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        return errnoError("make the runtime binary mount read-only");
    return tree;
}

// A sealed memfd holding a copy of our own file.
Result<UniqueFd> sealedMemfdCopy() {
    UniqueFd src(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    if (!src) return errnoError("open /proc/self/exe");
    struct stat st;
    if (::fstat(src.get(), &st) < 0) return errnoError("stat /proc/self/exe");
    UniqueFd mem(::memfd_create("runc-cpp", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!mem) return errnoError("memfd_create");
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = ::sendfile(mem.get(), src.get(), nullptr, static_cast<size_t>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errnoError("copy the runtime binary to a memfd");
        if (n == 0) return fail(EIO, "copy the runtime binary to a memfd: short read");
        left -= n;
    }
    if (::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
        return errnoError("seal the runtime binary memfd");
    return mem;
}

}  // namespace

ExeProtection currentExeProtection() {
    UniqueFd fd(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    if (!fd) return ExeProtection::None;
    return protectionOf(fd.get());
}

Result<void> protectRuntimeExe(char** argv, char** envp) {
    const bool reexecuted = std::getenv(kExeProtectEnv) != nullptr;
    if (reexecuted) ::unsetenv(kExeProtectEnv);
    if (currentExeProtection() != ExeProtection::None) return {};
    if (reexecuted)
        return fail(EPERM, "runtime binary is still writable after re-executing from a protected copy");

    auto copy = readOnlyMountCopy();
    if (!copy) copy = sealedMemfdCopy();
    if (!copy) return std::unexpected(copy.error().wrap("protect the runtime binary"));

    std::vector<char*> env;
    for (char** e = envp; e && *e; ++e) env.push_back(*e);
    std::string marker = std::string(kExeProtectEnv) + "=1";
    env.push_back(marker.data());
    env.push_back(nullptr);
    ::syscall(SYS_execveat, copy->get(), "", argv, env.data(), AT_EMPTY_PATH);
    return errnoError("re-execute the runtime from a protected copy");
}

}  // namespace lc::security
