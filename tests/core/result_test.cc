// lc::Result and its helpers (libcontainer/error.h): the value/error paths of LC_TRY,
// LC_TRY_CTX and LC_TRY_ASSIGN, and the message wording callers match on. That a dropped
// Result fails the build is checked by meson.build at configure time.
#include <fcntl.h>

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "libcontainer/error.h"

namespace {

lc::Result<int> number(bool ok) {
    if (!ok) return lc::fail(EINVAL, "no number");
    return 42;
}

lc::Result<std::unique_ptr<int>> boxed(bool ok) {
    if (!ok) return lc::errnoError("open /nowhere", ENOENT);
    return std::make_unique<int>(7);
}

lc::Result<int> sum(bool a, bool b) {
    LC_TRY_ASSIGN(int x, number(a));
    LC_TRY_ASSIGN(auto p, boxed(b));  // move-only values are moved out
    return x + *p;
}

lc::Result<void> chained(bool ok) {
    LC_TRY_CTX(number(ok), "create c1");
    return {};
}

lc::Result<void> plain(bool ok) {
    LC_TRY(boxed(ok));
    return {};
}

}  // namespace

TEST_CASE("LC_TRY_ASSIGN declares from the value or returns the error", "[core][result]") {
    auto ok = sum(true, true);
    REQUIRE(ok);
    CHECK(*ok == 49);
    auto first = sum(false, true);
    REQUIRE_FALSE(first);
    CHECK(first.error().message() == "no number");
    CHECK(first.error().errnum() == EINVAL);
    auto second = sum(true, false);
    REQUIRE_FALSE(second);
    CHECK(second.error().message() == "open /nowhere: no such file or directory");
}

TEST_CASE("LC_TRY and LC_TRY_CTX propagate, adding context", "[core][result]") {
    CHECK(chained(true));
    auto e = chained(false);
    REQUIRE_FALSE(e);
    CHECK(e.error().message() == "create c1: no number");
    CHECK(plain(true));
    CHECK(plain(false).error().errnum() == ENOENT);
}

TEST_CASE("Result converts from std::expected and back", "[core][result]") {
    std::expected<int, lc::Error> raw = 5;
    lc::Result<int> r = raw;
    CHECK(*r == 5);
    std::expected<int, lc::Error>& base = r;
    CHECK(base.value() == 5);
    lc::Result<void> none = lc::fail("gone");
    CHECK(none.error().message() == "gone");
}
