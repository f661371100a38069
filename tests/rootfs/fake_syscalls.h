// A recording fake of lc::sys::Syscalls for unprivileged tests.
//
// File operations (open, mkdir, symlink, stat, readlink, ...) really happen, in a temporary
// directory standing for the rootfs; privileged operations (mount, umount, pivot_root,
// chroot, chdir, mknod, chown, umask, mount_setattr) are only recorded, one line each in
// `log`, with paths shown relative to the rootfs as "$ROOTFS/..." and /proc/self/fd/<n>
// replaced by where the descriptor points. mknod creates an empty regular file so that the
// rest of the code sees something there. After pivot_root or chroot, absolute paths given
// to file operations are taken inside the rootfs.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sys/syscalls.h"

namespace lc::test {

struct MountCall {
    std::string source;  // display form
    std::string target;  // display form
    std::string fstype;  // "-" for none
    unsigned long flags = 0;
    std::string data;    // "-" for none
};

class FakeSyscalls final : public sys::Syscalls {
public:
    explicit FakeSyscalls(std::string rootfs);

    std::vector<std::string> log;
    std::vector<MountCall> mounts;
    // Decides each mount(): return 0 to succeed, an errno to fail. When unset: succeed
    // unless the target (or a bind's source) does not exist (ENOENT).
    std::function<int(const MountCall&)> onMount;
    // statfs/fstatfs report these ST_* flags for a display path (e.g. "/host/ro-src").
    std::map<std::string, unsigned long> statfsFlags;
    bool chrooted = false;
    // Whether a successful mount() of a filesystem makes statfs report its type there.
    bool trackFilesystems = true;

    // Display form of a path (see above).
    std::string show(const char* path) const;
    // Only the mount lines of the log.
    std::vector<std::string> mountLog() const;

    int mount(const char* source, const char* target, const char* fstype, unsigned long flags,
              const void* data) override;
    int umount2(const char* target, int flags) override;
    int mountSetattr(int dirfd, const char* path, unsigned int flags, struct mount_attr* attr,
                     size_t size) override;
    // open_tree opens the path (O_PATH) so that later calls see a real descriptor.
    int openTree(int dirfd, const char* path, unsigned int flags) override;
    int moveMount(int fromDirfd, const char* fromPath, int toDirfd, const char* toPath,
                  unsigned int flags) override;
    int pivotRoot(const char* newRoot, const char* putOld) override;
    int chroot(const char* path) override;
    int chdir(const char* path) override;
    int fchdir(int fd) override;
    int openat(int dirfd, const char* path, int flags, mode_t mode) override;
    int openat2(int dirfd, const char* path, struct open_how* how, size_t size) override;
    int mkdirat(int dirfd, const char* path, mode_t mode) override;
    int mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) override;
    int symlinkat(const char* target, int dirfd, const char* linkpath) override;
    int unlinkat(int dirfd, const char* path, int flags) override;
    ssize_t readlinkat(int dirfd, const char* path, char* buf, size_t size) override;
    int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) override;
    int fchmodat(int dirfd, const char* path, mode_t mode, int flags) override;
    int fstatat(int dirfd, const char* path, struct stat* st, int flags) override;
    int statfs(const char* path, struct statfs* st) override;
    int fstatfs(int fd, struct statfs* st) override;
    mode_t umask(mode_t mask) override;

private:
    std::string root_;
    mode_t umask_ = 022;
    std::map<std::string, std::string> mounted_;  // real path -> fstype mounted there

    std::string translate(const char* path) const;  // absolute paths after a chroot
    std::string realOf(const char* path) const;     // resolves /proc/self/fd/<n>
    std::string showAt(int dirfd, const char* path) const;
    void overrideStatfs(const std::string& real, struct statfs* st) const;
};

}  // namespace lc::test
