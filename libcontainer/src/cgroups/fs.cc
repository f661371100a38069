#include "cgroups/fs.h"

#include "base/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>

#include "libcontainer/unique_fd.h"

namespace lc::cgroups {
namespace {

std::string errorContext(std::string_view field, const std::string& path) {
    if (field.empty()) return path;
    std::string s;
    s.reserve(field.size() + 2 + path.size());
    s.append(field).append(": ").append(path);
    return s;
}

// Writes the whole buffer (kernfs takes it in one call; regular files may need more).
int writeAll(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return 0;
}

std::unexpected<Error> writeError(std::string_view field, const std::string& path,
                                  std::string_view value, int err) {
    std::string ctx;
    if (!field.empty()) ctx.append(field).append(": ");
    ctx.append("write \"").append(value).append("\" to ").append(path);
    return errnoError(std::move(ctx), err);
}

}  // namespace

std::string joinPath(std::string_view dir, std::string_view name) {
    std::string s;
    s.reserve(dir.size() + 1 + name.size());
    s.append(dir);
    while (!name.empty() && name.front() == '/') name.remove_prefix(1);
    if (name.empty()) return s;
    if (s.empty() || s.back() != '/') s.push_back('/');
    s.append(name);
    return s;
}

Result<bool> writeFileIfExists(std::string_view field, std::string_view dir, std::string_view file,
                               std::string_view value) {
    std::string path = joinPath(dir, file);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        if (err == ENOENT) return false;
        return errnoError(errorContext(field, path), err);
    }
    if (writeAll(fd.get(), value) < 0) return writeError(field, path, value, errno);
    return true;
}

Result<void> writeFile(std::string_view field, std::string_view dir, std::string_view file,
                       std::string_view value) {
    auto r = writeFileIfExists(field, dir, file, value);
    if (!r) return std::unexpected(r.error());
    if (!*r) return errnoError(errorContext(field, joinPath(dir, file)), ENOENT);
    return {};
}

Result<void> writeLines(std::string_view field, std::string_view dir, std::string_view file,
                        std::span<const std::string> lines) {
    if (lines.empty()) return {};
    std::string path = joinPath(dir, file);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        return errnoError(errorContext(field, path), err);
    }
    std::string buf;
    for (const auto& line : lines) {
        buf.assign(line).push_back('\n');
        if (writeAll(fd.get(), buf) < 0) return writeError(field, path, line, errno);
    }
    return {};
}

Result<std::string> readFile(const std::string& path) { return util::readFile(path); }

bool pathExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string_view trim(std::string_view s) {
    constexpr std::string_view ws = " \t\n\r";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::optional<uint64_t> parseUint(std::string_view s) {
    s = trim(s);
    if (s == "max") return UINT64_MAX;
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

Result<uint64_t> readUint(std::string_view dir, std::string_view file) {
    std::string path = joinPath(dir, file);
    auto content = readFile(path);
    if (!content) return std::unexpected(content.error());
    auto v = parseUint(*content);
    if (!v) return fail(EINVAL, "parse " + path + ": \"" + std::string(trim(*content)) + "\"");
    return *v;
}

std::optional<uint64_t> keyedValue(std::string_view content, std::string_view key) {
    std::optional<uint64_t> out;
    forEachKeyValue(content, [&](std::string_view k, uint64_t v) {
        if (!out && k == key) out = v;
    });
    return out;
}

std::vector<std::string_view> splitFields(std::string_view s, std::string_view seps) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t b = s.find_first_not_of(seps, i);
        if (b == std::string_view::npos) break;
        size_t e = s.find_first_of(seps, b);
        if (e == std::string_view::npos) e = s.size();
        out.push_back(s.substr(b, e - b));
        i = e;
    }
    return out;
}

Result<void> mkdirAll(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) == 0) return {};
    int err = errno;
    if (err == EEXIST) return {};
    if (err != ENOENT) return errnoError("mkdir " + path, err);
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos || slash == 0) return errnoError("mkdir " + path, err);
    LC_TRY(mkdirAll(path.substr(0, slash)));
    if (::mkdir(path.c_str(), 0755) == 0) return {};
    err = errno;
    if (err == EEXIST) return {};
    return errnoError("mkdir " + path, err);
}

