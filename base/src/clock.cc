#include "base/clock.h"

#include <sys/wait.h>
#include <time.h>

#include <chrono>
#include <cstdio>

namespace lc {

int64_t nowNs() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

namespace {
// UTC from the day count with <chrono>'s calendar: gmtime_r would make glibc read
// /etc/localtime once per process (tzset), only to format a UTC time.
std::string format(int64_t ns, bool withNanos) {
    using namespace std::chrono;
    constexpr int64_t kNs = 1000000000, kDay = 86400;
    int64_t sec = ns / kNs, frac = ns % kNs;
    if (frac < 0) {
        frac += kNs;
        --sec;
    }
    int64_t day = sec / kDay, tod = sec % kDay;
    if (tod < 0) {
        tod += kDay;
        --day;
    }
    const year_month_day ymd{sys_days{days{day}}};
    const int y = static_cast<int>(ymd.year());
    const unsigned mo = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
    const int h = static_cast<int>(tod / 3600), mi = static_cast<int>(tod % 3600 / 60), se = static_cast<int>(tod % 60);
    char buf[64];
    if (withNanos)
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%09lldZ", y, mo, d, h, mi, se,
                      static_cast<long long>(frac));
    else
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, mo, d, h, mi, se);
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
