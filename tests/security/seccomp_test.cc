// Seccomp compilation (no filter is loaded here; see seccomp_behaviour_test.cc).
#include <linux/seccomp.h>

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "seccomp_profiles.h"
#include "security/security.h"
#include "spec/json.h"

using namespace lc::security;
using namespace lc::security::test;

namespace {

bool sameProgram(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const sock_filter& x, const sock_filter& y) {
        return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
    });
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string errorOf(const spec::Seccomp& sc) {
    auto prog = compileSeccomp(sc);
    return prog ? std::string("<compiled>") : prog.error().message();
}

}  // namespace

TEST_CASE("a small profile compiles to a non-empty filter", "[security]") {
    auto sc = profile("SCMP_ACT_ERRNO", {rule({"read", "write", "exit_group", "exit"}, "SCMP_ACT_ALLOW"),
                                         rule({"mkdir"}, "SCMP_ACT_KILL")});
    auto prog = compileSeccomp(sc);
    REQUIRE(prog);
    CHECK(prog->filter.size() > 4);
    CHECK(prog->flags == 0);
    CHECK_FALSE(prog->notify);
    // Every classic BPF seccomp program ends with a return.
    CHECK(BPF_CLASS(prog->filter.back().code) == BPF_RET);
}

TEST_CASE("every action and operator name is accepted", "[security]") {
    for (const char* act : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                            "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"}) {
        INFO(act);
        auto prog = compileSeccomp(profile("SCMP_ACT_ALLOW", {rule({"getpgid"}, act)}));
        CHECK(prog);
    }
    for (const char* op : {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                           "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"}) {
        INFO(op);
        auto prog = compileSeccomp(profile("SCMP_ACT_ALLOW", {rule({"getpgid"}, "SCMP_ACT_ERRNO", {arg(0, op, 5, 1)})}));
        CHECK(prog);
    }
    for (const char* def : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
                            "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_ALLOW"}) {
        INFO(def);
        CHECK(compileSeccomp(profile(def, {rule({"exit_group"}, "SCMP_ACT_ALLOW")})));
    }
}

TEST_CASE("syscall names libseccomp does not know are skipped", "[security]") {
    auto plain = compileSeccomp(profile("SCMP_ACT_ERRNO", {rule({"read", "exit_group"}, "SCMP_ACT_ALLOW")}));
    auto withUnknown = compileSeccomp(profile(
        "SCMP_ACT_ERRNO", {rule({"read", "no_such_syscall_x", "exit_group"}, "SCMP_ACT_ALLOW"),
                           rule({"another_unknown_one"}, "SCMP_ACT_KILL", {arg(0, "SCMP_CMP_EQ", 1)})}));
    REQUIRE(plain);
    REQUIRE(withUnknown);
    CHECK(sameProgram(plain->filter, withUnknown->filter));
}

TEST_CASE("rules with the default action are skipped", "[security]") {
    auto plain = compileSeccomp(profile("SCMP_ACT_ERRNO", {rule({"read"}, "SCMP_ACT_ALLOW")}));
    auto redundant = compileSeccomp(
        profile("SCMP_ACT_ERRNO", {rule({"read"}, "SCMP_ACT_ALLOW"), rule({"mkdir"}, "SCMP_ACT_ERRNO", {}, 1)}));
    REQUIRE(plain);
    REQUIRE(redundant);
    CHECK(sameProgram(plain->filter, redundant->filter));
    // A different errno is a different action: the rule stays.
    auto other = compileSeccomp(
        profile("SCMP_ACT_ERRNO", {rule({"read"}, "SCMP_ACT_ALLOW"), rule({"mkdir"}, "SCMP_ACT_ERRNO", {}, 2)}));
    REQUIRE(other);
    CHECK_FALSE(sameProgram(plain->filter, other->filter));
}

