// Capability name mapping and planning (no privileges needed).
#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "security/security.h"

using namespace lc::security;

namespace {

const std::vector<std::string> kDockerCaps = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",  "CAP_FOWNER",           "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",  "CAP_SETFCAP",          "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
};
constexpr uint64_t kDockerMask = 0xa80425fbULL;  // the familiar CapBnd of a docker container

struct CapTextFree {
    void operator()(char* p) const noexcept { cap_free(p); }
};

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

TEST_CASE("capability names map to their numbers", "[security]") {
    CHECK(capabilityFromName("CAP_CHOWN") == 0);
    CHECK(capabilityFromName("CAP_SYS_ADMIN") == 21);
    CHECK(capabilityFromName("CAP_AUDIT_WRITE") == 29);
    CHECK(capabilityFromName("CAP_CHECKPOINT_RESTORE") == 40);
    CHECK_FALSE(capabilityFromName("CAP_FOO"));
    CHECK_FALSE(capabilityFromName("cap_chown"));  // config.json spells them upper case
    CHECK_FALSE(capabilityFromName("CHOWN"));
    CHECK_FALSE(capabilityFromName("0"));
    CHECK(capabilityName(21) == "CAP_SYS_ADMIN");
    CHECK(capabilityName(64).empty());
    CHECK(capabilityName(-1).empty());
}

TEST_CASE("capability table agrees with libcap", "[security]") {
    auto known = knownCapabilities();
    REQUIRE(known.size() == 41);
    CHECK(known.front() == "CAP_CHOWN");
    CHECK(known.back() == "CAP_CHECKPOINT_RESTORE");
    int libcapLast = std::min<int>(CAP_LAST_CAP, static_cast<int>(known.size()) - 1);
    for (int cap = 0; cap <= libcapLast; ++cap) {
        std::unique_ptr<char, CapTextFree> name(cap_to_name(static_cast<cap_value_t>(cap)));
        REQUIRE(name);
        INFO("cap " << cap);
        CHECK(upper(name.get()) == known[static_cast<size_t>(cap)]);
        CHECK(capabilityFromName(known[static_cast<size_t>(cap)]) == cap);
    }
}

TEST_CASE("kernelLastCap reads the running kernel", "[security]") {
    int last = kernelLastCap();
    CHECK(last >= 36);  // every kernel this runs on has CAP_AUDIT_READ
    CHECK(last < 64);
    std::ifstream f("/proc/sys/kernel/cap_last_cap");
    int fromProc = -1;
    if (f >> fromProc) CHECK(last == fromProc);
}

TEST_CASE("docker's capability list plans to the docker mask", "[security]") {
    spec::Capabilities caps;
    caps.bounding = caps.effective = caps.permitted = kDockerCaps;
    std::vector<std::string> warnings;
    auto plan = planCapabilities(caps, &warnings);
    REQUIRE(plan);
    CHECK(warnings.empty());
    CHECK(plan->bounding == kDockerMask);
    CHECK(plan->effective == kDockerMask);
    CHECK(plan->permitted == kDockerMask);
    CHECK(plan->inheritable == 0);
    CHECK(plan->ambient == 0);
    CHECK(plan->lastCap == kernelLastCap());
}

TEST_CASE("unknown capability names are dropped with one warning each", "[security]") {
    spec::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_FOO", "cap_kill"};
    caps.effective = {"CAP_FOO", "CAP_CHOWN"};
    caps.permitted = {"CAP_CHOWN", "CAP_BAR"};
    std::vector<std::string> warnings;
    auto plan = planCapabilities(caps, &warnings);
    REQUIRE(plan);
    CHECK(plan->bounding == 1);
    CHECK(plan->effective == 1);
    CHECK(plan->permitted == 1);
    REQUIRE(warnings.size() == 3);
    CHECK(warnings[0] == "unknown capability \"CAP_FOO\" ignored");
    CHECK(warnings[1] == "unknown capability \"cap_kill\" ignored");
    CHECK(warnings[2] == "unknown capability \"CAP_BAR\" ignored");
    // A null warnings vector is allowed.
    CHECK(planCapabilities(caps, nullptr));
}

TEST_CASE("an empty capability config plans to nothing", "[security]") {
    auto plan = planCapabilities(spec::Capabilities{}, nullptr);
    REQUIRE(plan);
    CHECK(plan->bounding == 0);
    CHECK(plan->effective == 0);
    CHECK(plan->permitted == 0);
    CHECK(plan->inheritable == 0);
    CHECK(plan->ambient == 0);
}

TEST_CASE("effective caps outside permitted are refused early", "[security]") {
    spec::Capabilities caps;
    caps.bounding = caps.effective = {"CAP_CHOWN", "CAP_KILL"};
    caps.permitted = {"CAP_CHOWN"};
    auto plan = planCapabilities(caps, nullptr);
    REQUIRE_FALSE(plan);
    CHECK(plan.error().message().find("process.capabilities.effective") != std::string::npos);
    CHECK(plan.error().message().find("CAP_KILL") != std::string::npos);
}

TEST_CASE("ambient caps need permitted and inheritable", "[security]") {
    spec::Capabilities caps;
    caps.bounding = caps.permitted = caps.effective = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"};
    caps.inheritable = {"CAP_CHOWN", "CAP_KILL"};
    caps.ambient = {"CAP_CHOWN", "CAP_NET_RAW"};
    std::vector<std::string> warnings, notes;
    auto plan = planCapabilities(caps, &warnings, &notes);
    REQUIRE(plan);
    CHECK(plan->ambient == 1);  // CAP_CHOWN only
    CHECK(warnings.empty());    // runc is silent here: a debug-level note only
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("CAP_NET_RAW") != std::string::npos);
    CHECK(notes[0].find("ambient") != std::string::npos);
}
