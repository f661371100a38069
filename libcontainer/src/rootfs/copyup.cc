// tmpcopyup: the contents a directory had before a tmpfs was mounted over it are copied
// into the tmpfs. The old directory stays reachable through a descriptor opened before the
// mount, so no temporary mount point is needed.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/unique_fd.h"
#include "rootfs/exec.h"

namespace lc::rootfs {
namespace {

constexpr int kMaxDepth = 256;

Result<void> copyFile(int from, int to, const std::string& name, const struct stat& st) {
    UniqueFd in(::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) return errnoError("open " + name);
    UniqueFd out(::openat(to, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          st.st_mode & 07777));
    if (!out) return errnoError("create " + name);
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(in.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("read " + name);
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = ::write(out.get(), buf + off, static_cast<size_t>(n - off));
            if (w < 0) {
                if (errno == EINTR) continue;
                return errnoError("write " + name);
            }
            off += w;
        }
    }
    if (::fchown(out.get(), st.st_uid, st.st_gid) < 0) return errnoError("chown " + name);
    if (::fchmod(out.get(), st.st_mode & 07777) < 0) return errnoError("chmod " + name);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    ::futimens(out.get(), times);
    return {};
}

Result<void> copyDir(int from, int to, int depth) {
    if (depth > kMaxDepth) return fail(ELOOP, "directory tree too deep");
    int dup = ::openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup < 0) return errnoError("open directory");
    DIR* dir = ::fdopendir(dup);
    if (!dir) {
        int err = errno;
        ::close(dup);
        return errnoError("opendir", err);
    }
    struct Closer {
        DIR* d;
        ~Closer() { ::closedir(d); }
    } closer{dir};

    for (;;) {
        errno = 0;
        struct dirent* e = ::readdir(dir);
        if (!e) {
            if (errno) return errnoError("readdir");
            break;
        }
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        struct stat st {};
        if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return errnoError("stat " + name);
        const struct timespec times[2] = {st.st_atim, st.st_mtim};
        if (S_ISDIR(st.st_mode)) {
            if (::mkdirat(to, name.c_str(), st.st_mode & 07777) < 0 && errno != EEXIST)
                return errnoError("mkdir " + name);
            UniqueFd sub(::openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            UniqueFd dsub(::openat(to, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub || !dsub) return errnoError("open " + name);
            auto r = copyDir(sub.get(), dsub.get(), depth + 1);
            if (!r) return std::unexpected(r.error().wrap(name));
            if (::fchown(dsub.get(), st.st_uid, st.st_gid) < 0) return errnoError("chown " + name);
            if (::fchmod(dsub.get(), st.st_mode & 07777) < 0) return errnoError("chmod " + name);
            ::futimens(dsub.get(), times);
        } else if (S_ISREG(st.st_mode)) {
            LC_TRY(copyFile(from, to, name, st));
        } else if (S_ISLNK(st.st_mode)) {
            char buf[PATH_MAX];
            ssize_t n = ::readlinkat(from, name.c_str(), buf, sizeof buf - 1);
            if (n < 0) return errnoError("readlink " + name);
            buf[n] = '\0';
            if (::symlinkat(buf, to, name.c_str()) < 0) return errnoError("symlink " + name);
            if (::fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return errnoError("chown " + name);
            ::utimensat(to, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
        } else if (S_ISFIFO(st.st_mode)) {
            if (::mkfifoat(to, name.c_str(), st.st_mode & 07777) < 0) return errnoError("mkfifo " + name);
            if (::fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return errnoError("chown " + name);
        }
        // Sockets and device nodes are not copied.
    }
    return {};
}

}  // namespace

Result<void> copyTree(sys::Syscalls& sys, int fromDir, int toDir) {
    struct stat a {}, b {};
    if (sys.fstatat(fromDir, "", &a, AT_EMPTY_PATH) < 0 || sys.fstatat(toDir, "", &b, AT_EMPTY_PATH) < 0)
        return errnoError("stat");
    if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) return {};  // nothing was mounted
    // toDir is an O_PATH descriptor: open it for real.
    UniqueFd to(::openat(toDir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!to) return errnoError("open new tmpfs");
    return copyDir(fromDir, to.get(), 0);
}

}  // namespace lc::rootfs
