// runc-cpp update: change the cgroup limits of a running (or paused, or created) container.
//
// Either --resources FILE|- (an OCI LinuxResources JSON; "-" reads stdin) or the individual
// flags. As with runc, zeros mean "leave as is" for memory, cpu and blkio values, and a pids
// limit of 0 leaves pids.max alone (-1 means unlimited). With --resources the flags are ignored.
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../cli.h"
#include "spec/json.h"

namespace cli {
namespace {

// Docker's units.RAMInBytes syntax: a decimal number, optional space, optional unit letter
// (b k m g t p, any case, binary multiples) optionally followed by "i" and/or "b".
std::optional<int64_t> parseRamBytes(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0 || s[0] == '.') return std::nullopt;
    double num = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + i, num);
    if (ec != std::errc() || p != s.data() + i) return std::nullopt;
    std::string unit = s.substr(i);
    if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    double mult = 1;
    size_t u = 0;
    if (u < unit.size()) {
        switch (unit[u]) {
            case 'k': mult = 1024.0; ++u; break;
            case 'm': mult = 1024.0 * 1024; ++u; break;
            case 'g': mult = 1024.0 * 1024 * 1024; ++u; break;
            case 't': mult = 1024.0 * 1024 * 1024 * 1024; ++u; break;
            case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; ++u; break;
            default: break;
        }
    }
    if (u < unit.size() && unit[u] == 'i') ++u;
    if (u < unit.size() && unit[u] == 'b') ++u;
    if (u != unit.size()) return std::nullopt;
    double v = num * mult;
    if (!std::isfinite(v) || v > 9.2e18) return std::nullopt;
    return static_cast<int64_t>(v);
}

template <typename T>
std::optional<T> parseInt(const std::string& s) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

lc::Result<std::string> readAll(int fd, const std::string& what) {
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return lc::errnoError("read " + what);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

lc::Result<spec::Resources> resourcesFromFile(const std::string& in) {
    std::string json;
    if (in == "-") {
        auto r = readAll(0, "stdin");
        if (!r) return std::unexpected(r.error());
        json = std::move(*r);
    } else {
        FILE* f = std::fopen(in.c_str(), "re");
        if (!f) return lc::errnoError("open " + in);
        auto r = readAll(::fileno(f), in);
        std::fclose(f);
        if (!r) return std::unexpected(r.error());
        json = std::move(*r);
    }
    auto res = spec::parseResources(json);
    if (!res) return std::unexpected(res.error().wrap("decode resources"));
    return res;
}

// Builds the resources from the individual flags; an error names the flag.
lc::Result<spec::Resources> resourcesFromFlags(const UpdateFlags& f) {
    spec::Resources r;
    auto bad = [](const char* flag, const std::string& v) {
        return lc::fail(EINVAL, std::string("invalid value for ") + flag + ": \"" + v + "\"");
    };
    if (!f.blkioWeight.empty()) {
        auto v = parseInt<uint16_t>(f.blkioWeight);
        if (!v) return bad("blkio-weight", f.blkioWeight);
        if (*v) r.blockIO.emplace().weight = *v;
    }
    spec::Cpu cpu;
    bool anyCpu = false;
    struct U64 { const char* flag; const std::string* value; std::optional<uint64_t>* dest; };
    for (const U64& p : {U64{"cpu-period", &f.cpuPeriod, &cpu.period},
                         U64{"cpu-rt-period", &f.cpuRtPeriod, &cpu.realtimePeriod},
                         U64{"cpu-share", &f.cpuShare, &cpu.shares},
                         U64{"cpu-burst", &f.cpuBurst, &cpu.burst}}) {
        if (p.value->empty()) continue;
        auto v = parseInt<uint64_t>(*p.value);
        if (!v) return bad(p.flag, *p.value);
        *p.dest = *v;
        anyCpu = true;
    }
    struct I64 { const char* flag; const std::string* value; std::optional<int64_t>* dest; };
    for (const I64& p : {I64{"cpu-quota", &f.cpuQuota, &cpu.quota},
                         I64{"cpu-rt-runtime", &f.cpuRtRuntime, &cpu.realtimeRuntime}}) {
        if (p.value->empty()) continue;
        auto v = parseInt<int64_t>(*p.value);
        if (!v) return bad(p.flag, *p.value);
        *p.dest = *v;
        anyCpu = true;
    }
    if (!f.cpusetCpus.empty()) cpu.cpus = f.cpusetCpus, anyCpu = true;
    if (!f.cpusetMems.empty()) cpu.mems = f.cpusetMems, anyCpu = true;
    if (anyCpu) r.cpu = std::move(cpu);

    spec::Memory mem;
    bool anyMem = false;
    for (const I64& p : {I64{"memory", &f.memory, &mem.limit},
                         I64{"memory-swap", &f.memorySwap, &mem.swap},
                         I64{"kernel-memory", &f.kernelMemory, &mem.kernel},
                         I64{"kernel-memory-tcp", &f.kernelMemoryTcp, &mem.kernelTCP},
                         I64{"memory-reservation", &f.memoryReservation, &mem.reservation}}) {
        if (p.value->empty()) continue;
        std::optional<int64_t> v = *p.value == "-1" ? std::optional<int64_t>(-1) : parseRamBytes(*p.value);
        if (!v) return bad(p.flag, *p.value);
        *p.dest = *v;
        anyMem = true;
    }
    if (anyMem) r.memory = std::move(mem);

    if (!f.pidsLimit.empty()) {
        auto v = parseInt<int64_t>(f.pidsLimit);
        if (!v) return bad("pids-limit", f.pidsLimit);
        if (*v) r.pids = spec::Pids{*v};
    }
    return r;
}

}  // namespace

int runUpdate(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "update", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "update", &id, &rc)) return rc;
    const UpdateFlags& f = std::get<UpdateFlags>(p->flags);

    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) return failWith(ctx, c.error());

    lc::Result<spec::Resources> res = f.resourcesGiven ? resourcesFromFile(f.resources)
                                                            : resourcesFromFlags(f);
    if (!res) return failWith(ctx, res.error());
    // runc checks Intel RDT after the cgroup values; this host (and runc-cpp) has no RDT.
    if (!f.l3CacheSchema.empty()) return failWith(ctx, "Intel RDT/CAT: l3 cache schema is not enabled");
    if (!f.memBwSchema.empty()) return failWith(ctx, "Intel RDT/MBA: memory bandwidth schema is not enabled");
    if (auto r = c->update(*res); !r) return failWith(ctx, r.error());
    return 0;
}

}  // namespace cli
