#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "state/store.h"
#include "util/fileutil.h"

using namespace lc::state;

namespace {
struct TempRoot {
    std::string path;
    TempRoot() {
        char tmpl[] = "/tmp/rcpp-store-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempRoot() { (void)lc::util::removeAll(path); }
};
}  // namespace

TEST_CASE("container ids are checked as runc checks them", "[core][store]") {
    CHECK(validateId("abc-1_2.3+x"));
    CHECK_FALSE(validateId(""));
    CHECK_FALSE(validateId("a/b"));
    CHECK_FALSE(validateId(".."));
    CHECK_FALSE(validateId("."));
    CHECK_FALSE(validateId("a b"));
    CHECK_FALSE(validateId("x\n"));
    CHECK(validateId("").error().message() == "container id cannot be empty");
}

TEST_CASE("the store creates, locks, lists and removes container dirs", "[core][store]") {
    TempRoot t;
    Store s(t.path + "/nested/root");
    {
        auto d = s.create("one");
        REQUIRE(d);
        CHECK(Store::isLocked(*d));
        auto dup = s.create("one");
        REQUIRE_FALSE(dup);
        CHECK(dup.error().errnum() == EEXIST);
        Record r;
        r.id = "one";
        r.pid = 1;
        REQUIRE(d->writeRecord(r));
        auto back = d->readRecord();
        REQUIRE(back);
        CHECK(back->pid == 1);
    }
    REQUIRE(s.create("two"));
    auto ids = s.list();
    REQUIRE(ids);
    CHECK(*ids == std::vector<std::string>{"one", "two"});
    auto missing = s.lock("three");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message() == "container does not exist");
    auto d = s.lock("one");
    REQUIRE(d);
    REQUIRE(d->remove());
    CHECK(s.list()->size() == 1);
    // Someone holding the lock of a dir removed meanwhile sees it as gone.
    auto two = s.open("two");
    REQUIRE(two);
    REQUIRE(two->remove());
    CHECK_FALSE(s.lock("two"));
}

TEST_CASE("a listing of a root that does not exist is empty", "[core][store]") {
    Store s("/nonexistent/rcpp-root");
    auto ids = s.list();
    REQUIRE(ids);
    CHECK(ids->empty());
}