namespace {

// Removes what is inside `path`: sub-directories recursively and, with removeFiles (plain
// directories, as in test fixtures; cgroupfs files cannot be unlinked), regular files.
Result<void> clearChildren(const std::string& path, bool removeFiles) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return {};
        int err = errno;
        return errnoError("open " + path, err);
    }
    DIR* d = ::fdopendir(fd.get());
    if (!d) {
        int err = errno;
        return errnoError("opendir " + path, err);
    }
    (void)fd.release();
    std::vector<std::string> dirs, files;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n == "." || n == "..") continue;
        unsigned char t = e->d_type;
        if (t == DT_UNKNOWN) {
            struct stat st {};
            if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                t = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
        }
        (t == DT_DIR ? dirs : files).emplace_back(joinPath(path, n));
    }
    ::closedir(d);
    if (removeFiles) {
        for (const auto& f : files)
            if (::unlink(f.c_str()) < 0 && errno != ENOENT) {
                int err = errno;
                return errnoError("unlink " + f, err);
            }
    }
    for (const auto& sub : dirs) LC_TRY(removeCgroupTree(sub));
    return {};
}

}  // namespace

Result<void> removeCgroupTree(const std::string& path) {
    bool cleared = false;
    auto delay = std::chrono::milliseconds(10);
    for (int attempt = 0;; ++attempt) {
        if (::rmdir(path.c_str()) == 0) return {};
        int err = errno;
        if (err == ENOENT) return {};
        if (err != EBUSY && err != ENOTEMPTY) return errnoError("rmdir " + path, err);
        if (!cleared) {
            // Sub-cgroups (EBUSY on cgroupfs) or fixture files (ENOTEMPTY): clear, then retry.
            LC_TRY(clearChildren(path, err == ENOTEMPTY));
            cleared = true;
            continue;
        }
        if (attempt >= 6) return errnoError("rmdir " + path, err);
        sleepFor(delay);
        delay *= 2;
        if (err == ENOTEMPTY) cleared = false;
    }
}

namespace {

Result<void> collectProcs(const std::string& dir, bool recursive, std::vector<pid_t>& out) {
    auto content = readFile(joinPath(dir, "cgroup.procs"));
    if (!content) return std::unexpected(content.error());
    for (auto f : splitFields(*content)) {
        if (auto v = parseUint(f); v && *v != UINT64_MAX) out.push_back(static_cast<pid_t>(*v));
    }
    if (!recursive) return {};
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        return errnoError("open " + dir, err);
    }
    DIR* d = ::fdopendir(fd.get());
    if (!d) {
        int err = errno;
        return errnoError("opendir " + dir, err);
    }
    (void)fd.release();
    std::vector<std::string> subs;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n == "." || n == "..") continue;
        if (e->d_type == DT_DIR ||
            (e->d_type == DT_UNKNOWN && pathExists(joinPath(joinPath(dir, n), "cgroup.procs"))))
            subs.emplace_back(joinPath(dir, n));
    }
    ::closedir(d);
    for (const auto& s : subs) {
        auto r = collectProcs(s, true, out);
        // A sub-cgroup removed while we walk is not an error.
        if (!r && r.error().errnum() != ENOENT) return r;
    }
    return {};
}

}  // namespace

Result<std::vector<pid_t>> readProcs(const std::string& dir, bool recursive) {
    std::vector<pid_t> out;
    LC_TRY(collectProcs(dir, recursive, out));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<void> writeProc(const std::string& dir, pid_t pid) {
    std::string path = joinPath(dir, "cgroup.procs");
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long>(pid));
    (void)ec;
    std::string_view value(buf, static_cast<size_t>(end - buf));
    for (int attempt = 0;; ++attempt) {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
        if (!fd) {
            int err = errno;
            return errnoError("add pid " + std::string(value) + " to " + path, err);
        }
        if (writeAll(fd.get(), value) == 0) return {};
        int err = errno;
        // EINVAL: the task may still be in TASK_NEW; try again shortly (as runc does).
        if (err != EINVAL || attempt >= 4)
            return errnoError("add pid " + std::string(value) + " to " + path, err);
        sleepFor(std::chrono::milliseconds(30));
    }
}

void sleepFor(std::chrono::microseconds d) { std::this_thread::sleep_for(d); }

}  // namespace lc::cgroups
