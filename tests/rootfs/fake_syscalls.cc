#include "fake_syscalls.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>

#include "rootfs/options.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

namespace lc::test {
namespace {

std::string readlinkStr(const std::string& path) {
    char buf[4096];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

long magicOf(const std::string& fstype) {
    if (fstype == "proc") return PROC_SUPER_MAGIC;
    if (fstype == "sysfs") return SYSFS_MAGIC;
    if (fstype == "tmpfs") return TMPFS_MAGIC;
    if (fstype == "devpts") return DEVPTS_SUPER_MAGIC;
    if (fstype == "cgroup2") return CGROUP2_SUPER_MAGIC;
    if (fstype == "cgroup") return CGROUP_SUPER_MAGIC;
    if (fstype == "mqueue") return MQUEUE_MAGIC;
    return 0;
}

}  // namespace

FakeSyscalls::FakeSyscalls(std::string rootfs) : root_(std::move(rootfs)) {}

std::string FakeSyscalls::translate(const char* path) const {
    std::string p = path ? path : "";
    if (chrooted && !p.empty() && p.front() == '/' && !p.starts_with("/proc/self/fd/"))
        return root_ + p;
    return p;
}

std::string FakeSyscalls::realOf(const char* path) const {
    std::string p = path ? path : "";
    if (p.starts_with("/proc/self/fd/")) return readlinkStr(p);
    return p;
}

std::string FakeSyscalls::show(const char* path) const {
    if (!path) return "-";
    std::string p = realOf(path);
    if (p.empty()) return "\"\"";
    if (p == root_) return "$ROOTFS";
    if (p.starts_with(root_ + "/")) return "$ROOTFS" + p.substr(root_.size());
    return p;
}

std::string FakeSyscalls::showAt(int dirfd, const char* path) const {
    std::string dir = dirfd == AT_FDCWD ? "" : show(("/proc/self/fd/" + std::to_string(dirfd)).c_str());
    if (!path || !*path) return dir;
    if (path[0] == '/' || dir.empty()) return show(path);
    return dir + "/" + path;
}

std::vector<std::string> FakeSyscalls::mountLog() const {
    std::vector<std::string> out;
    for (const auto& l : log)
        if (l.starts_with("mount ")) out.push_back(l);
    return out;
}

int FakeSyscalls::mount(const char* source, const char* target, const char* fstype,
                        unsigned long flags, const void* data) {
    MountCall c;
    c.source = show(source);
    c.target = show(target);
    c.fstype = fstype && *fstype ? fstype : "-";
    c.flags = flags;
    c.data = data ? static_cast<const char*>(data) : "-";
    mounts.push_back(c);
    log.push_back("mount " + c.source + " " + c.target + " " + c.fstype + " " +
                  rootfs::mountFlagsString(flags) + " " + c.data);
    int err = 0;
    if (onMount) {
        err = onMount(c);
    } else {
        struct stat st {};
        std::string t = translate(realOf(target).c_str());
        if (::stat(t.c_str(), &st) < 0) err = ENOENT;
        if ((flags & MS_BIND) && !(flags & MS_REMOUNT) && source &&
            ::stat(translate(realOf(source).c_str()).c_str(), &st) < 0)
            err = ENOENT;
    }
    if (err) {
        errno = err;
        return -1;
    }
    if (trackFilesystems && fstype && *fstype && !(flags & (MS_BIND | MS_REMOUNT | MS_MOVE)))
        mounted_[translate(realOf(target).c_str())] = fstype;
    return 0;
}

int FakeSyscalls::umount2(const char* target, int flags) {
    log.push_back("umount2 " + show(target) + (flags & MNT_DETACH ? " MNT_DETACH" : ""));
    return 0;
}

int FakeSyscalls::mountSetattr(int dirfd, const char* path, unsigned int flags,
                               struct mount_attr* attr, size_t) {
    char buf[128];
    std::snprintf(buf, sizeof buf, " set=%#llx clr=%#llx%s", static_cast<unsigned long long>(attr->attr_set),
                  static_cast<unsigned long long>(attr->attr_clr), flags & AT_RECURSIVE ? " recursive" : "");
    log.push_back("mount_setattr " + showAt(dirfd, path) + buf);
    return 0;
}

int FakeSyscalls::openTree(int dirfd, const char* path, unsigned int flags) {
    log.push_back("open_tree " + showAt(dirfd, path) + (flags & AT_RECURSIVE ? " recursive" : ""));
    return openat(dirfd, path, O_PATH | O_CLOEXEC, 0);
}

int FakeSyscalls::moveMount(int fromDirfd, const char* fromPath, int toDirfd, const char* toPath, unsigned int) {
    log.push_back("move_mount " + showAt(fromDirfd, fromPath) + " " + showAt(toDirfd, toPath));
    return 0;
}

int FakeSyscalls::pivotRoot(const char* newRoot, const char* putOld) {
    log.push_back(std::string("pivot_root ") + newRoot + " " + putOld);
    chrooted = true;
    return 0;
}

int FakeSyscalls::chroot(const char* path) {
    log.push_back("chroot " + show(path));
    chrooted = true;
    return 0;
}

int FakeSyscalls::chdir(const char* path) {
    log.push_back("chdir " + show(path));
    return 0;
}

int FakeSyscalls::fchdir(int fd) {
    log.push_back("fchdir " + showAt(fd, ""));
    return 0;
}

int FakeSyscalls::openat(int dirfd, const char* path, int flags, mode_t mode) {
    return ::openat(dirfd, translate(path).c_str(), flags, mode);
}

int FakeSyscalls::openat2(int dirfd, const char* path, struct open_how* how, size_t size) {
    return static_cast<int>(::syscall(SYS_openat2, dirfd, translate(path).c_str(), how, size));
}

int FakeSyscalls::mkdirat(int dirfd, const char* path, mode_t mode) {
    return ::mkdirat(dirfd, translate(path).c_str(), mode);
}

int FakeSyscalls::mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) {
    char buf[64];
    char type = S_ISCHR(mode) ? 'c' : S_ISBLK(mode) ? 'b' : S_ISFIFO(mode) ? 'p' : '?';
    std::snprintf(buf, sizeof buf, " %c %u:%u %04o", type, major(dev), minor(dev), mode & 07777);
    log.push_back("mknod " + showAt(dirfd, path) + buf);
    int fd = ::openat(dirfd, translate(path).c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode & 0777);
    if (fd < 0) return -1;
    ::close(fd);
    return 0;
}

int FakeSyscalls::symlinkat(const char* target, int dirfd, const char* linkpath) {
    return ::symlinkat(target, dirfd, translate(linkpath).c_str());
}

int FakeSyscalls::unlinkat(int dirfd, const char* path, int flags) {
    return ::unlinkat(dirfd, translate(path).c_str(), flags);
}

ssize_t FakeSyscalls::readlinkat(int dirfd, const char* path, char* buf, size_t size) {
    return ::readlinkat(dirfd, translate(path).c_str(), buf, size);
}

int FakeSyscalls::fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int) {
    log.push_back("chown " + showAt(dirfd, path) + " " + std::to_string(uid) + ":" + std::to_string(gid));
    return 0;
}

