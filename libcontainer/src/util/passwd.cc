#include "libcontainer/passwd.h"

#include <charconv>

#include "util/fileutil.h"

namespace lc {
namespace {

std::optional<uint32_t> parseId(std::string_view s) {
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<PasswdEntry> findPasswdEntry(std::string_view text, uint32_t uid) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        std::string_view f[7];
        size_t n = 0, start = 0;
        for (size_t i = 0; i <= line.size() && n < 7; ++i)
            if (i == line.size() || line[i] == ':') f[n++] = line.substr(start, i - start), start = i + 1;
        if (n < 7) continue;
        auto u = parseId(f[2]);
        auto g = parseId(f[3]);
        if (!u || !g || *u != uid) continue;
        return PasswdEntry{std::string(f[0]), *u, *g, std::string(f[5]), std::string(f[6])};
    }
    return std::nullopt;
}

std::optional<PasswdEntry> lookupPasswdUid(const std::string& path, uint32_t uid) {
    auto text = util::readFile(path);
    if (!text) return std::nullopt;
    return findPasswdEntry(*text, uid);
}

}  // namespace lc
