#include "security/leaks.h"

#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

namespace lc::security {

Result<void> closeInheritedFds(int from, std::initializer_list<int> keep, sys::ProcessCalls& sc) {
    if (from < 0) from = 0;
    // Sorted copy of the fds to keep that lie in range (no allocation: at most 16).
    std::array<int, 16> k{};
    size_t n = 0;
    for (int fd : keep) {
        if (fd < from) continue;
        if (n == k.size()) return fail(EINVAL, "close inherited fds: too many fds to keep");
        k[n++] = fd;
    }
    std::sort(k.begin(), k.begin() + static_cast<long>(n));
    unsigned lo = static_cast<unsigned>(from);
    for (size_t i = 0; i < n; ++i) {
        unsigned fd = static_cast<unsigned>(k[i]);
        if (fd > lo && sc.closeRange(lo, fd - 1, 0) < 0) return errnoError("close inherited fds");
        lo = fd + 1;
    }
    if (sc.closeRange(lo, ~0U, 0) < 0) return errnoError("close inherited fds");
    return {};
}

Result<void> checkCwdInsideRoot(const std::string& cwd) {
    char buf[PATH_MAX];
    // The raw system call: the kernel prefixes a path outside our root with "(unreachable)".
    long n = ::syscall(SYS_getcwd, buf, sizeof buf);
    if (n < 0) return errnoError("check cwd (\"" + cwd + "\")");
    if (buf[0] != '/')
        return fail(EPERM, "cwd (\"" + cwd + "\") set in config.json is outside the container's root");
    return {};
}

}  // namespace lc::security
