// Test helpers: building linux.seccomp profiles in C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "spec/spec.h"

namespace lc::security::test {

inline spec::SeccompArg arg(uint32_t index, std::string op, uint64_t value, uint64_t valueTwo = 0) {
    spec::SeccompArg a;
    a.index = index;
    a.op = std::move(op);
    a.value = value;
    a.valueTwo = valueTwo;
    return a;
}

inline spec::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                                 std::vector<spec::SeccompArg> args = {},
                                 std::optional<uint32_t> errnoRet = std::nullopt) {
    spec::SeccompSyscall s;
    s.names = std::move(names);
    s.action = std::move(action);
    s.args = std::move(args);
    s.errnoRet = errnoRet;
    return s;
}

inline spec::Seccomp profile(std::string defaultAction, std::vector<spec::SeccompSyscall> syscalls,
                             std::vector<std::string> architectures = {}) {
    spec::Seccomp sc;
    sc.defaultAction = std::move(defaultAction);
    sc.syscalls = std::move(syscalls);
    sc.architectures = std::move(architectures);
    return sc;
}

// The architectures docker lists on this machine's family (empty elsewhere).
inline std::vector<std::string> nativeArchs() {
#if defined(__x86_64__)
    return {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
    return {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#else
    return {};
#endif
}

}  // namespace lc::security::test
