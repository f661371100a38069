// The file helpers of the whole tree (all fds O_CLOEXEC, errors name the path).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace lc::util {

Result<UniqueFd> openFile(const std::string& path, int flags, mode_t mode = 0);
Result<std::string> readFile(const std::string& path);
Result<std::string> readFileAt(int dirfd, const char* name);
// Writes the whole buffer to an already open fd (retries short writes and EINTR).
Result<void> writeAll(int fd, std::string_view data, const std::string& what);
// Opens (O_WRONLY|O_TRUNC, no create) and writes; for /proc and cgroup files.
Result<void> writeFile(const std::string& path, std::string_view data);
// Writes to a temp file in the same directory (created with `mode`, under the umask, as runc
// creates its pid file), fsyncs nothing (state is in tmpfs), renames.
Result<void> writeFileAtomic(int dirfd, const char* name, std::string_view data, mode_t mode = 0600);
Result<void> writeFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// mkdir -p with the given mode; existing dirs are fine.
Result<void> mkdirAll(const std::string& path, mode_t mode);
// rm -rf of a directory tree (no symlink following); missing is fine.
Result<void> removeAll(const std::string& path);

}  // namespace lc::util
