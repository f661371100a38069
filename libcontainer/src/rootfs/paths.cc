#include "rootfs/paths.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include <deque>
#include <vector>

namespace lc::rootfs {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's MAXSYMLINKS
constexpr int kMaxCreateRetries = 64;

std::deque<std::string> splitComponents(std::string_view path) {
    std::deque<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        if (j > i) out.emplace_back(path.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// The walk used when openat2 is unavailable or a component is missing: one component at a
// time with O_NOFOLLOW, symlinks read and spliced into the remaining path, absolute targets
// restarting at the root, ".." popping but never past the root.
Result<UniqueFd> walkInRoot(sys::Syscalls& sys, int rootFd, std::string_view path,
                            Create create, bool noFollow) {
    const std::string what = "resolve " + std::string(path);
    std::vector<UniqueFd> stack;
    UniqueFd root(sys.openat(rootFd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
    if (!root) return errnoError(what);
    stack.push_back(std::move(root));

    std::deque<std::string> todo = splitComponents(path);
    int links = 0;
    int retries = 0;
    while (!todo.empty()) {
        std::string comp = std::move(todo.front());
        todo.pop_front();
        if (comp == ".") continue;
        if (comp == "..") {
            if (stack.size() > 1) stack.pop_back();
            continue;
        }
        const bool last = todo.empty();
        const int dir = stack.back().get();
        UniqueFd fd(sys.openat(dir, comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0));
        if (!fd) {
            int err = errno;
            if (err != ENOENT || create == Create::None) return errnoError(what, err);
            if (++retries > kMaxCreateRetries) return fail(EAGAIN, what + ": kept changing");
            if (last && create == Create::File) {
                UniqueFd f(sys.openat(dir, comp.c_str(),
                                      O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
                if (!f && errno != EEXIST) return errnoError("create " + std::string(path));
            } else if (sys.mkdirat(dir, comp.c_str(), 0755) < 0 && errno != EEXIST) {
                return errnoError("mkdir " + comp + " (resolving " + std::string(path) + ")");
            }
            todo.push_front(std::move(comp));  // open what now exists (or what raced in)
            continue;
        }
        struct stat st {};
        if (sys.fstatat(fd.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
            return errnoError(what);
        if (S_ISLNK(st.st_mode) && !(last && noFollow)) {
            if (++links > kMaxSymlinks) return fail(ELOOP, what);
            char buf[PATH_MAX];
            ssize_t n = sys.readlinkat(fd.get(), "", buf, sizeof buf);
            if (n < 0) return errnoError(what);
            if (static_cast<size_t>(n) >= sizeof buf) return fail(ENAMETOOLONG, what);
            std::string_view target(buf, static_cast<size_t>(n));
            if (!target.empty() && target.front() == '/') stack.resize(1);
            auto parts = splitComponents(target);
            todo.insert(todo.begin(), std::make_move_iterator(parts.begin()),
                        std::make_move_iterator(parts.end()));
            continue;
        }
        if (last) return fd;
        if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR, what);
        stack.push_back(std::move(fd));
    }
    return std::move(stack.back());
}

}  // namespace

std::string cleanPath(std::string_view path) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view c = path.substr(i, j - i);
        if (c == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!c.empty() && c != ".") {
            parts.push_back(c);
        }
        i = j + 1;
    }
    std::string out;
    for (auto c : parts) {
        out += '/';
        out += c;
    }
    return out.empty() ? "/" : out;
}

bool pathIsUnder(std::string_view path, std::string_view dir) {
    if (dir == "/") return !path.empty() && path.front() == '/';
    if (!path.starts_with(dir)) return false;
    return path.size() == dir.size() || path[dir.size()] == '/';
}

std::pair<std::string, std::string> splitPath(std::string_view cleanAbs) {
    size_t slash = cleanAbs.rfind('/');
    if (slash == std::string_view::npos) return {"/", std::string(cleanAbs)};
    std::string parent(cleanAbs.substr(0, slash));
    return {parent.empty() ? "/" : parent, std::string(cleanAbs.substr(slash + 1))};
}

std::string procFdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<std::string> fdPath(sys::Syscalls& sys, int fd) {
    char buf[PATH_MAX];
    std::string link = procFdPath(fd);
    ssize_t n = sys.readlinkat(AT_FDCWD, link.c_str(), buf, sizeof buf);
    if (n < 0) return errnoError("readlink " + link);
    if (static_cast<size_t>(n) >= sizeof buf) return fail(ENAMETOOLONG, "readlink " + link);
    return std::string(buf, static_cast<size_t>(n));
}

Result<UniqueFd> openInRoot(sys::Syscalls& sys, int rootFd, std::string_view path, Create create,
                            bool noFollow) {
    std::string rel = cleanPath(path).substr(1);
    if (rel.empty()) rel = ".";
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    UniqueFd fd(sys.openat2(rootFd, rel.c_str(), &how, sizeof how));
    if (fd) return fd;
    int err = errno;
    // ENOSYS/E2BIG: no openat2 (Linux < 5.6) or seccomp; EAGAIN: a concurrent rename made
    // the kernel give up; ENOENT: something to create.
    bool walk = err == ENOSYS || err == E2BIG || err == EAGAIN || err == EPERM ||
                (err == ENOENT && create != Create::None);
    if (!walk) return errnoError("resolve " + std::string(path), err);
    return walkInRoot(sys, rootFd, rel, create, noFollow);
}

}  // namespace lc::rootfs
