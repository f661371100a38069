#include "base/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace lc::util {

Result<UniqueFd> openFile(const std::string& path, int flags, mode_t mode) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) return errnoError("open " + path);
    return UniqueFd(fd);
}

static Result<std::string> readAllFd(int fd, const std::string& what) {
    // No fstat for the size and no zero-filled buffer: most reads are of small /proc and
    // cgroup files, read through a stack chunk into a string of exactly their size.
    char chunk[8192];
    std::string data;
    for (;;) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("read " + what);
        }
        if (n == 0) break;
        data.append(chunk, static_cast<size_t>(n));
    }
    return data;
}

Result<std::string> readFile(const std::string& path) {
    auto fd = openFile(path, O_RDONLY);
    if (!fd) return std::unexpected(fd.error());
    return readAllFd(fd->get(), path);
}

Result<std::string> readFileAt(int dirfd, const char* name) {
    int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errnoError(std::string("open ") + name);
    UniqueFd owner(fd);
    return readAllFd(fd, name);
}

Result<void> writeAll(int fd, std::string_view data, const std::string& what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("write " + what);
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

Result<void> writeFile(const std::string& path, std::string_view data) {
    auto fd = openFile(path, O_WRONLY | O_TRUNC);
    if (!fd) return std::unexpected(fd.error());
    return writeAll(fd->get(), data, path);
}

Result<void> writeFileAtomic(int dirfd, const char* name, std::string_view data, mode_t mode) {
    std::string tmp = std::string(".") + name + ".tmp" + std::to_string(::getpid());
    int fd = ::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return errnoError("create " + tmp);
    UniqueFd owner(fd);
    if (auto r = writeAll(fd, data, tmp); !r) {
        ::unlinkat(dirfd, tmp.c_str(), 0);
        return r;
    }
    owner.reset();
    if (::renameat(dirfd, tmp.c_str(), dirfd, name) < 0) {
        int err = errno;
        ::unlinkat(dirfd, tmp.c_str(), 0);
        return errnoError(std::string("rename ") + tmp + " to " + name, err);
    }
    return {};
}

Result<void> writeFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    auto dfd = openFile(dir, O_RDONLY | O_DIRECTORY);
    if (!dfd) return std::unexpected(dfd.error());
    if (auto r = writeFileAtomic(dfd->get(), name.c_str(), data, mode); !r)
        return std::unexpected(r.error().wrap("write " + path));
    return {};
}

Result<void> mkdirAll(const std::string& path, mode_t mode) {
    if (path.empty()) return {};
    std::string cur;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string::npos) next = path.size();
        cur = path.substr(0, next);
        pos = next + 1;
        if (cur.empty()) continue;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) return errnoError("mkdir " + cur);
    }
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return errnoError("stat " + path);
    if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR, "mkdir " + path);
    return {};
}

static Result<void> removeAt(int parent, const char* name) {
    if (::unlinkat(parent, name, 0) == 0 || errno == ENOENT) return {};
    if (errno != EISDIR && errno != EPERM) return errnoError(std::string("remove ") + name);
    int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errnoError(std::string("open ") + name);
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        return errnoError(std::string("opendir ") + name);
    }
    while (dirent* e = ::readdir(d)) {
        if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
        if (auto r = removeAt(::dirfd(d), e->d_name); !r) {
            ::closedir(d);
            return r;
        }
    }
    ::closedir(d);
    if (::unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return errnoError(std::string("rmdir ") + name);
    return {};
}

Result<void> removeAll(const std::string& path) {
    if (auto r = removeAt(AT_FDCWD, path.c_str()); !r) return std::unexpected(r.error().wrap("remove " + path));
    return {};
}

}  // namespace lc::util
