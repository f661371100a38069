// The checks made before a container's cgroup is created (cgroups/checks.h), and exec's
// sub-cgroup paths, on fixture trees.
#include <catch2/catch.hpp>

#include "cgroups/checks.h"
#include "cgroups/paths.h"
#include "fixture.h"

using namespace lc::cgroups;
using cgtest::put;

namespace {

std::string errorOf(const lc::Result<void>& r) { return r ? std::string() : r.error().message(); }

std::unique_ptr<Manager> manager(const Options& o, const std::string& path) {
    auto m = make(o, path, "ctr");
    REQUIRE(m);
    return std::move(*m);
}

}  // namespace

TEST_CASE("checkUnused: a cgroup that does not exist yet, or exists empty, passes", "[cgroups]") {
    cgtest::V1Tree t;
    CHECK(checkUnused(*manager(t.options(), "/new/ctr")));
    t.populate("/ctr");
    CHECK(checkUnused(*manager(t.options(), "/ctr")));
    cgtest::V2Tree v2;
    CHECK(checkUnused(*manager(v2.options(), "/new/ctr")));
    v2.populate("/ctr");
    CHECK(checkUnused(*manager(v2.options(), "/ctr")));
}

TEST_CASE("checkUnused: processes in the cgroup are refused as runc 1.2 does", "[cgroups]") {
    cgtest::V1Tree t;
    t.populate("/ctr");
    put(t.dir("pids") + "/ctr/cgroup.procs", "12\n");
    put(t.dir("pids") + "/ctr/sub/cgroup.procs", "13\n");
    CHECK(errorOf(checkUnused(*manager(t.options(), "/ctr"))) == "container's cgroup is not empty: 2 process(es) found");
    cgtest::V2Tree v2;
    v2.populate("/ctr");
    put(v2.root() + "/ctr/cgroup.procs", "7\n");
    CHECK(errorOf(checkUnused(*manager(v2.options(), "/ctr"))) == "container's cgroup is not empty: 1 process(es) found");
}

TEST_CASE("checkUnused: a frozen cgroup, or one a frozen ancestor would freeze, is refused", "[cgroups]") {
    const std::string frozen = "container's cgroup unexpectedly frozen";
    SECTION("v1: the container's own freezer.state") {
        cgtest::V1Tree t;
        t.populate("/ctr");
        for (const char* st : {"FROZEN\n", "FREEZING\n"}) {
            put(t.dir("freezer") + "/ctr/freezer.state", st);
            CHECK(errorOf(checkUnused(*manager(t.options(), "/ctr"))) == frozen);
        }
        put(t.dir("freezer") + "/ctr/freezer.state", "THAWED\n");
        CHECK(checkUnused(*manager(t.options(), "/ctr")));
    }
    SECTION("v1: not made yet, under a frozen parent") {
        cgtest::V1Tree t;
        t.populate("/pod");
        put(t.dir("freezer") + "/pod/freezer.state", "FROZEN\n");
        auto m = manager(t.options(), "/pod/a/ctr");
        CHECK(*m->joinWouldFreeze());
        CHECK(errorOf(checkUnused(*m)) == frozen);
        CHECK_FALSE(*m->isFrozen());  // not paused by us
    }
    SECTION("hybrid: the unified hierarchy's cgroup.freeze counts too") {
        cgtest::V1Tree t(true);
        t.populate("/ctr");
        put(t.root() + "/unified/ctr/cgroup.freeze", "1\n");
        CHECK(errorOf(checkUnused(*manager(t.options(), "/ctr"))) == frozen);
        put(t.root() + "/unified/ctr/cgroup.freeze", "0\n");
        CHECK(checkUnused(*manager(t.options(), "/ctr")));
    }
    SECTION("v2: cgroup.freeze of the cgroup or of any ancestor") {
        cgtest::V2Tree t;
        t.populate("/pod");
        t.populate("/pod/ctr");
        auto m = manager(t.options(), "/pod/ctr");
        CHECK_FALSE(*m->joinWouldFreeze());
        put(t.root() + "/pod/ctr/cgroup.freeze", "1\n");
        CHECK(errorOf(checkUnused(*m)) == frozen);
        put(t.root() + "/pod/ctr/cgroup.freeze", "0\n");
        put(t.root() + "/pod/cgroup.freeze", "1\n");
        CHECK(errorOf(checkUnused(*m)) == frozen);
        CHECK(errorOf(checkUnused(*manager(t.options(), "/pod/new/ctr"))) == frozen);
    }
}

TEST_CASE("validateResources: unified needs a cgroup v2 only host", "[cgroups]") {
    spec::Linux l;
    l.resources = spec::Resources{};
    cgtest::V1Tree v1;
    cgtest::V1Tree hybrid(true);
    cgtest::V2Tree v2;
    // no unified keys: nothing to check, whatever the host
    for (const Options& o : {v1.options(), hybrid.options(), v2.options()}) CHECK(validateResources(o, l));
    l.resources->unified["hugetlb.2MB.max"] = "1";
    CHECK(errorOf(validateResources(v1.options(), l)) == "invalid configuration: cannot use unified on cgroup v1");
    CHECK(errorOf(validateResources(hybrid.options(), l)) == "invalid configuration: cannot use unified on cgroup v1");
    CHECK(validateResources(v2.options(), l));
}

TEST_CASE("subCgroupPath: below the container's cgroup only, in runc's words", "[cgroups]") {
    CHECK(*subCgroupPath("") == "");
    CHECK(*subCgroupPath("/") == "");
    CHECK(*subCgroupPath("a") == "a");
    CHECK(*subCgroupPath("/a//b/./c/") == "a/b/c");
    CHECK(*subCgroupPath("a/../b") == "b");
    for (const char* bad : {"..", "../..", "a/../..", "/../x"}) {
        auto r = subCgroupPath(bad);
        INFO(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message() == std::string(bad) + " is not a sub cgroup path");
    }
}
