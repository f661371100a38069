// Capabilities, seccomp and no_new_privs for the container init and exec'd processes.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::security {

// Capability sets as bit masks (bit = CAP_* number). Unknown names are dropped with a
// warning added to `warnings` (runc warns and ignores).
struct CapPlan {
    uint64_t bounding = 0, effective = 0, inheritable = 0, permitted = 0, ambient = 0;
};
Result<CapPlan> planCapabilities(const spec::Capabilities& caps, std::vector<std::string>* warnings);

// In the child, while still uid 0 with full caps: drops every cap not in plan.bounding from
// the bounding set and sets PR_SET_KEEPCAPS so that a following setuid keeps the permitted set.
Result<void> dropBounding(const CapPlan& plan);
// In the child, after setresuid/setresgid: sets effective/permitted/inheritable with capset,
// then raises the ambient ones, clears keepcaps.
Result<void> applyCapabilities(const CapPlan& plan);

// A compiled seccomp filter (classic BPF), built in the parent before clone.
struct SeccompProgram {
    std::vector<sock_filter> filter;
    unsigned flags = 0;          // SECCOMP_FILTER_FLAG_* to pass to seccomp(2)
    bool notify = false;         // has SCMP_ACT_NOTIFY rules: loading returns a listener fd
};
Result<SeccompProgram> compileSeccomp(const spec::Seccomp& sc);
// In the child, last thing before execve (after no_new_privs when set). Returns the notify
// fd (or -1).
Result<int> loadSeccomp(const SeccompProgram& prog);

}  // namespace lc::security
