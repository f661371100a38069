// The seam for privileged calls made while building a container's filesystem, so that the
// pure logic around them can be tested with a recording fake. Every method follows the libc
// convention: returns -1 and sets errno on failure.
#pragma once

#include <sys/types.h>

namespace lc::sys {

class Syscalls {
public:
    virtual ~Syscalls() = default;
    virtual int mount(const char* source, const char* target, const char* fstype,
                      unsigned long flags, const void* data) = 0;
    virtual int umount2(const char* target, int flags) = 0;
    virtual int pivotRoot(const char* newRoot, const char* putOld) = 0;
    virtual int chroot(const char* path) = 0;
    virtual int chdir(const char* path) = 0;
    virtual int mkdirat(int dirfd, const char* path, mode_t mode) = 0;
    virtual int mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) = 0;
    virtual int symlinkat(const char* target, int dirfd, const char* linkpath) = 0;
    virtual int openat(int dirfd, const char* path, int flags, mode_t mode) = 0;
    virtual int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) = 0;
    virtual int fchmodat(int dirfd, const char* path, mode_t mode, int flags) = 0;
};

// The real implementation (direct syscalls).
Syscalls& real();

}  // namespace lc::sys