int FakeSyscalls::fchmodat(int dirfd, const char* path, mode_t mode, int flags) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " %04o", mode);
    log.push_back("chmod " + showAt(dirfd, path) + buf);
    return ::fchmodat(dirfd, translate(path).c_str(), mode, flags);
}

int FakeSyscalls::fstatat(int dirfd, const char* path, struct stat* st, int flags) {
    return ::fstatat(dirfd, translate(path).c_str(), st, flags);
}

void FakeSyscalls::overrideStatfs(const std::string& real, struct statfs* st) const {
    if (auto it = mounted_.find(real); it != mounted_.end()) st->f_type = magicOf(it->second);
    st->f_flags = 0;
    if (auto it = statfsFlags.find(show(real.c_str())); it != statfsFlags.end())
        st->f_flags = static_cast<long>(it->second);
}

int FakeSyscalls::statfs(const char* path, struct statfs* st) {
    std::string t = translate(realOf(path).c_str());
    if (::statfs(t.c_str(), st) < 0) return -1;
    overrideStatfs(t, st);
    if (auto it = statfsFlags.find(path); it != statfsFlags.end())
        st->f_flags = static_cast<long>(it->second);
    return 0;
}

int FakeSyscalls::fstatfs(int fd, struct statfs* st) {
    if (::fstatfs(fd, st) < 0) return -1;
    overrideStatfs(readlinkStr("/proc/self/fd/" + std::to_string(fd)), st);
    return 0;
}

mode_t FakeSyscalls::umask(mode_t mask) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", mask);
    log.push_back(std::string("umask ") + buf);
    mode_t old = umask_;
    umask_ = mask;
    return old;
}

}  // namespace lc::test
