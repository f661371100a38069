// LSM fields: refused when the host does not run that LSM; mount label data.
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

TEST_CASE("lsm: apparmorProfile, selinuxLabel and mountLabel are refused without the LSM, naming the value", "[security]") {
    if (apparmorEnabled() || selinuxEnabled()) {
        WARN("SKIP: this host runs AppArmor or SELinux (integration/sysguest covers it)");
        return;
    }
    spec::Spec s;
    s.process.emplace();
    s.process->apparmorProfile = "docker-default";
    auto r = validateLsm(s);
    REQUIRE(!r);
    CHECK(r.error().message().find("apparmor profile \"docker-default\" is specified in config") != std::string::npos);
    CHECK(r.error().message().find("disabled or not supported") != std::string::npos);

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

TEST_CASE("lsm: context= goes on the mounts runc labels", "[security]") {
    const std::string l = "system_u:object_r:svirt_sandbox_file_t:s0:c1,c2";
    CHECK(mountLabelData("mode=755", "tmpfs", l) == "mode=755,context=\"" + l + "\"");
    CHECK(mountLabelData("", "devpts", l) == "context=\"" + l + "\"");
    for (const char* fs : {"proc", "sysfs", "cgroup", "cgroup2", "mqueue", "bind"})
        CHECK(mountLabelData("x", fs, l) == "x");
    CHECK(mountLabelData("size=1m", "tmpfs", "") == "size=1m");
}
