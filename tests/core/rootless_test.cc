// The CLI's --rootless decision (runc-cpp/rootless.cc) as runc 1.1 makes it, including root in
// a user namespace with --systemd-cgroup, where the owner of the user's systemd decides.
#include <catch2/catch.hpp>

#include "../../runc-cpp/rootless.h"

using cli::RootlessInputs;
using cli::rootlessCgroups;

namespace {

int asked = 0;
lc::Result<uid_t> ownerUser() { return ++asked, uid_t{1000}; }
lc::Result<uid_t> ownerRoot() { return ++asked, uid_t{0}; }
lc::Result<uid_t> noUserManager() { return ++asked, lc::fail(ENOENT, "no user manager"); }

bool decide(const std::string& v, RootlessInputs in) {
    auto r = rootlessCgroups(v, in);
    REQUIRE(r);
    return *r;
}

}  // namespace

TEST_CASE("--rootless: explicit values and auto as runc decides them", "[core][rootless]") {
    RootlessInputs root{0, false, false, nullptr};
    RootlessInputs user{1000, false, false, nullptr};
    for (const char* t : {"true", "1", "t", "TRUE", "True"}) CHECK(decide(t, root));
    for (const char* f : {"false", "0", "f", "FALSE", "False"}) CHECK_FALSE(decide(f, user));
    CHECK(decide("auto", user));
    CHECK(decide("", user));
    CHECK_FALSE(decide("auto", root));
    CHECK(decide("AUTO", RootlessInputs{0, true, false, nullptr}));  // root in a userns, cgroupfs
    auto bad = rootlessCgroups("maybe", root);
    REQUIRE(!bad);
    CHECK(bad.error().message() == "strconv.ParseBool: parsing \"maybe\": invalid syntax");
}

TEST_CASE("--rootless auto, root in a user namespace, --systemd-cgroup: the user manager's owner decides", "[core][rootless]") {
    asked = 0;
    CHECK(decide("auto", RootlessInputs{0, true, true, ownerUser}));
    CHECK_FALSE(decide("auto", RootlessInputs{0, true, true, ownerRoot}));  // a rootful systemd in the userns
    CHECK_FALSE(decide("auto", RootlessInputs{0, true, true, noUserManager}));  // runc: assumed 0
    CHECK(asked == 3);
    // not asked when it cannot matter: a non-root euid, real root, an explicit value, cgroupfs
    asked = 0;
    CHECK(decide("auto", RootlessInputs{1000, false, true, ownerRoot}));
    CHECK_FALSE(decide("auto", RootlessInputs{0, false, true, ownerUser}));
    CHECK_FALSE(decide("false", RootlessInputs{0, true, true, ownerUser}));
    CHECK(decide("auto", RootlessInputs{0, true, false, ownerRoot}));
    CHECK(asked == 0);
    // without asking (commands that create nothing): not rootless
    CHECK_FALSE(decide("auto", RootlessInputs{0, true, true, nullptr}));
}
