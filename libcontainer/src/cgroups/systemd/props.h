// systemd unit properties: a typed value per name (the D-Bus signatures systemd expects), made
// from the spec's resources and from org.systemd.property.* annotations, as runc maps them.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "cgroups/devices/rules.h"
#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::cgroups::systemd {

using DeviceAllowList = std::vector<std::pair<std::string, std::string>>;  // a(ss): path, perms

struct Value {
    // 'b' bool, 'y' 'n' 'q' 'i' 'u' 'x' 't' integers (kept as int64/uint64), 'd' double, 's'
    // string, "as" strings, "au" u32 list, "ay" bytes, "a(ss)" pairs.
    std::string signature;
    std::variant<bool, int64_t, uint64_t, double, std::string, std::vector<std::string>, std::vector<uint32_t>,
                 std::vector<uint8_t>, DeviceAllowList>
        v;
};

struct Property {
    std::string name;
    Value value;
};
using Properties = std::vector<Property>;

Property boolProp(std::string name, bool v);
Property u64Prop(std::string name, uint64_t v);
Property strProp(std::string name, std::string v);

inline constexpr uint64_t kInfinity = UINT64_MAX;  // systemd's "infinity" for limits

// systemd versions that first took a property (older ones leave it to the cgroupfs write).
inline constexpr int kQuotaPeriodVersion = 242;  // CPUQuotaPeriodUSec
inline constexpr int kAllowedCpusVersion = 244;  // AllowedCPUs, AllowedMemoryNodes

// "0-3,8" -> the byte array systemd takes for AllowedCPUs/AllowedMemoryNodes: bit n of byte
// n/8 for CPU 8*(n/8)+n%8 (least significant byte first). Empty sets are errors.
Result<std::vector<uint8_t>> rangeToBits(std::string_view list);

// CPUQuotaPerSecUSec from quota/period as runc computes it (period 0: 100000; rounded up to
// whole 10ms, since systemd keeps whole percents); quota <= 0 is infinity.
uint64_t cpuQuotaPerSecUSec(int64_t quota, uint64_t period);

// The properties for `res`: memory (MemoryMax, MemoryLow, MemorySwapMax), CPUWeight (from
// shares), CPUQuotaPerSecUSec and CPUQuotaPeriodUSec, AllowedCPUs/AllowedMemoryNodes, TasksMax,
// IOWeight (from blkio weight), DevicePolicy/DeviceAllow, and the unified keys systemd knows
// (cpu.max, cpu.weight, cpuset.*, memory.{min,low,high,max,swap.max}, pids.max). Fields systemd
// has no property for are left to the cgroupfs writers. `systemdVersion` gates the newer
// properties (0: unknown, all of them are used).
Result<Properties> resourceProperties(const spec::Resources& res, int systemdVersion);

// DevicePolicy + DeviceAllow for the rules (an ordered OCI list, later rules win): strict with
// the allowed devices, or auto with no list when everything is allowed. A rule systemd cannot
// say ("*:n") is left out; the eBPF program written afterwards enforces the exact list.
// `procDevices` is /proc/devices (for "c 136:*" -> "char-pts"); `exists` tells whether a
// /dev/char/M:N or /dev/block/M:N path (or its /sys twin) exists.
Properties deviceProperties(std::span<const devices::Rule> rules, std::string_view procDevices,
                            bool (*exists)(const std::string& path));

// The org.systemd.property.<Name> annotations as properties, as runc reads them: Name of at
// least three ASCII letters; the value in GVariant text form ("true", "123" (int32),
// "uint64 123", "@t 123", "'text'", "['a', 'b']", "1.5"); a name ending in a lowercase letter
// and "Sec" becomes "...USec" with the value in microseconds. Errors name the annotation.
Result<Properties> annotationProperties(const std::map<std::string, std::string>& annotations);
Result<Value> parseGVariantText(std::string_view text);

}  // namespace lc::cgroups::systemd
