// Device rules: OCI meaning (later rules override earlier ones), the v1 kernel emulation, and
// the generated eBPF program, run here by a small interpreter for the instructions it uses.
#include <linux/bpf.h>

#include <catch2/catch.hpp>
#include <random>

#include "cgroups/devices/bpf.h"
#include "cgroups/devices/rules.h"

using namespace lc::cgroups::devices;

namespace {

constexpr uint8_t R = kRead, W = kWrite, M = kMknod;

Rule rule(bool allow, char type, int64_t major, int64_t minor, uint8_t access) {
    return Rule{type, major, minor, access, allow};
}

// Runs a BPF_PROG_TYPE_CGROUP_DEVICE program on one request; -1 on an unknown instruction or
// a runaway program.
int64_t runProgram(const std::vector<bpf_insn>& prog, char type, uint32_t major, uint32_t minor,
                   uint8_t access) {
    const uint32_t ctx[3] = {static_cast<uint32_t>(access) << 16 |
                                 (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                             major, minor};
    uint64_t r[11] = {};
    bool r1IsCtx = true;
    size_t pc = 0;
    for (int steps = 0; steps < 100000 && pc < prog.size(); ++steps) {
        const bpf_insn& i = prog[pc++];
        const uint32_t imm = static_cast<uint32_t>(i.imm);
        switch (i.code) {
            case BPF_LDX | BPF_MEM | BPF_W:
                if (i.src_reg != 1 || !r1IsCtx || i.off < 0 || i.off > 8 || i.off % 4) return -1;
                r[i.dst_reg] = ctx[i.off / 4];
                if (i.dst_reg == 1) r1IsCtx = false;
                break;
            case BPF_ALU | BPF_MOV | BPF_X:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.src_reg]);
                if (i.dst_reg == 1) r1IsCtx = false;
                break;
            case BPF_ALU | BPF_AND | BPF_K:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) & imm;
                break;
            case BPF_ALU | BPF_RSH | BPF_K:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> imm;
                break;
            case BPF_ALU64 | BPF_MOV | BPF_K:
                r[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
                if (i.dst_reg == 1) r1IsCtx = false;
                break;
            case BPF_JMP32 | BPF_JNE | BPF_K:
                if (static_cast<uint32_t>(r[i.dst_reg]) != imm) pc += i.off;
                break;
            case BPF_JMP32 | BPF_JEQ | BPF_K:
                if (static_cast<uint32_t>(r[i.dst_reg]) == imm) pc += i.off;
                break;
            case BPF_JMP | BPF_EXIT:
                return static_cast<int64_t>(r[0]);
            default:
                return -1;
        }
    }
    return -1;
}

// Docker's default list (deny all, mknod anything, the usual character devices).
std::vector<Rule> dockerRules() {
    return {rule(false, 'a', kWildcard, kWildcard, R | W | M), rule(true, 'c', kWildcard, kWildcard, M),
            rule(true, 'b', kWildcard, kWildcard, M),          rule(true, 'c', 1, 3, R | W | M),
            rule(true, 'c', 1, 5, R | W | M),                  rule(true, 'c', 1, 8, R | W | M),
            rule(true, 'c', 1, 9, R | W | M),                  rule(true, 'c', 5, 0, R | W | M),
            rule(true, 'c', 5, 1, R | W | M),                  rule(true, 'c', 136, kWildcard, R | W | M),
            rule(true, 'c', 5, 2, R | W | M)};
}

}  // namespace

TEST_CASE("device rules from the spec", "[cgroups]") {
    auto r = ruleFromSpec({true, "c", 1, 3, "rw"}, 0);
    REQUIRE(r);
    CHECK(r->type == 'c');
    CHECK(r->major == 1);
    CHECK(r->minor == 3);
    CHECK(r->access == (R | W));
    CHECK(r->allow);
    auto all = ruleFromSpec({false, "", std::nullopt, std::nullopt, ""}, 0);
    REQUIRE(all);
    CHECK(all->type == 'a');
    CHECK(all->access == (R | W | M));
    CHECK(all->major == kWildcard);
    auto a = ruleFromSpec({true, "a", 4, 5, "r"}, 0);  // numbers ignored for type a
    REQUIRE(a);
    CHECK(a->major == kWildcard);
    CHECK(ruleFromSpec({true, "b", -1, 7, "m"}, 0)->major == kWildcard);
    CHECK_FALSE(ruleFromSpec({true, "u", 1, 1, "r"}, 2).has_value());
    CHECK(ruleFromSpec({true, "c", -2, 1, "r"}, 2).error().message().starts_with("linux.resources.devices[2].major"));
    CHECK_FALSE(ruleFromSpec({true, "c", 1, int64_t{1} << 33, "r"}, 0).has_value());
    // As runc: characters other than r, w and m are ignored ("rwa" is rw); an access with none
    // of them is refused (runc 1.1 fails it on v1 hosts).
    CHECK(ruleFromSpec({true, "c", 1, 1, "rwa"}, 0)->access == (R | W));
    CHECK(ruleFromSpec({true, "c", 1, 1, "mr"}, 0)->access == (R | M));
    CHECK(ruleFromSpec({true, "c", 1, 1, "r w"}, 0)->access == (R | W));
    CHECK(v1String(*ruleFromSpec({true, "c", 1, 2, "rwmx"}, 0)) == "c 1:2 rwm");
    CHECK(ruleFromSpec({true, "c", 1, 1, "RWM"}, 3).error().message() ==
          "linux.resources.devices[3].access: \"RWM\" names none of r, w, m");
    CHECK(v1String(*r) == "c 1:3 rw");
    CHECK(v1String(*all) == "a *:* rwm");
    CHECK(v1String(rule(true, 'b', 8, kWildcard, M)) == "b 8:* m");
}

