// base/clock.h: the tree's one RFC 3339 formatter and wait-status exit code.
#include <sys/wait.h>

#include <cstdio>
#include <ctime>

#include <catch2/catch.hpp>

#include "base/clock.h"

TEST_CASE("rfc3339Nano and rfc3339Seconds: UTC, fixed digits, negative nanoseconds borrow", "[core]") {
    CHECK(lc::rfc3339Nano(1700000000123456789LL) == "2023-11-14T22:13:20.123456789Z");
    CHECK(lc::rfc3339Nano(5) == "1970-01-01T00:00:00.000000005Z");
    CHECK(lc::rfc3339Nano(-1) == "1969-12-31T23:59:59.999999999Z");
    CHECK(lc::rfc3339Seconds(1700000000999999999LL) == "2023-11-14T22:13:20Z");
    int64_t a = lc::nowNs();
    CHECK(a > 1700000000000000000LL);
    CHECK(lc::nowRfc3339().size() == 30);
}

TEST_CASE("exitCodeOf: the code, 128 + the signal, 255 otherwise", "[core]") {
    CHECK(lc::exitCodeOf(W_EXITCODE(0, 0)) == 0);
    CHECK(lc::exitCodeOf(W_EXITCODE(42, 0)) == 42);
    CHECK(lc::exitCodeOf(W_EXITCODE(0, SIGKILL)) == 137);
    CHECK(lc::exitCodeOf(W_STOPCODE(SIGSTOP)) == 255);
}

TEST_CASE("rfc3339: the calendar matches gmtime_r across leap years and centuries", "[core]") {
    // 1900-03-01 .. 2200-01-01 in steps of a little over a day (every hour of the day is hit)
    for (int64_t sec = -2203891200LL; sec < 7258118400LL; sec += 86400 * 7 + 3671) {
        time_t t = static_cast<time_t>(sec);
        tm g{};
        REQUIRE(::gmtime_r(&t, &g) != nullptr);
        char want[40];
        std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", g.tm_year + 1900, g.tm_mon + 1, g.tm_mday,
                      g.tm_hour, g.tm_min, g.tm_sec);
        REQUIRE(lc::rfc3339Seconds(sec * 1000000000LL) == want);
    }
}
