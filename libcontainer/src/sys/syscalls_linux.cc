// The real Syscalls: each method is the system call of the same name.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/syscalls.h"

namespace lc::sys {
namespace {

class LinuxSyscalls final : public Syscalls {
public:
    int mount(const char* source, const char* target, const char* fstype, unsigned long flags,
              const void* data) override {
        return ::mount(source, target, fstype, flags, data);
    }
    int umount2(const char* target, int flags) override { return ::umount2(target, flags); }
    int mountSetattr(int dirfd, const char* path, unsigned int flags, struct mount_attr* attr,
                     size_t size) override {
        return static_cast<int>(::syscall(SYS_mount_setattr, dirfd, path, flags, attr, size));
    }
    int openTree(int dirfd, const char* path, unsigned int flags) override {
        return static_cast<int>(::syscall(SYS_open_tree, dirfd, path, flags));
    }
    int moveMount(int fromDirfd, const char* fromPath, int toDirfd, const char* toPath,
                  unsigned int flags) override {
        return static_cast<int>(::syscall(SYS_move_mount, fromDirfd, fromPath, toDirfd, toPath, flags));
    }
    int pivotRoot(const char* newRoot, const char* putOld) override {
        return static_cast<int>(::syscall(SYS_pivot_root, newRoot, putOld));
    }
    int chroot(const char* path) override { return ::chroot(path); }
    int chdir(const char* path) override { return ::chdir(path); }
    int fchdir(int fd) override { return ::fchdir(fd); }

    int openat(int dirfd, const char* path, int flags, mode_t mode) override {
        return ::openat(dirfd, path, flags, mode);
    }
    int openat2(int dirfd, const char* path, struct open_how* how, size_t size) override {
        return static_cast<int>(::syscall(SYS_openat2, dirfd, path, how, size));
    }
    int mkdirat(int dirfd, const char* path, mode_t mode) override {
        return ::mkdirat(dirfd, path, mode);
    }
    int mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) override {
        return ::mknodat(dirfd, path, mode, dev);
    }
    int symlinkat(const char* target, int dirfd, const char* linkpath) override {
        return ::symlinkat(target, dirfd, linkpath);
    }
    int unlinkat(int dirfd, const char* path, int flags) override {
        return ::unlinkat(dirfd, path, flags);
    }
    ssize_t readlinkat(int dirfd, const char* path, char* buf, size_t size) override {
        return ::readlinkat(dirfd, path, buf, size);
    }
    int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) override {
        return ::fchownat(dirfd, path, uid, gid, flags);
    }
    int fchmodat(int dirfd, const char* path, mode_t mode, int flags) override {
        return ::fchmodat(dirfd, path, mode, flags);
    }
    int fstatat(int dirfd, const char* path, struct stat* st, int flags) override {
        return ::fstatat(dirfd, path, st, flags);
    }
    int statfs(const char* path, struct statfs* st) override { return ::statfs(path, st); }
    int fstatfs(int fd, struct statfs* st) override { return ::fstatfs(fd, st); }
    mode_t umask(mode_t mask) override { return ::umask(mask); }
};

}  // namespace

Syscalls& real() {
    static LinuxSyscalls instance;
    return instance;
}

}  // namespace lc::sys
