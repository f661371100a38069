// The compiled seccomp filter cache (seccomp_cache.h).
#include "security/seccomp_cache.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "base/file.h"
#include "base/unique_fd.h"
#include "spec/json.h"

namespace lc::security {
namespace {

constexpr std::string_view kMagic = "RCPPSECC1\n";
// A filter has at most BPF_MAXINSNS (4096) instructions; a key is a profile plus ~300 bytes.
constexpr size_t kMaxFile = 1 << 20;

struct BuildIdQuery {
    uintptr_t addr = 0;
    std::string id;
    bool found = false;
};

std::string hex(const unsigned char* p, size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

// The NT_GNU_BUILD_ID note of the loaded object that contains q->addr.
int findBuildId(dl_phdr_info* info, size_t, void* data) {
    auto* q = static_cast<BuildIdQuery*>(data);
    bool contains = false;
    for (int i = 0; i < info->dlpi_phnum && !contains; ++i) {
        const auto& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD) continue;
        uintptr_t start = info->dlpi_addr + ph.p_vaddr;
        contains = q->addr >= start && q->addr - start < ph.p_memsz;
    }
    if (!contains) return 0;
    q->found = true;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const auto& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_NOTE) continue;
        size_t align = ph.p_align == 8 ? 8 : 4;
        auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
        size_t off = 0;
        while (off + sizeof(ElfW(Nhdr)) <= ph.p_memsz) {
            ElfW(Nhdr) nh;
            std::memcpy(&nh, p + off, sizeof nh);
            size_t name = off + sizeof nh;
            size_t desc = name + ((nh.n_namesz + align - 1) & ~(align - 1));
            size_t next = desc + ((nh.n_descsz + align - 1) & ~(align - 1));
            if (desc + nh.n_descsz > ph.p_memsz) break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(p + name, "GNU", 4) == 0 &&
                nh.n_descsz > 0) {
                q->id = hex(p + desc, nh.n_descsz);
                return 1;
            }
            off = next;
        }
    }
    return 1;
}

std::optional<std::string> buildIdOf(const void* addr) {
    BuildIdQuery q;
    q.addr = reinterpret_cast<uintptr_t>(addr);
    dl_iterate_phdr(findBuildId, &q);
    if (!q.found || q.id.empty()) return std::nullopt;
    return q.id;
}

// The parts of the key that do not depend on the profile, computed once per process.
const std::optional<std::string>& environmentKey() {
    static const std::optional<std::string> key = []() -> std::optional<std::string> {
        auto self = buildIdOf(reinterpret_cast<const void*>(&compileSeccomp));
        auto lib = buildIdOf(reinterpret_cast<const void*>(&seccomp_init));
        if (!self || !lib) return std::nullopt;
        utsname u{};
        if (::uname(&u) < 0) return std::nullopt;
        const scmp_version* v = seccomp_version();
        std::string k = "code " + *self + "\nlibseccomp " + *lib + " " + std::to_string(v->major) + "." +
                        std::to_string(v->minor) + "." + std::to_string(v->micro) + " api " +
                        std::to_string(seccomp_api_get()) + "\nkernel " + u.release + " " + u.version + " " +
                        u.machine + "\n";
        return k;
    }();
    return key;
}