TEST_CASE("an unknown action is an error naming its field", "[security]") {
    auto sc = profile("SCMP_ACT_ERRNO", {rule({"read"}, "SCMP_ACT_ALLOW"), rule({"write"}, "SCMP_ACT_ALLOW"),
                                         rule({"close"}, "SCMP_ACT_ALLOW"), rule({"mkdir"}, "SCMP_ACT_EXPLODE")});
    std::string msg = errorOf(sc);
    CHECK(msg.find("linux.seccomp.syscalls[3].action") != std::string::npos);
    CHECK(msg.find("SCMP_ACT_EXPLODE") != std::string::npos);

    CHECK(errorOf(profile("SCMP_ACT_NOPE", {})).find("linux.seccomp.defaultAction") != std::string::npos);
    CHECK(errorOf(profile("", {})).find("linux.seccomp.defaultAction") != std::string::npos);
}

TEST_CASE("bad arguments, architectures and flags are errors naming their field", "[security]") {
    CHECK(errorOf(profile("SCMP_ACT_ALLOW", {rule({"read"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_EQ", 1),
                                                                               arg(1, "SCMP_CMP_ALMOST", 1)})}))
              .find("linux.seccomp.syscalls[0].args[1].op") != std::string::npos);
    CHECK(errorOf(profile("SCMP_ACT_ALLOW", {rule({"read"}, "SCMP_ACT_ERRNO", {arg(6, "SCMP_CMP_EQ", 1)})}))
              .find("linux.seccomp.syscalls[0].args[0].index") != std::string::npos);
    CHECK(errorOf(profile("SCMP_ACT_ALLOW", {}, {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"}))
              .find("linux.seccomp.architectures[1]") != std::string::npos);
    CHECK(errorOf(profile("SCMP_ACT_ALLOW", {rule({"read", ""}, "SCMP_ACT_ERRNO")}))
              .find("linux.seccomp.syscalls[0].names[1]") != std::string::npos);
    CHECK(errorOf(profile("SCMP_ACT_ALLOW", {rule({"read"}, "SCMP_ACT_ERRNO", {}, 70000)}))
              .find("linux.seccomp.syscalls[0].errnoRet") != std::string::npos);

    auto sc = profile("SCMP_ACT_ALLOW", {rule({"read"}, "SCMP_ACT_ERRNO")});
    sc.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS"};
    CHECK(errorOf(sc).find("linux.seccomp.flags[1]") != std::string::npos);
}

TEST_CASE("filter flags map to seccomp(2) flags", "[security]") {
    auto sc = profile("SCMP_ACT_ALLOW", {rule({"read"}, "SCMP_ACT_ERRNO")});
    auto features = seccompFeatures();
    sc.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
    auto tsync = compileSeccomp(sc);
    REQUIRE(tsync);
    CHECK(tsync->flags == 0);  // accepted and ignored, as runc does
    if (contains(features.supportedFlags, "SECCOMP_FILTER_FLAG_LOG")) {
        sc.flags = {"SECCOMP_FILTER_FLAG_LOG"};
        auto log = compileSeccomp(sc);
        REQUIRE(log);
        CHECK(log->flags == SECCOMP_FILTER_FLAG_LOG);
    }
    if (contains(features.supportedFlags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW")) {
        sc.flags = {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"};
        auto both = compileSeccomp(sc);
        REQUIRE(both);
        CHECK(both->flags == (SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_LOG));
    }
    // Without a listener WAIT_KILLABLE_RECV means nothing and is not passed.
    sc.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    auto wk = compileSeccomp(sc);
    REQUIRE(wk);
    CHECK(wk->flags == 0);
}

TEST_CASE("SCMP_ACT_NOTIFY rules ask for a listener", "[security]") {
    auto prog = compileSeccomp(profile("SCMP_ACT_ALLOW", {rule({"getpgid"}, "SCMP_ACT_NOTIFY")}));
    REQUIRE(prog);
    CHECK(prog->notify);
    CHECK((prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0);

    CHECK(errorOf(profile("SCMP_ACT_NOTIFY", {})).find("default action") != std::string::npos);
    CHECK(errorOf(profile("SCMP_ACT_ALLOW", {rule({"read", "write"}, "SCMP_ACT_NOTIFY")}))
              .find("write") != std::string::npos);
}

TEST_CASE("several conditions on one argument compile (one rule each)", "[security]") {
    auto prog = compileSeccomp(profile(
        "SCMP_ACT_ALLOW",
        {rule({"getpgid"}, "SCMP_ACT_ERRNO", {arg(0, "SCMP_CMP_EQ", 1000000), arg(0, "SCMP_CMP_EQ", 2000000)}, 99)}));
    REQUIRE(prog);
    CHECK_FALSE(prog->filter.empty());
}

TEST_CASE("the ENOSYS stub is added for restrictive defaults on listed architectures", "[security]") {
    if (nativeArchs().empty()) return;
    auto rules = std::vector<spec::SeccompSyscall>{rule({"read", "exit_group"}, "SCMP_ACT_ALLOW")};
    auto bare = compileSeccomp(profile("SCMP_ACT_ERRNO", rules));
    auto withArchs = compileSeccomp(profile("SCMP_ACT_ERRNO", rules, nativeArchs()));
    auto allowDefault = compileSeccomp(profile("SCMP_ACT_ALLOW", {rule({"mkdir"}, "SCMP_ACT_ERRNO")}, nativeArchs()));
    REQUIRE(bare);
    REQUIRE(withArchs);
    REQUIRE(allowDefault);
    auto retEnosys = [](const std::vector<sock_filter>& f) {
        return std::any_of(f.begin(), f.end(), [](const sock_filter& i) {
            return i.code == (BPF_RET | BPF_K) && i.k == (SECCOMP_RET_ERRNO | ENOSYS);
        });
    };
    CHECK_FALSE(retEnosys(bare->filter));
    CHECK(retEnosys(withArchs->filter));
    CHECK_FALSE(retEnosys(allowDefault->filter));
}

TEST_CASE("seccomp features list what this build supports", "[security]") {
    auto f = seccompFeatures();
    CHECK(f.enabled);
    CHECK(contains(f.actions, "SCMP_ACT_ALLOW"));
    CHECK(contains(f.actions, "SCMP_ACT_ERRNO"));
    CHECK(std::is_sorted(f.actions.begin(), f.actions.end()));
    CHECK(f.operators.size() == 7);
    CHECK(contains(f.operators, "SCMP_CMP_MASKED_EQ"));
    CHECK(contains(f.archs, "SCMP_ARCH_X86_64"));
    CHECK(contains(f.archs, "SCMP_ARCH_AARCH64"));
    CHECK(contains(f.archs, "SCMP_ARCH_RISCV64"));
    CHECK(f.knownFlags.size() == 4);
    for (const auto& s : f.supportedFlags) CHECK(contains(f.knownFlags, s));
    CHECK(f.libseccompVersion.rfind("2.", 0) == 0);
}

TEST_CASE("the docker and podman profiles from tests/data compile", "[security]") {
    for (const char* file : {"docker-run.json", "podman-run.json"}) {
        INFO(file);
        auto sp = spec::loadSpecFile(std::string(TEST_DATA_DIR) + "/" + file);
        REQUIRE(sp);
        REQUIRE(sp->linux);
        REQUIRE(sp->linux->seccomp);
        auto prog = compileSeccomp(*sp->linux->seccomp);
        REQUIRE(prog);
        CHECK(prog->filter.size() > 10);
        CHECK_FALSE(prog->notify);
        REQUIRE(sp->process);
        REQUIRE(sp->process->capabilities);
        std::vector<std::string> warnings;
        auto plan = planCapabilities(*sp->process->capabilities, &warnings);
        REQUIRE(plan);
        CHECK(warnings.empty());
        CHECK(plan->bounding == 0xa80425fbULL);
    }
}
