// Shared between the seccomp sources: name tables and kernel probes. Not for other folders.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"

// Older kernel headers lack the newest flags; the values are ABI.
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

namespace lc::security::detail {

struct ActionInfo {
    std::string_view name;        // "SCMP_ACT_ERRNO"
    uint32_t action;              // libseccomp action, errno/trace data 0
    bool takesErrno;              // ERRNO and TRACE carry errnoRet (EPERM by default)
    std::string_view kernelName;  // its word in /proc/sys/kernel/seccomp/actions_avail
};
std::span<const ActionInfo> actionTable();

struct OperatorInfo {
    std::string_view name;
    scmp_compare op;
};
std::span<const OperatorInfo> operatorTable();

struct ArchInfo {
    std::string_view name;  // "SCMP_ARCH_X86_64"
    uint32_t token;         // SCMP_ARCH_*
};
std::span<const ArchInfo> archTable();

struct FlagInfo {
    std::string_view name;  // "SECCOMP_FILTER_FLAG_LOG"
    unsigned value;
};
std::span<const FlagInfo> flagTable();

std::optional<uint32_t> archToken(std::string_view name);

// Whether seccomp(SECCOMP_SET_MODE_FILTER) accepts `flags`. Probed with a null program: the
// kernel checks the flags (EINVAL) before it reads the program (EFAULT), so nothing is loaded.
bool kernelAcceptsFilterFlags(unsigned flags);

// The ENOSYS stub to put in front of the libseccomp program (empty when not wanted); see
// compileSeccomp in security.h. `defaultAction` is the resolved libseccomp default action.
Result<std::vector<sock_filter>> enosysStub(const spec::Seccomp& sc, uint32_t defaultAction);

}  // namespace lc::security::detail
