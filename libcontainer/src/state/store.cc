#include "state/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "util/fileutil.h"

namespace lc::state {

Result<void> validateId(const std::string& id) {
    if (id.empty()) return fail(EINVAL, "container id cannot be empty");
    if (id == "." || id == "..") return fail(EINVAL, "invalid container ID format: " + id);
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '.';
        if (!ok) return fail(EINVAL, "invalid container ID format: " + id);
    }
    if (id.size() > 1024) return fail(EINVAL, "invalid container ID format: id too long");
    return {};
}

static std::unexpected<Error> notExist() { return fail(ENOENT, "container does not exist"); }

Result<Record> ContainerDir::readRecord() const {
    auto text = util::readFileAt(fd_.get(), kStateFile);
    if (!text) return std::unexpected(text.error());
    auto r = decodeRecord(*text);
    if (!r) return std::unexpected(r.error().wrap(path_ + "/" + kStateFile));
    return r;
}

Result<std::optional<Record>> ContainerDir::readRecordIfSound(bool* corrupt) const {
    if (corrupt) *corrupt = false;
    auto text = util::readFileAt(fd_.get(), kStateFile);
    if (!text) {
        if (text.error().errnum() == ENOENT) return std::optional<Record>();
        return std::unexpected(text.error().wrap(path_ + "/" + kStateFile));
    }
    auto r = decodeRecord(*text);
    if (!r) {
        if (corrupt) *corrupt = true;
        return std::optional<Record>();
    }
    return std::optional<Record>(std::move(*r));
}

Result<void> ContainerDir::writeRecord(const Record& r) const {
    return util::writeFileAtomic(fd_.get(), kStateFile, encodeRecord(r), 0600);
}

bool ContainerDir::hasFile(const char* name) const {
    return ::faccessat(fd_.get(), name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

Result<void> ContainerDir::remove() const { return util::removeAll(path_); }

static Result<UniqueFd> openDir(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return notExist();
        return errnoError("open " + path);
    }
    return UniqueFd(fd);
}

Result<ContainerDir> Store::create(const std::string& id) const {
    LC_TRY(validateId(id));
    if (::mkdir(root_.c_str(), 0700) < 0 && errno != EEXIST) {
        if (errno != ENOENT) return errnoError("mkdir " + root_);
        LC_TRY(util::mkdirAll(root_, 0700));
    }
    std::string path = root_ + "/" + id;
    if (::mkdir(path.c_str(), 0711) < 0) {
        if (errno == EEXIST) return fail(EEXIST, "container with given ID already exists: " + id);
        return errnoError("mkdir " + path);
    }
    auto fd = openDir(path);
    if (!fd) return std::unexpected(fd.error());
    if (::flock(fd->get(), LOCK_EX) < 0) return errnoError("lock " + path);
    return ContainerDir(id, path, std::move(*fd));
}

Result<ContainerDir> Store::lock(const std::string& id) const {
    LC_TRY(validateId(id));
    std::string path = root_ + "/" + id;
    auto fd = openDir(path);
    if (!fd) return std::unexpected(fd.error());
    if (::flock(fd->get(), LOCK_EX) < 0) return errnoError("lock " + path);
    // The holder before us may have deleted the directory.
    struct stat st;
    if (::fstat(fd->get(), &st) < 0 || st.st_nlink == 0) return notExist();
    return ContainerDir(id, path, std::move(*fd));
}

Result<ContainerDir> Store::open(const std::string& id) const {
    LC_TRY(validateId(id));
    std::string path = root_ + "/" + id;
    auto fd = openDir(path);
    if (!fd) return std::unexpected(fd.error());
    return ContainerDir(id, path, std::move(*fd));
}

bool Store::isLocked(const ContainerDir& d) {
    // A second open file description conflicts with any holder, including ourselves.
    int fd = ::open(d.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    bool locked = ::flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return locked;
}

Result<std::vector<std::string>> Store::list() const {
    std::vector<std::string> ids;
    DIR* d = ::opendir(root_.c_str());
    if (!d) {
        if (errno == ENOENT) return ids;
        return errnoError("open " + root_);
    }
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
        if (!validateId(e->d_name)) continue;
        ids.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace lc::state
