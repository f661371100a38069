#include "user.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <optional>
#include <sstream>
#include <vector>

#include "libcontainer/unique_fd.h"

namespace mgr {
namespace {

// runc's range: (uid_t)-1 means "unchanged" to the set*id calls
std::optional<uint32_t> parseId(const std::string& s) {
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 2147483647u) return std::nullopt;
    return v;
}

// /etc/<file> of the rootfs, resolved inside it (symlinks and .. cannot leave it).
std::string readInRoot(const std::string& rootfs, const char* rel) {
    lc::UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return {};
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    lc::UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root.get(), rel, &how, sizeof how)));
    if (!fd) return {};
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0 && out.size() < (4u << 20);) out.append(buf, static_cast<size_t>(n));
    return out;
}

// The fields of the first line whose field `key` (0: name, 2: id) equals `value`.
std::optional<std::vector<std::string>> findEntry(const std::string& text, size_t key, const std::string& value) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::string cur;
        for (char c : line) {
            if (c == ':') {
                f.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        f.push_back(cur);
        if (f.size() >= 3 && f[key] == value) return f;
    }
    return std::nullopt;
}

}  // namespace

lc::Result<UserIds> resolveUser(const std::string& rootfs, const std::string& spec) {
    if (spec.empty()) return UserIds{};
    auto colon = spec.find(':');
    std::string user = spec.substr(0, colon);
    std::string group = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (user.empty()) return lc::fail(EINVAL, "invalid user \"" + spec + "\"");
    UserIds ids;
    std::string passwd = readInRoot(rootfs, "etc/passwd");
    if (auto n = parseId(user)) {
        ids.uid = *n;
        if (auto e = findEntry(passwd, 2, user); e && e->size() >= 4) {
            if (auto g = parseId((*e)[3])) ids.gid = *g;
        }
    } else if (user.find_first_not_of("0123456789") == std::string::npos) {
        return lc::fail(EINVAL, "invalid user \"" + spec + "\": uid out of range (0-2147483647)");
    } else {
        auto e = findEntry(passwd, 0, user);
        if (!e || e->size() < 4) return lc::fail(ENOENT, "unable to find user " + user + ": no matching entries in passwd file");
        auto u = parseId((*e)[2]);
        auto g = parseId((*e)[3]);
        if (!u || !g) return lc::fail(EINVAL, "unable to find user " + user + ": bad passwd entry");
        ids.uid = *u;
        ids.gid = *g;
    }
    if (!group.empty()) {
        if (auto n = parseId(group)) {
            ids.gid = *n;
        } else if (group.find_first_not_of("0123456789") == std::string::npos) {
            return lc::fail(EINVAL, "invalid group \"" + group + "\": gid out of range (0-2147483647)");
        } else {
            auto e = findEntry(readInRoot(rootfs, "etc/group"), 0, group);
            auto g = e ? parseId((*e)[2]) : std::nullopt;
            if (!g) return lc::fail(ENOENT, "unable to find group " + group + ": no matching entries in group file");
            ids.gid = *g;
        }
    }
    return ids;
}

}  // namespace mgr