TEST_CASE("device rules: later rules override earlier ones", "[cgroups]") {
    auto docker = dockerRules();
    CHECK(lastMatchAllows(docker, 'c', 1, 3, R | W));
    CHECK(lastMatchAllows(docker, 'c', 136, 4, R | W));
    CHECK(lastMatchAllows(docker, 'c', 4, 1, M));
    CHECK(lastMatchAllows(docker, 'b', 8, 0, M));
    CHECK_FALSE(lastMatchAllows(docker, 'c', 4, 1, R));
    CHECK_FALSE(lastMatchAllows(docker, 'b', 8, 0, R));
    CHECK(lastMatchAllows(docker, 'c', 10, 229, M));
    docker.push_back(rule(false, 'c', 10, 229, R | W | M));
    CHECK_FALSE(lastMatchAllows(docker, 'c', 10, 229, M));  // the final deny wins over c *:* m
    CHECK(lastMatchAllows(docker, 'c', 10, 228, M));
    CHECK_FALSE(lastMatchAllows(docker, 'b', 1, 3, R));     // type matters

    std::vector<Rule> narrow = {rule(true, 'c', 1, 3, R | W | M), rule(false, 'c', 1, 3, W)};
    CHECK(lastMatchAllows(narrow, 'c', 1, 3, R));
    CHECK_FALSE(lastMatchAllows(narrow, 'c', 1, 3, W));
    CHECK_FALSE(lastMatchAllows(narrow, 'c', 1, 3, R | W));  // every requested bit must be allowed

    std::vector<Rule> hole = {rule(true, 'c', kWildcard, kWildcard, R | W), rule(false, 'c', 1, 3, R | W | M)};
    CHECK(lastMatchAllows(hole, 'c', 1, 4, R | W));
    CHECK_FALSE(lastMatchAllows(hole, 'c', 1, 3, R));

    std::vector<Rule> reopen = {rule(false, 'a', kWildcard, kWildcard, R | W | M), rule(true, 'c', 1, 3, R),
                                rule(false, 'c', kWildcard, kWildcard, R | W | M), rule(true, 'c', 1, 3, W)};
    CHECK_FALSE(lastMatchAllows(reopen, 'c', 1, 3, R));
    CHECK(lastMatchAllows(reopen, 'c', 1, 3, W));

    std::vector<Rule> split = {rule(true, 'c', 1, 3, R), rule(true, 'c', kWildcard, kWildcard, W)};
    CHECK(lastMatchAllows(split, 'c', 1, 3, R | W));  // r from one rule, w from another
    CHECK_FALSE(lastMatchAllows(split, 'c', 1, 4, R | W));

    CHECK_FALSE(lastMatchAllows({}, 'c', 1, 3, R));
    std::vector<Rule> open = {rule(true, 'a', kWildcard, kWildcard, R | W | M)};
    CHECK(lastMatchAllows(open, 'b', 259, 0, R | W));
}

