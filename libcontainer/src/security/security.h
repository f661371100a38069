// Capabilities, seccomp and no_new_privs for the container init and exec'd processes.
//
// Call order (container init and `exec` alike):
//   parent, before clone:  planCapabilities(), compileSeccomp()   -- all validation happens here
//   child, uid still 0:    dropBounding(plan)
//   caller:                setgroups / setresgid / setresuid
//   child:                 applyCapabilities(plan)
//   caller:                prctl(PR_SET_NO_NEW_PRIVS, 1) when process.noNewPrivileges
//   child, last step:      loadSeccomp(prog), then execve
//
// The child-side functions make no allocations and touch no files (only prctl/capset/seccomp
// system calls), so they are safe in a clone3 child of a single-threaded parent.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"
#include "sys/process_calls.h"

namespace lc::security {

// ---------------------------------------------------------------------------------------------
// Capabilities

// Capability sets as bit masks (bit = CAP_* number).
struct CapPlan {
    uint64_t bounding = 0, effective = 0, inheritable = 0, permitted = 0, ambient = 0;
    // The running kernel's highest capability number (cap_last_cap); dropBounding walks 0..lastCap.
    // -1: unknown, dropBounding probes the kernel itself.
    int lastCap = -1;
};

// Maps the names of `caps` to bits. As runc does, a name that is unknown (misspelled, or newer
// than this build) or not supported by the running kernel is dropped and a warning
// `unknown capability "CAP_FOO" ignored` is appended to `warnings` (may be null).
// An ambient capability that is not in both permitted and inheritable can never be raised
// (runc tries, fails and says nothing: its own default spec has ambient caps and no
// inheritable ones); it is dropped here with a note in `notes` (may be null; debug level).
// An effective capability outside permitted is an error (capset would refuse it in the child).
// A default-constructed spec::Capabilities yields an all-zero plan: every capability dropped.
Result<CapPlan> planCapabilities(const spec::Capabilities& caps, std::vector<std::string>* warnings,
                                 std::vector<std::string>* notes = nullptr);

// In the child, while still uid 0 with full caps: drops every cap not in plan.bounding from
// the bounding set (needs CAP_SETPCAP; caps already absent are skipped) and sets
// PR_SET_KEEPCAPS so that a following setresuid to a non-zero uid keeps the permitted set.
Result<void> dropBounding(const CapPlan& plan, sys::ProcessCalls& sc);

// In the child, after setresuid/setresgid: sets effective/permitted/inheritable with capset(2),
// clears the ambient set, raises each ambient capability, then clears PR_SET_KEEPCAPS.
// Raising an ambient capability that the kernel refuses is not an error, as in runc (which only
// warns): the refused caps are reported in `*unraisedAmbient` (may be null) so the caller can
// warn. Clearing the ambient set must succeed (EINVAL, a kernel without ambient caps, is ok).
Result<void> applyCapabilities(const CapPlan& plan, sys::ProcessCalls& sc, uint64_t* unraisedAmbient = nullptr);

// "CAP_CHOWN" -> 0. Exact, upper-case names only (as in config.json). nullopt when unknown to
// this build (the kernel is not consulted).
std::optional<int> capabilityFromName(std::string_view name);
// 0 -> "CAP_CHOWN"; empty for numbers unknown to this build.
std::string capabilityName(int cap);
// The running kernel's highest capability number (/proc/sys/kernel/cap_last_cap, else probed
// with PR_CAPBSET_READ).
int kernelLastCap();
// All capability names known to this build, in number order (`runc features` "capabilities").
std::vector<std::string> knownCapabilities();

// ---------------------------------------------------------------------------------------------
// Seccomp

// A compiled seccomp filter (classic BPF), built in the parent before clone.
struct SeccompProgram {
    std::vector<sock_filter> filter;
    unsigned flags = 0;   // SECCOMP_FILTER_FLAG_* to pass to seccomp(2) (NEW_LISTENER included)
    bool notify = false;  // has SCMP_ACT_NOTIFY rules: loading returns a listener fd
};

// Builds the filter with libseccomp and exports it as classic BPF. Follows runc:
//  - the native architecture is always in the filter; `architectures` are added to it;
//  - syscall names libseccomp does not know are skipped silently;
//  - rules whose action equals the default action are skipped;
//  - SCMP_ACT_ERRNO and SCMP_ACT_TRACE return errnoRet, EPERM when not given;
//  - several conditions on the same argument index in one rule become one rule per condition
//    (OR), otherwise all conditions form one rule (AND);
//  - SCMP_ACT_NOTIFY is refused as default action and for `write`;
//  - SECCOMP_FILTER_FLAG_TSYNC is accepted and ignored (the init is single-threaded);
//  - unless the default action is permissive (ALLOW, LOG, TRACE), a stub returning ENOSYS for
//    syscall numbers above the highest one the profile names is prepended, per listed
//    architecture, so that libc falls back from syscalls newer than the profile.
// Errors name the offending field ("linux.seccomp.syscalls[3].action: unknown action ...").
Result<SeccompProgram> compileSeccomp(const spec::Seccomp& sc);

// In the child, last thing before execve. seccomp(2) requires no_new_privs or CAP_SYS_ADMIN in
// the caller's user namespace: the caller sets no_new_privs beforehand when asked (we never
// set it). Returns the notify listener fd (O_CLOEXEC, owned by the caller) or -1.
// With a notify program every syscall made after this call and before execve that the profile
// notifies blocks until a supervisor answers: the caller must hand the fd over with syscalls
// the profile does not notify (compileSeccomp refuses notify on `write`, as runc does).
Result<int> loadSeccomp(const SeccompProgram& prog, sys::ProcessCalls& sc);

// What this build and the running kernel support, for `runc features` ("linux.seccomp").
struct SeccompFeatures {
    bool enabled = true;                      // built with libseccomp
    std::vector<std::string> actions;         // SCMP_ACT_*, those the kernel offers, sorted
    std::vector<std::string> operators;       // SCMP_CMP_*, sorted
    std::vector<std::string> archs;           // SCMP_ARCH_* known to libseccomp, sorted
    std::vector<std::string> knownFlags;      // SECCOMP_FILTER_FLAG_* we accept
    std::vector<std::string> supportedFlags;  // the subset the kernel supports
    std::string libseccompVersion;            // "2.5.4"
};
SeccompFeatures seccompFeatures();

}  // namespace lc::security
