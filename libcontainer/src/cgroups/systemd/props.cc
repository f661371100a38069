#include "cgroups/systemd/props.h"

#include <charconv>
#include <cstdlib>

#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v2/v2.h"

namespace lc::cgroups::systemd {
namespace {

constexpr uint64_t kDefaultPeriod = 100000;

std::optional<uint64_t> parseU64(std::string_view s) {
    s = trim(s);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<int64_t> parseI64(std::string_view s) {
    s = trim(s);
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

Property bitsProp(std::string name, std::vector<uint8_t> bits) {
    return {std::move(name), {"ay", std::move(bits)}};
}

// memory.* / pids.max values: "max" is infinity.
Result<uint64_t> limitValue(const std::string& key, std::string_view v) {
    if (trim(v) == "max") return kInfinity;
    auto n = parseU64(v);
    if (!n) return fail(EINVAL, "linux.resources.unified[\"" + key + "\"]: invalid value \"" + std::string(v) + "\"");
    return *n;
}

void addQuota(Properties& out, int64_t quota, uint64_t period, int version) {
    if (period != 0 && (version == 0 || version >= kQuotaPeriodVersion))
        out.push_back(u64Prop("CPUQuotaPeriodUSec", period));
    if (quota != 0 || period != 0) out.push_back(u64Prop("CPUQuotaPerSecUSec", cpuQuotaPerSecUSec(quota, period)));
}

Result<void> addCpuset(Properties& out, const std::string& field, const char* prop, const std::string& list,
                       int version) {
    if (list.empty()) return {};
    auto bits = rangeToBits(list);
    if (!bits) return std::unexpected(bits.error().wrap(field));
    if (version == 0 || version >= kAllowedCpusVersion) out.push_back(bitsProp(prop, std::move(*bits)));
    return {};
}

Result<void> addUnified(Properties& out, const std::map<std::string, std::string>& unified, int version) {
    for (const auto& [key, raw] : unified) {
        const std::string field = "linux.resources.unified[\"" + key + "\"]";
        std::string_view v = trim(raw);
        if (key == "cpu.max") {
            auto f = splitFields(v);
            if (f.empty() || f.size() > 2) return fail(EINVAL, field + ": invalid value \"" + raw + "\"");
            int64_t quota = 0;
            uint64_t period = kDefaultPeriod;
            if (f[0] != "max") {
                auto q = parseI64(f[0]);
                if (!q) return fail(EINVAL, field + ": invalid quota \"" + std::string(f[0]) + "\"");
                quota = *q;
            }
            if (f.size() == 2) {
                auto p = parseU64(f[1]);
                if (!p) return fail(EINVAL, field + ": invalid period \"" + std::string(f[1]) + "\"");
                period = *p;
            }
            addQuota(out, quota, period, version);
        } else if (key == "cpu.weight") {
            auto n = parseU64(v);
            if (!n) return fail(EINVAL, field + ": invalid value \"" + raw + "\"");
            out.push_back(u64Prop("CPUWeight", *n));
        } else if (key == "cpuset.cpus") {
            LC_TRY(addCpuset(out, field, "AllowedCPUs", std::string(v), version));
        } else if (key == "cpuset.mems") {
            LC_TRY(addCpuset(out, field, "AllowedMemoryNodes", std::string(v), version));
        } else if (key == "memory.min" || key == "memory.low" || key == "memory.high" || key == "memory.max" ||
                   key == "memory.swap.max") {
            static const std::map<std::string, const char*> names = {{"memory.min", "MemoryMin"},
                                                                     {"memory.low", "MemoryLow"},
                                                                     {"memory.high", "MemoryHigh"},
                                                                     {"memory.max", "MemoryMax"},
                                                                     {"memory.swap.max", "MemorySwapMax"}};
            auto n = limitValue(key, v);
            if (!n) return std::unexpected(n.error());
            out.push_back(u64Prop(names.at(key), *n));
        } else if (key == "pids.max") {
            auto n = limitValue(key, v);
            if (!n) return std::unexpected(n.error());
            out.push_back(u64Prop("TasksMax", *n));
        }
        // Anything else has no systemd property: the cgroupfs writer sets it.
    }
    return {};
}

// The device group (second column of /proc/devices) of a major number, "char-<name>".
std::string deviceGroup(std::string_view procDevices, char type, int64_t major) {
    bool inSection = false;
    while (!procDevices.empty()) {
        size_t nl = procDevices.find('\n');
        std::string_view line = trim(procDevices.substr(0, nl));
        procDevices = nl == std::string_view::npos ? std::string_view{} : procDevices.substr(nl + 1);
        if (line == "Character devices:") { inSection = type == 'c'; continue; }
        if (line == "Block devices:") { inSection = type == 'b'; continue; }
        if (!inSection || line.empty()) continue;
        auto f = splitFields(line);
        if (f.size() != 2) continue;
        auto m = parseU64(f[0]);
        if (m && static_cast<int64_t>(*m) == major)
            return std::string(type == 'c' ? "char-" : "block-") + std::string(f[1]);
    }
    return {};
}

struct AllowEntry {
    char type;
    int64_t major, minor;
    uint8_t access;
};

}  // namespace

Property boolProp(std::string name, bool v) { return {std::move(name), {"b", v}}; }
Property u64Prop(std::string name, uint64_t v) { return {std::move(name), {"t", v}}; }
Property strProp(std::string name, std::string v) { return {std::move(name), {"s", std::move(v)}}; }

Result<std::vector<uint8_t>> rangeToBits(std::string_view list) {
    std::vector<uint8_t> out;
    auto set = [&](uint64_t bit) {
        if (out.size() <= bit / 8) out.resize(bit / 8 + 1, 0);
        out[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    };
    for (auto part : splitFields(list, ",")) {
        part = trim(part);
        if (part.empty()) continue;
        size_t dash = part.find('-');
        auto a = parseU64(part.substr(0, dash));
        auto b = dash == std::string_view::npos ? a : parseU64(part.substr(dash + 1));
        if (!a || !b || *a > *b || *b > 65535)
            return fail(EINVAL, "invalid CPU/memory node list \"" + std::string(list) + "\"");
        for (uint64_t i = *a; i <= *b; ++i) set(i);
    }
    if (out.empty()) return fail(EINVAL, "empty CPU/memory node list \"" + std::string(list) + "\"");
    return out;
}

uint64_t cpuQuotaPerSecUSec(int64_t quota, uint64_t period) {
    if (quota <= 0) return kInfinity;
    if (period == 0) period = kDefaultPeriod;
    uint64_t v = static_cast<uint64_t>(quota) * 1000000 / period;
    if (v % 10000 != 0) v = (v / 10000 + 1) * 10000;
    return v;
}

Result<Properties> resourceProperties(const spec::Resources& res, int version) {
    Properties out;
    if (res.memory) {
        const spec::Memory& m = *res.memory;
        const int64_t limit = m.limit.value_or(0);
        if (limit != 0) out.push_back(u64Prop("MemoryMax", limit < 0 ? kInfinity : static_cast<uint64_t>(limit)));
        if (isSet(m.reservation))
            out.push_back(u64Prop("MemoryLow", *m.reservation < 0 ? kInfinity : static_cast<uint64_t>(*m.reservation)));
        auto swap = v2::swapMax(m.swap.value_or(0), limit);
        if (!swap) return std::unexpected(swap.error());
        if (!swap->empty() && (isSet(m.swap) || limit != 0)) {
            if (*swap == "max") out.push_back(u64Prop("MemorySwapMax", kInfinity));
            else if (auto n = parseU64(*swap)) out.push_back(u64Prop("MemorySwapMax", *n));
        }
    }
    if (res.cpu) {
        const spec::Cpu& c = *res.cpu;
        if (isSet(c.shares)) out.push_back(u64Prop("CPUWeight", v2::cpuWeightFromShares(*c.shares)));
        addQuota(out, c.quota.value_or(0), c.period.value_or(0), version);
        LC_TRY(addCpuset(out, "linux.resources.cpu.cpus", "AllowedCPUs", c.cpus, version));
        LC_TRY(addCpuset(out, "linux.resources.cpu.mems", "AllowedMemoryNodes", c.mems, version));
    }
    if (res.pids) {
        const int64_t limit = res.pids->limit;
        if (limit > 0) out.push_back(u64Prop("TasksMax", static_cast<uint64_t>(limit)));
        else if (limit < 0) out.push_back(u64Prop("TasksMax", kInfinity));
    }
    if (res.blockIO && isSet(res.blockIO->weight))
        out.push_back(u64Prop("IOWeight", v2::ioWeightFromBlkio(*res.blockIO->weight)));
    LC_TRY(addUnified(out, res.unified, version));
    return out;
}

Properties deviceProperties(std::span<const devices::Rule> rules, std::string_view procDevices,
                            bool (*exists)(const std::string& path)) {
    bool allowAll = false;
    std::vector<AllowEntry> allowed;
    for (const auto& r : rules) {
        if (r.type == 'a' && r.major == devices::kWildcard && r.minor == devices::kWildcard &&
            r.access == devices::kAllAccess) {
            allowAll = r.allow;
            allowed.clear();
            continue;
        }
        if (r.allow) {
            if (!allowAll) allowed.push_back({r.type, r.major, r.minor, r.access});
            continue;
        }
        // A deny: take its bits away from identical entries (systemd has no deny list; the
        // eBPF program enforces the exact rules).
        for (auto& e : allowed)
            if ((r.type == 'a' || e.type == r.type) && (r.major == devices::kWildcard || e.major == r.major) &&
                (r.minor == devices::kWildcard || e.minor == r.minor))
                e.access &= static_cast<uint8_t>(~r.access);
    }
    if (allowAll) return {strProp("DevicePolicy", "auto"), {"DeviceAllow", {"a(ss)", DeviceAllowList{}}}};
    DeviceAllowList list;
    for (const auto& e : allowed) {
        if (e.access == 0) continue;
        std::string perms = devices::accessString(e.access);
        std::vector<char> types;
        if (e.type == 'a') types = {'c', 'b'};
        else types = {e.type};
        for (char t : types) {
            const char* prefix = t == 'c' ? "char-" : "block-";
            std::string path;
            if (e.major == devices::kWildcard) {
                if (e.minor != devices::kWildcard) continue;  // "*:n": systemd cannot say it
                path = std::string(prefix) + "*";
            } else if (e.minor == devices::kWildcard) {
                path = deviceGroup(procDevices, t, e.major);
                if (path.empty()) continue;
            } else {
                path = std::string(t == 'c' ? "/dev/char/" : "/dev/block/") + std::to_string(e.major) + ":" +
                       std::to_string(e.minor);
                if (!exists(path) && !exists("/sys" + path)) continue;
            }
            list.emplace_back(std::move(path), perms);
        }
    }
    return {strProp("DevicePolicy", "strict"), {"DeviceAllow", {"a(ss)", DeviceAllowList{}}},
            {"DeviceAllow", {"a(ss)", std::move(list)}}};
}

}  // namespace lc::cgroups::systemd
