#include "cgroups/devices/rules.h"

#include <algorithm>

namespace lc::cgroups::devices {
namespace {

std::string fieldName(size_t index) {
    return "linux.resources.devices[" + std::to_string(index) + "]";
}

Result<int64_t> deviceNumber(const std::optional<int64_t>& v, size_t index, const char* what) {
    if (!v || *v == kWildcard) return kWildcard;
    if (*v < 0 || *v > int64_t{UINT32_MAX})
        return fail(EINVAL, fieldName(index) + "." + what + ": " + std::to_string(*v) + " out of range");
    return *v;
}

bool numberMatches(int64_t rule, uint32_t value) { return rule == kWildcard || rule == value; }

}  // namespace

Result<Rule> ruleFromSpec(const spec::DeviceCgroup& d, size_t index) {
    Rule r;
    r.allow = d.allow;
    if (d.type.empty() || d.type == "a") r.type = 'a';
    else if (d.type == "c" || d.type == "b") r.type = d.type[0];
    else return fail(EINVAL, fieldName(index) + ".type: invalid device type \"" + d.type + "\"");
    if (!d.access.empty()) {
        r.access = 0;
        for (char c : d.access) {
            switch (c) {
                case 'r': r.access |= kRead; break;
                case 'w': r.access |= kWrite; break;
                case 'm': r.access |= kMknod; break;
                default: break;  // runc ignores what is not r, w or m
            }
        }
        // runc 1.1 fails these on v1 ("resulting devices cgroup doesn't precisely match
        // target"); a rule that grants or denies nothing is a mistake worth naming.
        if (!r.access)
            return fail(EINVAL, fieldName(index) + ".access: \"" + d.access + "\" names none of r, w, m");
    }
    auto major = deviceNumber(d.major, index, "major");
    if (!major) return std::unexpected(major.error());
    auto minor = deviceNumber(d.minor, index, "minor");
    if (!minor) return std::unexpected(minor.error());
    // Type "a" covers every device whatever numbers come with it (as the kernel reads it).
    r.major = r.type == 'a' ? kWildcard : *major;
    r.minor = r.type == 'a' ? kWildcard : *minor;
    return r;
}

Result<std::vector<Rule>> rulesFromSpec(const std::vector<spec::DeviceCgroup>& list) {
    std::vector<Rule> out;
    out.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
        auto r = ruleFromSpec(list[i], i);
        if (!r) return std::unexpected(r.error());
        out.push_back(*r);
    }
    return out;
}

std::string accessString(uint8_t access) {
    std::string s;
    if (access & kRead) s.push_back('r');
    if (access & kWrite) s.push_back('w');
    if (access & kMknod) s.push_back('m');
    return s;
}

std::string v1String(const Rule& r) {
    std::string s(1, r.type);
    s.push_back(' ');
    s += r.major == kWildcard ? "*" : std::to_string(r.major);
    s.push_back(':');
    s += r.minor == kWildcard ? "*" : std::to_string(r.minor);
    s.push_back(' ');
    s += accessString(r.access);
    return s;
}

bool lastMatchAllows(std::span<const Rule> rules, char type, uint32_t major, uint32_t minor,
                     uint8_t access) {
    uint8_t pending = access;
    for (auto it = rules.rbegin(); it != rules.rend() && pending; ++it) {
        const Rule& r = *it;
        if (r.type != 'a' && r.type != type) continue;
        if (!numberMatches(r.major, major) || !numberMatches(r.minor, minor)) continue;
        if (!(pending & r.access)) continue;
        if (!r.allow) return false;
        pending &= static_cast<uint8_t>(~r.access);
    }
    return pending == 0;
}

void V1Emulator::apply(const Rule& r) {
    if (r.type == 'a') {
        exceptions_.clear();
        defaultAllow_ = r.allow;
        return;
    }
    auto same = [&](const Exception& e) {
        return e.type == r.type && e.major == r.major && e.minor == r.minor;
    };
    auto it = std::find_if(exceptions_.begin(), exceptions_.end(), same);
    // An allow in allow-by-default mode (or a deny in deny-by-default mode) only removes bits
    // from an exception with the very same type and numbers; otherwise the rule is an exception.
    bool add = r.allow != defaultAllow_;
    if (add) {
        if (it != exceptions_.end()) it->access |= r.access;
        else exceptions_.push_back({r.type, r.major, r.minor, r.access});
    } else if (it != exceptions_.end()) {
        it->access &= static_cast<uint8_t>(~r.access);
        if (!it->access) exceptions_.erase(it);
    }
}

bool V1Emulator::allows(char type, uint32_t major, uint32_t minor, uint8_t access) const {
    for (const auto& e : exceptions_) {
        if (e.type != type || !numberMatches(e.major, major) || !numberMatches(e.minor, minor)) continue;
        if (!defaultAllow_ && (access & ~e.access) == 0) return true;
        if (defaultAllow_ && (access & e.access)) return false;
    }
    return defaultAllow_;
}

Result<void> checkV1Expressible(std::span<const Rule> rules) {
    V1Emulator emu;
    for (const auto& r : rules) emu.apply(r);
    // Rules only tell numbers apart by equality, so the numbers they name plus one they do not
    // name cover every case.
    std::vector<uint32_t> majors, minors;
    for (const auto& r : rules) {
        if (r.major != kWildcard) majors.push_back(static_cast<uint32_t>(r.major));
        if (r.minor != kWildcard) minors.push_back(static_cast<uint32_t>(r.minor));
    }
    auto addUnnamed = [](std::vector<uint32_t>& v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        uint32_t n = 0;
        while (std::binary_search(v.begin(), v.end(), n)) ++n;
        v.push_back(n);
    };
    addUnnamed(majors);
    addUnnamed(minors);
    // The kernel asks for mknod alone, or read and/or write (open).
    static constexpr uint8_t requests[] = {kRead, kWrite, kRead | kWrite, kMknod};
    for (char type : {'c', 'b'}) {
        for (uint32_t ma : majors) {
            for (uint32_t mi : minors) {
                for (uint8_t acc : requests) {
                    if (emu.allows(type, ma, mi, acc) && !lastMatchAllows(rules, type, ma, mi, acc)) {
                        Rule probe{type, ma, mi, acc, true};
                        return fail(EINVAL,
                                    "linux.resources.devices: cgroup v1 cannot enforce this rule list: "
                                    "the kernel would allow \"" + v1String(probe) +
                                    "\", which a later rule denies (a deny cannot narrow an earlier "
                                    "wildcard allow on cgroup v1)");
                    }
                }
            }
        }
    }
    return {};
}

}  // namespace lc::cgroups::devices
