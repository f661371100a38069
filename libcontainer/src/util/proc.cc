#include "util/proc.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace lc::util {

Result<ProcStat> parseProcStat(const char* text) {
    const char* close = std::strrchr(text, ')');
    if (!close || close[1] != ' ') return fail(EINVAL, "malformed /proc stat line");
    const char* p = close + 2;
    ProcStat st;
    st.state = *p;
    // Fields after comm start at field 3 (state); start time is field 22.
    for (int field = 3; field < 22; ++field) {
        p = std::strchr(p, ' ');
        if (!p) return fail(EINVAL, "short /proc stat line");
        ++p;
    }
    char* end = nullptr;
    st.startTime = std::strtoull(p, &end, 10);
    if (end == p) return fail(EINVAL, "malformed start time in /proc stat line");
    return st;
}

Result<ProcStat> readProcStat(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errnoError(path);
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    int err = errno;
    ::close(fd);
    if (n <= 0) return errnoError(path, n < 0 ? err : ESRCH);
    buf[n] = '\0';
    return parseProcStat(buf);
}

}  // namespace lc::util