uint64_t fnv1a(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string fileName(std::string_view key) {
    uint64_t h = fnv1a(key);
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(h >> (56 - 8 * i));
    return hex(b, 8) + ".bpf";
}

void putU32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

bool getU32(std::string_view& in, uint32_t& v) {
    if (in.size() < sizeof v) return false;
    std::memcpy(&v, in.data(), sizeof v);
    in.remove_prefix(sizeof v);
    return true;
}

std::string serialize(const std::string& key, const SeccompProgram& prog) {
    std::string out(kMagic);
    putU32(out, static_cast<uint32_t>(key.size()));
    out += key;
    putU32(out, prog.flags);
    putU32(out, prog.notify ? 1 : 0);
    putU32(out, static_cast<uint32_t>(prog.filter.size()));
    out.append(reinterpret_cast<const char*>(prog.filter.data()), prog.filter.size() * sizeof(sock_filter));
    return out;
}

std::optional<SeccompProgram> parse(std::string_view in, const std::string& key) {
    if (!in.starts_with(kMagic)) return std::nullopt;
    in.remove_prefix(kMagic.size());
    uint32_t keyLen = 0, flags = 0, notify = 0, n = 0;
    if (!getU32(in, keyLen) || keyLen != key.size() || in.size() < keyLen) return std::nullopt;
    if (in.substr(0, keyLen) != key) return std::nullopt;
    in.remove_prefix(keyLen);
    if (!getU32(in, flags) || !getU32(in, notify) || !getU32(in, n)) return std::nullopt;
    if (notify > 1 || n == 0 || n > BPF_MAXINSNS || in.size() != n * sizeof(sock_filter)) return std::nullopt;
    SeccompProgram prog;
    prog.flags = flags;
    prog.notify = notify == 1;
    prog.filter.resize(n);
    std::memcpy(prog.filter.data(), in.data(), in.size());
    return prog;
}

// Only files and directories that we own and nobody else may write are trusted.
bool trusted(const struct stat& st) { return st.st_uid == ::geteuid() && (st.st_mode & 022) == 0; }

// Opens (creating when `create`) the cache directory; an invalid fd when it is not usable.
UniqueFd openDir(const std::string& dir, bool create) {
    if (create) {
        auto slash = dir.rfind('/');
        if (slash != std::string::npos && slash > 0) (void)util::mkdirAll(dir.substr(0, slash), 0700);
        if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return UniqueFd();
    }
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return fd;
    struct stat st{};
    if (::fstat(fd.get(), &st) < 0 || !S_ISDIR(st.st_mode) || !trusted(st)) return UniqueFd();
    return fd;
}

std::optional<SeccompProgram> lookup(int dirfd, const std::string& name, const std::string& key) {
    UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) return std::nullopt;
    struct stat st{};
    if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) || !trusted(st)) return std::nullopt;
    if (st.st_size <= 0 || static_cast<size_t>(st.st_size) > kMaxFile) return std::nullopt;
    std::string buf(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < buf.size()) {
        ssize_t r = ::read(fd.get(), buf.data() + got, buf.size() - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return std::nullopt;
        got += static_cast<size_t>(r);
    }
    return parse(buf, key);
}

// Empties a full cache directory (its .bpf files and stale temporaries).
void evictIfFull(int dirfd) {
    UniqueFd dup(::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dup.valid()) return;
    DIR* d = ::fdopendir(dup.get());
    if (!d) return;
    (void)dup.release();
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n == "." || n == "..") continue;
        names.emplace_back(n);
    }
    ::closedir(d);
    if (names.size() < kSeccompCacheMax) return;
    for (const auto& n : names)
        if (n.ends_with(".bpf") || n.find(".tmp") != std::string::npos) ::unlinkat(dirfd, n.c_str(), 0);
}

}  // namespace

std::string defaultSeccompCacheDir() {
    const char* env = std::getenv("RUNC_CPP_SECCOMP_CACHE");
    if (env && *env) {
        std::string_view v = env;
        if (v == "0" || v == "off" || v == "false") return "";
        if (v.front() == '/') return std::string(v);
    }
    if (::geteuid() == 0) return "/run/runc-cpp-cache/seccomp";
    const char* xdg = std::getenv("XDG_RUNTIME_DIR");
    if (!xdg || xdg[0] != '/') return "";
    return std::string(xdg) + "/runc-cpp-cache/seccomp";
}

std::optional<std::string> seccompCacheKey(const spec::Seccomp& sc) {
    const auto& env = environmentKey();
    if (!env) return std::nullopt;
    return *env + "profile " + spec::toJson(sc) + "\n";
}

Result<SeccompProgram> compileSeccompCached(const spec::Seccomp& sc, const std::string& dir) {
    if (dir.empty() || dir.front() != '/') return compileSeccomp(sc);
    auto key = seccompCacheKey(sc);
    if (!key) return compileSeccomp(sc);
    std::string name = fileName(*key);
    UniqueFd dfd = openDir(dir, false);
    if (dfd.valid())
        if (auto hit = lookup(dfd.get(), name, *key)) return std::move(*hit);
    auto prog = compileSeccomp(sc);
    if (!prog) return prog;
    if (!dfd.valid()) dfd = openDir(dir, true);
    if (dfd.valid()) {
        evictIfFull(dfd.get());
        (void)util::writeFileAtomic(dfd.get(), name.c_str(), serialize(*key, *prog), 0600);
    }
    return prog;
}

}  // namespace lc::security
