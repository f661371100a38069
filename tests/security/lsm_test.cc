// LSM fields: refused, since this build applies neither AppArmor nor SELinux.
#include <string>

#include <catch2/catch.hpp>

#include "security/lsm.h"

using namespace lc;
using namespace lc::security;

TEST_CASE("lsm: no LSM fields is fine", "[security]") {
    spec::Spec s;
    s.process.emplace();
    s.linux.emplace();
    CHECK(validateLsm(s));
    CHECK(validateLsm(*s.process));
}

TEST_CASE("lsm: apparmorProfile, selinuxLabel and mountLabel are refused, naming the value", "[security]") {
    spec::Spec s;
    s.process.emplace();
    s.process->apparmorProfile = "docker-default";
    auto r = validateLsm(s);
    REQUIRE(!r);
    CHECK(r.error().message().find("apparmor profile \"docker-default\" is specified in config") != std::string::npos);
    if (!apparmorEnabled()) CHECK(r.error().message().find("disabled or not supported") != std::string::npos);

    s.process->apparmorProfile.clear();
    s.process->selinuxLabel = "system_u:system_r:container_t:s0";
    r = validateLsm(*s.process);
    REQUIRE(!r);
    CHECK(r.error().message().find("selinux label \"system_u:system_r:container_t:s0\"") != std::string::npos);

    s.process->selinuxLabel.clear();
    s.linux.emplace();
    s.linux->mountLabel = "system_u:object_r:container_file_t:s0";
    r = validateLsm(s);
    REQUIRE(!r);
    CHECK(r.error().message().find("mount label") != std::string::npos);
    CHECK(validateLsm(*s.process));  // the process alone has none
}
