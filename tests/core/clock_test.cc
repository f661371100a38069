// base/clock.h: the tree's one RFC 3339 formatter and wait-status exit code.
#include <sys/wait.h>

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
