// The seam for privileged calls made while building a container's filesystem, so that the
// pure logic around them can be tested with a recording fake. Every method follows the libc
// convention: returns -1 and sets errno on failure (umask cannot fail).
//
// Paths and descriptors are passed through untouched; the real implementation is a thin
// wrapper over the system call of the same name.
#pragma once

#include <sys/mount.h>  // struct mount_attr, MOUNT_ATTR_* (glibc >= 2.36)
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <linux/openat2.h>  // struct open_how, RESOLVE_*

#include <cstddef>

namespace lc::sys {

class Syscalls {
public:
    virtual ~Syscalls() = default;

    // Mount table.
    virtual int mount(const char* source, const char* target, const char* fstype,
                      unsigned long flags, const void* data) = 0;
    virtual int umount2(const char* target, int flags) = 0;
    virtual int mountSetattr(int dirfd, const char* path, unsigned int flags,
                             struct mount_attr* attr, size_t size) = 0;
    // open_tree(2) and move_mount(2): detached mount trees (idmapped mounts).
    virtual int openTree(int dirfd, const char* path, unsigned int flags) = 0;
    virtual int moveMount(int fromDirfd, const char* fromPath, int toDirfd, const char* toPath,
                          unsigned int flags) = 0;
    virtual int pivotRoot(const char* newRoot, const char* putOld) = 0;
    virtual int chroot(const char* path) = 0;
    virtual int chdir(const char* path) = 0;
    virtual int fchdir(int fd) = 0;

    // Files. Descriptors returned are real descriptors (the caller closes them).
    virtual int openat(int dirfd, const char* path, int flags, mode_t mode) = 0;
    virtual int openat2(int dirfd, const char* path, struct open_how* how, size_t size) = 0;
    virtual int mkdirat(int dirfd, const char* path, mode_t mode) = 0;
    virtual int mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) = 0;
    virtual int symlinkat(const char* target, int dirfd, const char* linkpath) = 0;
    virtual int unlinkat(int dirfd, const char* path, int flags) = 0;
    virtual ssize_t readlinkat(int dirfd, const char* path, char* buf, size_t size) = 0;
    virtual int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) = 0;
    virtual int fchmodat(int dirfd, const char* path, mode_t mode, int flags) = 0;
    virtual int fstatat(int dirfd, const char* path, struct stat* st, int flags) = 0;
    virtual int statfs(const char* path, struct statfs* st) = 0;
    virtual int fstatfs(int fd, struct statfs* st) = 0;
    virtual mode_t umask(mode_t mask) = 0;
};

// The real implementation (direct system calls). A function-local static; stateless.
Syscalls& real();

}  // namespace lc::sys
