// Small, syscall-level helpers for cgroup files: one open/write/close per value, no iostreams.
// Errors name the spec field they serve (when given) and the file, e.g.
// "linux.resources.memory.swap: /sys/fs/cgroup/memory/x/memory.memsw.limit_in_bytes: no such file
// or directory".
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"

namespace lc::cgroups {

// "a" + "/" + "b", without doubling slashes.
std::string joinPath(std::string_view dir, std::string_view name);

// Writes `value` to dir/file with one write(2). `field` ("linux.resources.memory.limit") prefixes
// errors; empty for none.
Result<void> writeFile(std::string_view field, std::string_view dir, std::string_view file,
                       std::string_view value);
// Like writeFile, but a missing file (ENOENT) is reported as `false` instead of an error.
Result<bool> writeFileIfExists(std::string_view field, std::string_view dir, std::string_view file,
                               std::string_view value);
// Opens dir/file once and writes each entry with its own write(2), each followed by '\n' (the
// kernel takes one rule per write; the newline keeps fixture files readable).
Result<void> writeLines(std::string_view field, std::string_view dir, std::string_view file,
                        std::span<const std::string> lines);

// Reads a whole (small) file.
Result<std::string> readFile(const std::string& path);
inline Result<std::string> readFile(std::string_view dir, std::string_view file) {
    return readFile(joinPath(dir, file));
}
bool pathExists(const std::string& path);

std::string_view trim(std::string_view s);
// Parses a decimal unsigned number (surrounding whitespace allowed); "max" gives UINT64_MAX.
std::optional<uint64_t> parseUint(std::string_view s);
// Reads a file holding one number ("max" = UINT64_MAX).
Result<uint64_t> readUint(std::string_view dir, std::string_view file);
// In "key value\n" text (memory.stat, cpu.stat, memory.events), the value of `key`.
std::optional<uint64_t> keyedValue(std::string_view content, std::string_view key);
// Calls f(key, value) for each "key value" line whose value parses as a number.
template <typename F>
void forEachKeyValue(std::string_view content, F&& f) {
    while (!content.empty()) {
        size_t nl = content.find('\n');
        std::string_view line = content.substr(0, nl);
        content = nl == std::string_view::npos ? std::string_view{} : content.substr(nl + 1);
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos) continue;
        if (auto v = parseUint(line.substr(sp + 1))) f(line.substr(0, sp), *v);
    }
}
// Splits on any of `seps`, dropping empty pieces.
std::vector<std::string_view> splitFields(std::string_view s, std::string_view seps = " \t\n");

// mkdir -p (mode 0755). Existing directories are fine.
Result<void> mkdirAll(const std::string& path);
// Removes a cgroup directory and its sub-cgroups, children first. A missing directory is fine;
// EBUSY is retried a few times with short sleeps. (On a plain directory, as in test fixtures,
// the regular files inside are unlinked too; cgroupfs never reports ENOTEMPTY.)
Result<void> removeCgroupTree(const std::string& path);

// The pids listed in dir/cgroup.procs, and (recursive) in every sub-cgroup's.
Result<std::vector<pid_t>> readProcs(const std::string& dir, bool recursive);
// Writes a pid to dir/cgroup.procs, retrying EINVAL briefly (a task still in TASK_NEW).
Result<void> writeProc(const std::string& dir, pid_t pid);

void sleepFor(std::chrono::microseconds d);

}  // namespace lc::cgroups
