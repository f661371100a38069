#include "tarball.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <memory>
#include <utility>
#include <vector>

#include "libcontainer/unique_fd.h"

namespace mgr {
namespace {

struct ReadArchive {
    archive* a = archive_read_new();
    ~ReadArchive() { archive_read_free(a); }
};

class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
    void update(const void* p, size_t n) { EVP_DigestUpdate(ctx_.get(), p, n); }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        EVP_DigestFinal_ex(ctx_.get(), md, &len);
        static const char* h = "0123456789abcdef";
        std::string out;
        for (unsigned i = 0; i < len; ++i) {
            out += h[md[i] >> 4];
            out += h[md[i] & 15];
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::unexpected<lc::Error> archiveError(archive* a, const std::string& what) {
    const char* m = archive_error_string(a);
    return lc::fail(EINVAL, what + ": " + (m ? m : "archive error"));
}

// "./a/b", "/a/b" -> "a/b"; "" for the archive's root itself.
std::string relName(std::string p) {
    while (true) {
        if (p.starts_with("./")) p.erase(0, 2);
        else if (p.starts_with("/")) p.erase(0, 1);
        else break;
    }
    while (p.ends_with("/")) p.pop_back();
    return p == "." ? std::string() : p;
}

bool hasDotDot(const std::string& rel) {
    size_t start = 0;
    while (start <= rel.size()) {
        size_t slash = rel.find('/', start);
        std::string part = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part == "..") return true;
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return false;
}

// The directory `rel` under `rootFd`, made when missing, never through a symlink.
lc::Result<lc::UniqueFd> openDirIn(int rootFd, const std::string& rel) {
    lc::UniqueFd cur(::fcntl(rootFd, F_DUPFD_CLOEXEC, 0));
    if (!cur) return lc::errnoError("dup");
    size_t start = 0;
    while (start < rel.size()) {
        size_t slash = rel.find('/', start);
        std::string part = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        start = slash == std::string::npos ? rel.size() : slash + 1;
        if (part.empty() || part == ".") continue;
        if (::mkdirat(cur.get(), part.c_str(), 0755) < 0 && errno != EEXIST) return lc::errnoError("mkdir " + rel);
        int fd = ::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return lc::errnoError("open " + rel);
        cur.reset(fd);
    }
    return cur;
}

lc::Result<void> whiteout(int rootFd, const std::string& rel) {
    auto slash = rel.rfind('/');
    std::string dir = slash == std::string::npos ? "" : rel.substr(0, slash);
    std::string base = slash == std::string::npos ? rel : rel.substr(slash + 1);
    auto d = openDirIn(rootFd, dir);
    if (!d) return std::unexpected(d.error());
    if (base == ".wh..wh..opq") {
        if (::fsetxattr(d->get(), "trusted.overlay.opaque", "y", 1, 0) < 0)
            return lc::errnoError("set the opaque mark on " + (dir.empty() ? "/" : dir));
        return {};
    }
    std::string name = base.substr(4);
    if (name.empty() || name == "." || name == "..") return lc::fail(EINVAL, "bad whiteout " + rel);
    if (::mknodat(d->get(), name.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST)
        return lc::errnoError("whiteout " + rel);
    return {};
}

void dropOverlayXattrs(archive_entry* e) {
    std::vector<std::pair<std::string, std::string>> keep;
    const char* name;
    const void* value;
    size_t size;
    archive_entry_xattr_reset(e);
    bool dropped = false;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        if (std::string_view(name).starts_with("trusted.overlay.")) dropped = true;
        else keep.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
    if (!dropped) return;
    archive_entry_xattr_clear(e);
    for (auto& [k, v] : keep) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
}

}  // namespace

std::string sha256Hex(std::string_view data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hex();
}

lc::Result<std::string> sha256File(const std::string& path) {
    lc::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return lc::errnoError("open " + path);
    Sha256 h;
    std::vector<char> buf(1 << 16);
    while (true) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return lc::errnoError("read " + path);
        if (n == 0) break;
        h.update(buf.data(), static_cast<size_t>(n));
    }
    return h.hex();
}

lc::Result<LayerDigests> digestLayer(const std::string& path) {
    LayerDigests d;
    auto raw = sha256File(path);
    if (!raw) return std::unexpected(raw.error());
    d.raw = *raw;
    ReadArchive r;
    archive_read_support_filter_all(r.a);
    archive_read_support_format_raw(r.a);
    if (archive_read_open_filename(r.a, path.c_str(), 1 << 16) != ARCHIVE_OK) return (archiveError(r.a, path));
    archive_entry* e;
    Sha256 h;
    int rc = archive_read_next_header(r.a, &e);
    if (rc == ARCHIVE_OK) {
        std::vector<char> buf(1 << 16);
        la_ssize_t n;
        while ((n = archive_read_data(r.a, buf.data(), buf.size())) > 0) {
            h.update(buf.data(), static_cast<size_t>(n));
            d.size += n;
        }
        if (n < 0) return (archiveError(r.a, path));
    } else if (rc != ARCHIVE_EOF) {
        return (archiveError(r.a, path));
    }
    d.uncompressed = h.hex();
    return d;
}

lc::Result<void> unpackTar(const std::string& path, const std::string& dest, bool whiteouts) {
    lc::UniqueFd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root) return lc::errnoError("open " + dest);
    ReadArchive r;
    archive_read_support_filter_all(r.a);
    archive_read_support_format_tar(r.a);
    archive_read_support_format_gnutar(r.a);
    if (archive_read_open_filename(r.a, path.c_str(), 1 << 16) != ARCHIVE_OK) return (archiveError(r.a, path));
    std::unique_ptr<archive, int (*)(archive*)> w(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(w.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
                                                ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_UNLINK);
    archive_write_disk_set_standard_lookup(w.get());
    archive_entry* e;
    while (true) {
        int rc = archive_read_next_header(r.a, &e);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) return (archiveError(r.a, path));
        const char* pn = archive_entry_pathname(e);
        std::string rel = relName(pn ? pn : "");
        if (rel.empty()) continue;
        if (hasDotDot(rel)) return lc::fail(EINVAL, path + ": entry " + rel + " leaves the archive's root");
        std::string base = rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
        if (whiteouts && base.starts_with(".wh.")) {
            LC_TRY(whiteout(root.get(), rel));
            continue;
        }
        if (whiteouts) dropOverlayXattrs(e);
        archive_entry_set_pathname(e, (dest + "/" + rel).c_str());
        if (const char* hl = archive_entry_hardlink(e)) {
            std::string hrel = relName(hl);
            if (hrel.empty() || hasDotDot(hrel)) return lc::fail(EINVAL, path + ": hard link " + rel + " leaves the archive's root");
            archive_entry_set_hardlink(e, (dest + "/" + hrel).c_str());
        }
        if (archive_write_header(w.get(), e) < ARCHIVE_WARN) return (archiveError(w.get(), path + ": " + rel));
        if (archive_entry_size(e) > 0) {
            const void* buf;
            size_t size;
            la_int64_t off;
            while ((rc = archive_read_data_block(r.a, &buf, &size, &off)) == ARCHIVE_OK)
                if (archive_write_data_block(w.get(), buf, size, off) < ARCHIVE_WARN)
                    return (archiveError(w.get(), path + ": " + rel));
            if (rc != ARCHIVE_EOF) return (archiveError(r.a, path));
        }
        if (archive_write_finish_entry(w.get()) < ARCHIVE_WARN) return (archiveError(w.get(), path + ": " + rel));
    }
    if (archive_write_close(w.get()) < ARCHIVE_WARN) return (archiveError(w.get(), path));
    return {};
}

}  // namespace mgr
