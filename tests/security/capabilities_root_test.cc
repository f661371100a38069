// Capabilities applied for real in a forked child, checked against /proc/self/status.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "child.h"
#include "libcontainer/unique_fd.h"
#include "security/security.h"

using namespace lc::security;
using namespace lc::security::test;

namespace {

uint64_t bits(std::initializer_list<const char*> names) {
    uint64_t m = 0;
    for (const char* n : names) m |= uint64_t{1} << *capabilityFromName(n);
    return m;
}

// The Cap* lines of /proc/self/status, as "CapEff=...\n" text; plus "Unraised=..".
std::string capStatus(uint64_t unraised) {
    std::ifstream f("/proc/self/status");
    std::string line, out;
    while (std::getline(f, line))
        if (line.rfind("Cap", 0) == 0) out += line + "\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "Unraised:\t%016llx\n", static_cast<unsigned long long>(unraised));
    return out + buf;
}

std::map<std::string, uint64_t> parseStatus(const std::string& text) {
    std::map<std::string, uint64_t> m;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        m[line.substr(0, colon)] = std::stoull(line.substr(colon + 1), nullptr, 16);
    }
    return m;
}

// Runs the init sequence in a child: dropBounding, optionally become `uid`, applyCapabilities;
// `before` runs first. Returns the child's Cap* status text, or the failing step.
template <typename Before>
std::string applyInChild(const CapPlan& plan, uid_t uid, Before before) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return "pipe failed";
    lc::UniqueFd rd(p[0]), wr(p[1]);
    int status = runInChild([&] {
        rd.reset();
        auto report = [&](const std::string& s) {
            (void)!::write(wr.get(), s.data(), s.size());
        };
        if (!before()) return report("error: before"), 1;
        if (auto r = dropBounding(plan, lc::sys::realProcessCalls()); !r) return report("error: dropBounding: " + r.error().message()), 1;
        if (uid != 0) {
            if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0)
                return report("error: setresuid"), 1;
        }
        uint64_t unraised = ~uint64_t{0};
        if (auto r = applyCapabilities(plan, lc::sys::realProcessCalls(), &unraised); !r)
            return report("error: applyCapabilities: " + r.error().message()), 1;
        report(capStatus(unraised));
        return 0;
    });
    wr.reset();
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(rd.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    if (!exitedWith(status, 0) && out.rfind("error", 0) != 0) out = "child failed: status " + std::to_string(status);
    return out;
}

std::string applyInChild(const CapPlan& plan, uid_t uid) {
    return applyInChild(plan, uid, [] { return true; });
}

}  // namespace

TEST_CASE("a non-root process keeps exactly the planned capabilities", "[root][security]") {
    spec::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    caps.permitted = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    caps.effective = {"CAP_CHOWN", "CAP_KILL"};
    caps.inheritable = {"CAP_CHOWN"};
    caps.ambient = {"CAP_CHOWN"};
    auto plan = planCapabilities(caps, nullptr);
    REQUIRE(plan);

    std::string out = applyInChild(*plan, 1000);
    INFO(out);
    REQUIRE(out.rfind("Cap", 0) == 0);
    auto st = parseStatus(out);
    CHECK(st["CapBnd"] == bits({"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"}));
    CHECK(st["CapPrm"] == bits({"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"}));
    CHECK(st["CapEff"] == bits({"CAP_CHOWN", "CAP_KILL"}));
    CHECK(st["CapInh"] == bits({"CAP_CHOWN"}));
    CHECK(st["CapAmb"] == bits({"CAP_CHOWN"}));
    CHECK(st["Unraised"] == 0);
}

TEST_CASE("root with docker's capabilities, stale ambient caps cleared", "[root][security]") {
    spec::Capabilities caps;
    caps.bounding = caps.effective = caps.permitted = {
        "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",  "CAP_FOWNER",           "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",  "CAP_SETFCAP",          "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
    auto plan = planCapabilities(caps, nullptr);
    REQUIRE(plan);
    // Like a runtime that carries an ambient cap into `exec`: it must not survive.
    auto raiseStaleAmbient = [] {
        __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct d[2]{};
        if (::syscall(SYS_capget, &h, d) != 0) return false;
        d[0].inheritable |= 1u << CAP_KILL;
        if (::syscall(SYS_capset, &h, d) != 0) return false;
        return ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) == 0;
    };
    std::string out = applyInChild(*plan, 0, raiseStaleAmbient);
    INFO(out);
    REQUIRE(out.rfind("Cap", 0) == 0);
    auto st = parseStatus(out);
    CHECK(st["CapBnd"] == 0xa80425fbULL);
    CHECK(st["CapPrm"] == 0xa80425fbULL);
    CHECK(st["CapEff"] == 0xa80425fbULL);
    CHECK(st["CapInh"] == 0);
    CHECK(st["CapAmb"] == 0);
}

TEST_CASE("an ambient cap the kernel refuses is reported, not fatal", "[root][security]") {
    CapPlan plan;
    plan.bounding = plan.permitted = plan.effective = bits({"CAP_CHOWN", "CAP_KILL"});
    plan.inheritable = bits({"CAP_CHOWN"});
    plan.ambient = bits({"CAP_CHOWN", "CAP_KILL"});  // CAP_KILL is not inheritable
    plan.lastCap = -1;                                // dropBounding probes the kernel itself
    std::string out = applyInChild(plan, 1000);
    INFO(out);
    REQUIRE(out.rfind("Cap", 0) == 0);
    auto st = parseStatus(out);
    CHECK(st["CapAmb"] == bits({"CAP_CHOWN"}));
    CHECK(st["Unraised"] == bits({"CAP_KILL"}));
    CHECK(st["CapBnd"] == bits({"CAP_CHOWN", "CAP_KILL"}));
}

TEST_CASE("an empty plan leaves nothing", "[root][security]") {
    auto plan = planCapabilities(spec::Capabilities{}, nullptr);
    REQUIRE(plan);
    std::string out = applyInChild(*plan, 0);
    INFO(out);
    REQUIRE(out.rfind("Cap", 0) == 0);
    auto st = parseStatus(out);
    CHECK(st["CapBnd"] == 0);
    CHECK(st["CapPrm"] == 0);
    CHECK(st["CapEff"] == 0);
    CHECK(st["CapInh"] == 0);
    CHECK(st["CapAmb"] == 0);
}
