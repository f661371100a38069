// /etc/passwd lookups without NSS: the runtime reads the container's own file (and the CLI,
// a static binary, reads the host's), so glibc's getpwuid() is never the right tool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lc {

struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string home;
    std::string shell;
};

// The first entry for `uid` in text of /etc/passwd format (name:pw:uid:gid:gecos:home:shell).
// Lines that are short or carry a non-numeric id are skipped, as Go's os/user does.
std::optional<PasswdEntry> findPasswdEntry(std::string_view passwdText, uint32_t uid);

// findPasswdEntry over the file at `path`; nullopt when it cannot be read.
std::optional<PasswdEntry> lookupPasswdUid(const std::string& path, uint32_t uid);

}  // namespace lc
