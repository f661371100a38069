// linux.sysctl validation (runc's rules): namespaced keys only, in a namespace of the container.
#include <string>

#include <catch2/catch.hpp>

#include "security/sysctl.h"

using namespace lc;
using namespace lc::security;

namespace {

spec::Spec specWith(std::initializer_list<spec::Namespace> ns, std::map<std::string, std::string> sysctl) {
    spec::Spec s;
    s.linux.emplace();
    s.linux->namespaces = ns;
    s.linux->sysctl = std::move(sysctl);
    return s;
}

// No namespace path is the host's.
Result<bool> neverHost(const std::string&) { return false; }
Result<bool> alwaysHost(const std::string&) { return true; }

std::string errorOf(const Result<void>& r) { return r ? std::string() : r.error().message(); }

}  // namespace

TEST_CASE("sysctl: no linux section or no sysctls is fine", "[security]") {
    spec::Spec s;
    CHECK(validateSysctlsWith(s, neverHost));
    CHECK(validateSysctlsWith(specWith({}, {}), neverHost));
}

TEST_CASE("sysctl: ipc keys need an ipc namespace", "[security]") {
    for (const char* key : {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                            "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.msg_max"}) {
        INFO(key);
        CHECK(validateSysctlsWith(specWith({{"ipc", ""}}, {{key, "1"}}), neverHost));
        CHECK(validateSysctlsWith(specWith({{"ipc", "/proc/77/ns/ipc"}}, {{key, "1"}}), neverHost));
        std::string e = errorOf(validateSysctlsWith(specWith({{"network", ""}, {"uts", ""}}, {{key, "1"}}), neverHost));
        CHECK(e.find(std::string("\"") + key + "\"") != std::string::npos);
        CHECK(e.find("ipc namespace") != std::string::npos);
    }
}

TEST_CASE("sysctl: ipc-looking keys that runc does not allow are refused", "[security]") {
    for (const char* key : {"kernel.msg_next_id", "kernel.shm_next_id", "fs.mqueue.", "fs.mqueuex"}) {
        INFO(key);
        std::string e = errorOf(validateSysctlsWith(specWith({{"ipc", ""}}, {{key, "1"}}), neverHost));
        CHECK(e.find("is not allowed") != std::string::npos);
    }
}

TEST_CASE("sysctl: net keys need a network namespace that is not the host's", "[security]") {
    const std::map<std::string, std::string> fwd = {{"net.ipv4.ip_forward", "1"}};
    CHECK(validateSysctlsWith(specWith({{"network", ""}}, fwd), alwaysHost));  // new: never asked
    CHECK(validateSysctlsWith(specWith({{"network", "/run/netns/a"}}, fwd), neverHost));

    std::string e = errorOf(validateSysctlsWith(specWith({{"ipc", ""}}, fwd), neverHost));
    CHECK(e.find("\"net.ipv4.ip_forward\" needs a network namespace") != std::string::npos);

    e = errorOf(validateSysctlsWith(specWith({{"network", "/proc/1/ns/net"}}, fwd), alwaysHost));
    CHECK(e.find("host's network namespace (/proc/1/ns/net)") != std::string::npos);

    auto broken = [](const std::string& p) -> Result<bool> { return fail(ENOENT, "stat " + p + ": gone"); };
    e = errorOf(validateSysctlsWith(specWith({{"network", "/run/netns/x"}}, fwd), broken));
    CHECK(e.find("net.ipv4.ip_forward") != std::string::npos);
    CHECK(e.find("gone") != std::string::npos);
}

TEST_CASE("sysctl: the real host check refuses the runtime's own network namespace", "[security]") {
    const std::map<std::string, std::string> fwd = {{"net.core.somaxconn", "100"}};
    std::string e = errorOf(validateSysctls(specWith({{"network", "/proc/self/ns/net"}}, fwd)));
    CHECK(e.find("host's network namespace") != std::string::npos);
    e = errorOf(validateSysctls(specWith({{"network", "/nonexistent/ns"}}, fwd)));
    CHECK(e.find("/nonexistent/ns") != std::string::npos);
}

TEST_CASE("sysctl: kernel.domainname needs uts; kernel.hostname is always refused", "[security]") {
    CHECK(validateSysctlsWith(specWith({{"uts", ""}}, {{"kernel.domainname", "x"}}), neverHost));
    std::string e = errorOf(validateSysctlsWith(specWith({}, {{"kernel.domainname", "x"}}), neverHost));
    CHECK(e.find("\"kernel.domainname\" needs a uts namespace") != std::string::npos);
    e = errorOf(validateSysctlsWith(specWith({{"uts", ""}}, {{"kernel.hostname", "x"}}), neverHost));
    CHECK(e.find("\"kernel.hostname\" is not allowed") != std::string::npos);
    CHECK(e.find("\"hostname\" field") != std::string::npos);
}

TEST_CASE("sysctl: keys outside every namespace are refused, naming the key", "[security]") {
    auto all = specWith({{"ipc", ""}, {"network", ""}, {"uts", ""}, {"user", ""}, {"mount", ""}, {"pid", ""}},
                        {{"vm.swappiness", "1"}});
    std::string e = errorOf(validateSysctlsWith(all, neverHost));
    CHECK(e == "linux.sysctl: \"vm.swappiness\" is not allowed: it does not belong to a namespace of the container");
    for (const char* key : {"kernel.pid_max", "fs.file-max", "user.max_user_namespaces", "net", "netx.y", ""}) {
        INFO(key);
        auto s = specWith({{"ipc", ""}, {"network", ""}, {"uts", ""}}, {{key, "1"}});
        CHECK(!validateSysctlsWith(s, neverHost));
    }
}
