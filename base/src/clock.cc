#include "base/clock.h"

#include <sys/wait.h>
#include <time.h>

#include <cstdio>

namespace lc {

int64_t nowNs() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

namespace {
std::string format(int64_t ns, bool withNanos) {
    int64_t sec = ns / 1000000000, frac = ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        --sec;
    }
    auto secs = static_cast<time_t>(sec);
    tm t{};
    ::gmtime_r(&secs, &t);
    char buf[64];
    if (withNanos)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", t.tm_year + 1900, t.tm_mon + 1,
                      t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, static_cast<long long>(frac));
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.tm_year + 1900, t.tm_mon + 1,
                      t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
    return buf;
}
}  // namespace

std::string rfc3339Nano(int64_t ns) { return format(ns, true); }
std::string rfc3339Seconds(int64_t ns) { return format(ns, false); }

int exitCodeOf(int st) {
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 255;
}

}  // namespace lc
