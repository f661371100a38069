// Capabilities: name mapping, planning (parent) and applying (container init / exec child).
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/unique_fd.h"
#include "security/security.h"

namespace lc::security {
namespace {

// Capability names by number, as in <linux/capability.h>. Index = CAP_* value.
constexpr std::array<std::string_view, 41> kCapNames = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

constexpr uint64_t bit(int cap) { return uint64_t{1} << cap; }

// Highest cap the kernel accepts in PR_CAPBSET_READ. No allocation, no file: child-safe.
int probeLastCap() {
    int cap = 0;
    while (cap < 63 && ::prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) ++cap;
    return cap;
}

// Names of the set bits, for messages.
std::string namesOf(uint64_t mask) {
    std::string out;
    for (int cap = 0; cap < 64; ++cap) {
        if (!(mask & bit(cap))) continue;
        if (!out.empty()) out += ", ";
        std::string name = capabilityName(cap);
        out += name.empty() ? std::to_string(cap) : name;
    }
    return out;
}

}  // namespace

std::optional<int> capabilityFromName(std::string_view name) {
    for (size_t i = 0; i < kCapNames.size(); ++i)
        if (kCapNames[i] == name) return static_cast<int>(i);
    return std::nullopt;
}

std::string capabilityName(int cap) {
    if (cap < 0 || static_cast<size_t>(cap) >= kCapNames.size()) return {};
    return std::string(kCapNames[static_cast<size_t>(cap)]);
}

int kernelLastCap() {
    UniqueFd fd(::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC));
    if (fd) {
        char buf[16];
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        int value = -1;
        if (n > 0) {
            auto [ptr, ec] = std::from_chars(buf, buf + n, value);
            if (ec == std::errc() && value >= 0 && value < 64) return value;
        }
    }
    return probeLastCap();
}

std::vector<std::string> knownCapabilities() {
    std::vector<std::string> out;
    out.reserve(kCapNames.size());
    for (std::string_view n : kCapNames) out.emplace_back(n);
    return out;
}

Result<CapPlan> planCapabilities(const spec::Capabilities& caps, std::vector<std::string>* warnings,
                                 std::vector<std::string>* notes) {
    CapPlan plan;
    plan.lastCap = kernelLastCap();
    std::vector<std::string_view> warned;  // one warning per name, as runc

    auto toMask = [&](const std::vector<std::string>& names) {
        uint64_t mask = 0;
        for (const std::string& name : names) {
            std::optional<int> cap = capabilityFromName(name);
            if (cap && *cap <= plan.lastCap) {
                mask |= bit(*cap);
                continue;
            }
            if (std::find(warned.begin(), warned.end(), name) != warned.end()) continue;
            warned.push_back(name);
            if (!warnings) continue;
            if (cap)
                warnings->push_back("capability \"" + name + "\" is not supported by the running kernel; ignored");
            else
                warnings->push_back("unknown capability \"" + name + "\" ignored");
        }
        return mask;
    };
    plan.bounding = toMask(caps.bounding);
    plan.effective = toMask(caps.effective);
    plan.inheritable = toMask(caps.inheritable);
    plan.permitted = toMask(caps.permitted);
    plan.ambient = toMask(caps.ambient);

    // capset(2) refuses an effective set that is not a subset of the permitted one: say so now,
    // in the parent, rather than with a bare EPERM from the container init.
    if (uint64_t extra = plan.effective & ~plan.permitted)
        return fail(EINVAL, "process.capabilities.effective: not in the permitted set: " + namesOf(extra));

    // The kernel only raises an ambient cap that is both permitted and inheritable; runc tries
    // anyway and stays silent. Dropping it here gives the same result, with a debug note.
    if (uint64_t bad = plan.ambient & ~(plan.permitted & plan.inheritable)) {
        for (int cap = 0; cap < 64; ++cap) {
            if (!(bad & bit(cap))) continue;
            if (notes)
                notes->push_back("ambient capability \"" + capabilityName(cap) +
                                 "\" is not in both the permitted and inheritable sets; ignored");
        }
        plan.ambient &= ~bad;
    }
    return plan;
}

Result<void> dropBounding(const CapPlan& plan, sys::ProcessCalls& sc) {
    int last = plan.lastCap >= 0 ? plan.lastCap : probeLastCap();
    for (int cap = 0; cap <= last; ++cap) {
        if (plan.bounding & bit(cap)) continue;
        int present = sc.prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present == 0) continue;                 // already gone
        if (present < 0 && errno == EINVAL) break;  // beyond the kernel's last cap
        if (sc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            int err = errno;
            return errnoError("drop " + namesOf(bit(cap)) + " from the bounding set", err);
        }
    }
    if (sc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return errnoError("prctl(PR_SET_KEEPCAPS, 1)");
    return {};
}

Result<void> applyCapabilities(const CapPlan& plan, sys::ProcessCalls& sc, uint64_t* unraisedAmbient) {
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    auto split = [](uint64_t mask, int word) { return static_cast<uint32_t>(mask >> (32 * word)); };
    for (int w = 0; w < _LINUX_CAPABILITY_U32S_3; ++w) {
        data[w].effective = split(plan.effective, w);
        data[w].permitted = split(plan.permitted, w);
        data[w].inheritable = split(plan.inheritable, w);
    }
    if (sc.capset(data) != 0) return errnoError("capset");

    // Start from an empty ambient set: an `exec` process must not keep the runtime's ambient
    // caps. EINVAL means the kernel has no ambient caps at all (before 4.3).
    if (sc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        return errnoError("clear the ambient capability set");
    uint64_t unraised = 0;
    for (int cap = 0; cap < 64; ++cap) {
        if (!(plan.ambient & bit(cap))) continue;
        if (sc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) unraised |= bit(cap);
    }
    if (unraisedAmbient) *unraisedAmbient = unraised;

    if (sc.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return errnoError("prctl(PR_SET_KEEPCAPS, 0)");
    return {};
}

}  // namespace lc::security