TEST_CASE("device rules: the v1 kernel emulation and what v1 can express", "[cgroups]") {
    V1Emulator docker;
    for (const auto& r : dockerRules()) docker.apply(r);
    CHECK(docker.allows('c', 1, 3, R | W));
    CHECK_FALSE(docker.allows('c', 4, 1, R));
    CHECK(docker.allows('c', 4, 1, M));
    CHECK(checkV1Expressible(dockerRules()));
    // ... but a deny of one device after "c *:* m" cannot be enforced by v1 (runc refuses too).
    auto withDeny = dockerRules();
    withDeny.push_back(rule(false, 'c', 10, 229, R | W | M));
    CHECK_FALSE(checkV1Expressible(withDeny));

    // The kernel cannot punch a hole into c *:*: it would keep allowing c 1:3.
    std::vector<Rule> hole = {rule(false, 'a', kWildcard, kWildcard, R | W | M),
                              rule(true, 'c', kWildcard, kWildcard, R | W), rule(false, 'c', 1, 3, W)};
    V1Emulator k;
    for (const auto& r : hole) k.apply(r);
    CHECK(k.allows('c', 1, 3, W));
    auto res = checkV1Expressible(hole);
    REQUIRE_FALSE(res);
    CHECK(res.error().message().find("c 1:3 w") != std::string::npos);

    // Allow-all then specific denies is how v1 blacklists: expressible.
    std::vector<Rule> black = {rule(true, 'a', kWildcard, kWildcard, R | W | M), rule(false, 'c', 1, 3, W)};
    V1Emulator b;
    for (const auto& r : black) b.apply(r);
    CHECK(b.allows('c', 1, 3, R));
    CHECK_FALSE(b.allows('c', 1, 3, R | W));
    CHECK(checkV1Expressible(black));

    // A deny of a wildcard does not remove a specific exception in the kernel.
    std::vector<Rule> wide = {rule(false, 'a', kWildcard, kWildcard, R | W | M), rule(true, 'c', 1, 3, R | W),
                              rule(false, 'c', kWildcard, kWildcard, W)};
    CHECK_FALSE(checkV1Expressible(wide));

    // The kernel being stricter than the OCI meaning is accepted.
    std::vector<Rule> split = {rule(false, 'a', kWildcard, kWildcard, R | W | M), rule(true, 'c', 1, 3, R),
                               rule(true, 'c', kWildcard, kWildcard, W)};
    CHECK(checkV1Expressible(split));
}

TEST_CASE("device eBPF program decides as the rules say", "[cgroups]") {
    const char types[] = {'c', 'b'};
    const uint32_t majors[] = {1, 2, 7, 136};
    const uint32_t minors[] = {0, 3, 5, 9};
    auto agree = [&](const std::vector<Rule>& rules) {
        auto prog = buildProgram(rules);
        for (char t : types)
            for (uint32_t ma : majors)
                for (uint32_t mi : minors)
                    for (uint8_t acc = 1; acc <= 7; ++acc) {
                        int64_t got = runProgram(prog, t, ma, mi, acc);
                        int64_t want = lastMatchAllows(rules, t, ma, mi, acc) ? 1 : 0;
                        if (got != want) {
                            INFO("type " << t << " " << ma << ":" << mi << " access " << int(acc));
                            CHECK(got == want);
                            return false;
                        }
                    }
        return true;
    };
    CHECK(agree(dockerRules()));
    auto withDeny = dockerRules();
    withDeny.push_back(rule(false, 'c', 1, 5, W));
    CHECK(agree(withDeny));
    CHECK(agree({}));
    CHECK(agree({rule(true, 'c', 1, 3, R | W | M), rule(false, 'c', 1, 3, W)}));
    CHECK(agree({rule(true, 'c', 1, 3, R), rule(true, 'c', kWildcard, kWildcard, W)}));
    CHECK(agree({rule(true, 'a', kWildcard, kWildcard, R | W | M), rule(false, 'b', 7, kWildcard, R)}));

    // Random lists over a small domain.
    std::mt19937 rng(12345);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const int64_t ruleMajors[] = {kWildcard, 1, 2, 136};
    const int64_t ruleMinors[] = {kWildcard, 3, 5};
    for (int iter = 0; iter < 400; ++iter) {
        std::vector<Rule> rules;
        int n = 1 + pick(8);
        for (int i = 0; i < n; ++i) {
            char t = "acb"[pick(3)];
            rules.push_back(rule(pick(2) == 1, t, t == 'a' ? kWildcard : ruleMajors[pick(4)],
                                 t == 'a' ? kWildcard : ruleMinors[pick(3)], static_cast<uint8_t>(1 + pick(7))));
        }
        if (!agree(rules)) break;
    }
}

TEST_CASE("device eBPF program shape", "[cgroups]") {
    // Prologue (6) + final "r0 = 0; exit".
    CHECK(buildProgram({}).size() == 8);
    // A last "allow everything" makes the earlier rules dead code.
    auto open = buildProgram(std::vector<Rule>{rule(true, 'c', 1, 3, R), rule(true, 'a', kWildcard, kWildcard, R | W | M)});
    CHECK(open.size() == 8);  // prologue + "r0 = 1; exit"
    auto closed = buildProgram(std::vector<Rule>{rule(false, 'a', kWildcard, kWildcard, R | W | M)});
    CHECK(closed.size() == 8);
    CHECK(runProgram(closed, 'c', 1, 3, R) == 0);
    CHECK(runProgram(open, 'b', 8, 0, W) == 1);
    // Device numbers above 2^31 are compared as unsigned 32-bit values.
    auto big = buildProgram(std::vector<Rule>{rule(true, 'c', 4000000000LL, 1, R)});
    CHECK(runProgram(big, 'c', 4000000000u, 1, R) == 1);
    CHECK(runProgram(big, 'c', 4000000001u, 1, R) == 0);
}
