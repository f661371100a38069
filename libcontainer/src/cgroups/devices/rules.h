// Device cgroup rules: validation of linux.resources.devices and their meaning.
//
// The OCI list is ordered and later rules override earlier ones. Precisely (lastMatchAllows):
// an access request (type, major, minor, bits) is allowed when every requested bit is granted by
// the last rule that matches the device and names that bit; bits no rule names are denied.
// cgroup v2 enforces exactly that with an eBPF program (bpf.h). On v1 the list is written to
// devices.deny/devices.allow in order after "a" is denied, and the kernel's exception lists
// decide; checkV1Expressible() rejects lists for which the kernel would allow more than the
// OCI meaning (a deny cannot punch a hole in an earlier wildcard allow on v1).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::cgroups::devices {

inline constexpr int64_t kWildcard = -1;
// Same bit values as BPF_DEVCG_ACC_*.
enum Access : uint8_t { kMknod = 1, kRead = 2, kWrite = 4, kAllAccess = 7 };

struct Rule {
    char type = 'a';  // 'a' (every device), 'c', 'b'
    int64_t major = kWildcard;
    int64_t minor = kWildcard;
    uint8_t access = kAllAccess;
    bool allow = false;
};

// Validates linux.resources.devices[index]: type a/b/c (empty = a), major/minor absent or -1 =
// wildcard, otherwise 0..2^32-1. access: the r, w and m in it, any other character ignored as
// runc does ("rwa" is rw); empty is rwm. One with none of r, w, m is an error (runc 1.1 fails
// it on v1 hosts).
Result<Rule> ruleFromSpec(const spec::DeviceCgroup& d, size_t index);
Result<std::vector<Rule>> rulesFromSpec(const std::vector<spec::DeviceCgroup>& list);

// "c 1:3 rwm", "b 8:* r", "a *:* rwm" (devices.allow / devices.deny syntax).
std::string v1String(const Rule& r);
std::string accessString(uint8_t access);

bool lastMatchAllows(std::span<const Rule> rules, char type, uint32_t major, uint32_t minor,
                     uint8_t access);

// The v1 kernel's exception-list semantics, starting from "a" denied.
class V1Emulator {
public:
    void apply(const Rule& r);
    bool allows(char type, uint32_t major, uint32_t minor, uint8_t access) const;

private:
    struct Exception { char type; int64_t major, minor; uint8_t access; };
    bool defaultAllow_ = false;
    std::vector<Exception> exceptions_;
};

Result<void> checkV1Expressible(std::span<const Rule> rules);

}  // namespace lc::cgroups::devices
