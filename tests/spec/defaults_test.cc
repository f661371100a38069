// spec/ defaultSpec(): the config `runc spec` writes, and its rootless variant.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "spec/defaults.h"
#include "spec/json.h"
#include "spec_test_util.h"

namespace {

bool hasNamespace(const spec::Spec& s, const std::string& type) {
    const auto& ns = s.linux->namespaces;
    return std::any_of(ns.begin(), ns.end(), [&](const auto& n) { return n.type == type; });
}

const spec::Mount* findMount(const spec::Spec& s, const std::string& dest) {
    for (const auto& m : s.mounts)
        if (m.destination == dest) return &m;
    return nullptr;
}

}  // namespace

TEST_CASE("default spec", "[spec]") {
    spec::Spec s = spec::defaultSpec(false);
    CHECK(s.ociVersion == "1.2.0");
    CHECK(s.process->terminal);
    CHECK(s.process->args == std::vector<std::string>{"sh"});
    CHECK(s.process->env.size() == 2);
    CHECK(s.process->cwd == "/");
    const auto& caps = *s.process->capabilities;
    std::vector<std::string> want = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    CHECK(caps.bounding == want);
    CHECK(caps.effective == want);
    CHECK(caps.permitted == want);
    CHECK(caps.inheritable.empty());
    CHECK(caps.ambient.empty());
    REQUIRE(s.process->rlimits.size() == 1);
    CHECK(s.process->rlimits[0].hard == 1024);
    CHECK(s.process->noNewPrivileges);
    CHECK(s.root->path == "rootfs");
    CHECK(s.root->readonly);
    CHECK(s.hostname == "runc");
    CHECK(s.mounts.size() == 7);
    CHECK(findMount(s, "/sys")->type == "sysfs");
    CHECK(findMount(s, "/sys/fs/cgroup")->type == "cgroup");
    CHECK(findMount(s, "/dev/pts")->options.back() == "gid=5");
    REQUIRE(s.linux->resources);
    REQUIRE(s.linux->resources->devices.size() == 1);
    CHECK_FALSE(s.linux->resources->devices[0].allow);
    CHECK(s.linux->resources->devices[0].access == "rwm");
    CHECK(s.linux->namespaces.size() == 5);  // runc 1.1 on a cgroup v1 host: no cgroup ns
    for (const char* t : {"pid", "network", "ipc", "uts", "mount"}) CHECK(hasNamespace(s, t));
    CHECK_FALSE(hasNamespace(s, "cgroup"));
    CHECK_FALSE(hasNamespace(s, "user"));
    CHECK(s.linux->uidMappings.empty());
    CHECK(std::count(s.linux->maskedPaths.begin(), s.linux->maskedPaths.end(), "/proc/kcore") == 1);
    CHECK(std::count(s.linux->readonlyPaths.begin(), s.linux->readonlyPaths.end(), "/proc/sys") == 1);
    CHECK(spec::validate(s).has_value());
}

TEST_CASE("rootless default spec", "[spec]") {
    spec::Spec s = spec::defaultSpec(true);
    CHECK(hasNamespace(s, "user"));
    CHECK_FALSE(hasNamespace(s, "network"));
    CHECK(hasNamespace(s, "pid"));
    REQUIRE(s.linux->uidMappings.size() == 1);
    CHECK(s.linux->uidMappings[0].containerID == 0);
    CHECK(s.linux->uidMappings[0].hostID == ::geteuid());
    CHECK(s.linux->uidMappings[0].size == 1);
    REQUIRE(s.linux->gidMappings.size() == 1);
    CHECK(s.linux->gidMappings[0].hostID == ::getegid());
    CHECK_FALSE(s.linux->resources);
    const spec::Mount* sys = findMount(s, "/sys");
    REQUIRE(sys);
    CHECK(sys->type == "none");
    CHECK(sys->source == "/sys");
    CHECK(sys->options.front() == "rbind");
    for (const auto& m : s.mounts)
        for (const auto& o : m.options) {
            CHECK_FALSE(o.starts_with("gid="));
            CHECK_FALSE(o.starts_with("uid="));
        }
    CHECK(spec::validate(s).has_value());
}

TEST_CASE("runc spec output is stable", "[spec]") {
    // The golden file is the pretty output of defaultSpec(false): tab-indented like runc's.
    std::string out = spec::toJson(spec::defaultSpec(false), true);
    CHECK(out == spec_test::readData("spec/runc-spec.json"));
    auto back = spec::parseSpec(out);
    REQUIRE(back);
    CHECK(spec::toJson(*back, true) == out);
}
