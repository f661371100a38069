// The ENOSYS stub put in front of the libseccomp program (runc does the same).
//
// A profile denies what it does not list with its default action, usually ERRNO(EPERM). For a
// syscall newer than the profile that is wrong: libc tries new syscalls (clone3, faccessat2,
// ...) and falls back to older ones only on ENOSYS. So, per listed architecture, a syscall
// whose number is above the highest number the profile names gets ENOSYS, whatever the
// default action is. The rest goes on to the libseccomp program.
//
// Layout (every conditional jump is short; the long ones are `ja`, whose offset is 32 bits):
//   ld  arch
//   jeq ARCH_0 ? next : skip1 ;  ja section_0      (one pair per architecture)
//   ...
//   ja  filter                                      (architectures not listed)
//   section:  ld nr ; [s390: jeq 0 -> ret ENOSYS] ; [x86_64: jset X32 bit -> x32 part]
//             jgt MAX ? next : skip1 ; ret ENOSYS ; ja filter
//   filter:   the libseccomp program
#include <linux/audit.h>
#include <stddef.h>

#include <cerrno>
#include <map>

#include "security/seccomp_internal.h"

namespace lc::security::detail {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT
constexpr uint32_t kRetEnosys = SCMP_ACT_ERRNO(ENOSYS);

// The highest syscall numbers the profile names for one kernel architecture (AUDIT_ARCH_*).
// x86_64 and x32 share AUDIT_ARCH_X86_64 and differ in the X32 bit of the number.
struct ArchLimits {
    int64_t maxMain = 0;  // 0: none found
    int64_t maxX32 = 0;
    bool s390 = false;    // syscall 0 is the multiplexer of unknown syscalls there
};

bool permissive(uint32_t action) {
    uint32_t kind = action & SECCOMP_RET_ACTION_FULL;
    // TRACE counts as permissive: a tracer should handle new syscalls itself.
    return kind == SCMP_ACT_ALLOW || kind == SCMP_ACT_LOG || kind == (SCMP_ACT_TRACE(0) & SECCOMP_RET_ACTION_FULL);
}

sock_filter stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return sock_filter{code, jt, jf, k}; }

// Placeholder for "ja filter": its offset is known once the stub length is.
constexpr uint32_t kToFilter = 0xffffffff;

void appendLimitCheck(std::vector<sock_filter>& s, int64_t max) {
    s.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(max), 0, 1));
    s.push_back(stmt(BPF_RET | BPF_K, kRetEnosys));
    s.push_back(stmt(BPF_JMP | BPF_JA, kToFilter));
}

std::vector<sock_filter> section(uint32_t auditArch, const ArchLimits& lim) {
    std::vector<sock_filter> s;
    s.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    if (lim.s390) {
        s.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1));
        s.push_back(stmt(BPF_RET | BPF_K, kRetEnosys));
    }
    if (auditArch != AUDIT_ARCH_X86_64) {
        appendLimitCheck(s, lim.maxMain);
        return s;
    }
    // A limit check is 3 instructions (jgt, ret, ja).
    if (lim.maxMain > 0 && lim.maxX32 > 0) {
        s.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 3, 0));
        appendLimitCheck(s, lim.maxMain);
        appendLimitCheck(s, lim.maxX32);
    } else if (lim.maxMain > 0) {
        s.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 2, 0));  // x32: to the final ja
        appendLimitCheck(s, lim.maxMain);
    } else {
        s.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, 2));  // x86_64: to the final ja
        appendLimitCheck(s, lim.maxX32);
    }
    return s;
}

}  // namespace

Result<std::vector<sock_filter>> enosysStub(const spec::Seccomp& sc, uint32_t defaultAction) {
    if (permissive(defaultAction)) return std::vector<sock_filter>{};
    // The default already answers ENOSYS: nothing to add.
    if ((defaultAction & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_ERRNO(0) &&
        (defaultAction & SECCOMP_RET_DATA) == ENOSYS)
        return std::vector<sock_filter>{};

    std::map<uint32_t, ArchLimits> limits;  // ordered: the stub is the same for the same profile
    for (const std::string& archName : sc.architectures) {
        std::optional<uint32_t> token = archToken(archName);
        if (!token) continue;  // compileSeccomp has reported it already
        int64_t max = 0;
        for (const spec::SeccompSyscall& call : sc.syscalls)
            for (const std::string& name : call.names) {
                int nr = seccomp_syscall_resolve_name_arch(*token, name.c_str());
                if (nr > max) max = nr;  // negative: unknown or a libseccomp pseudo syscall
            }
        if (max <= 0) continue;
        bool x32 = *token == SCMP_ARCH_X32;
        uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : *token;  // SCMP_ARCH_X32 is not a kernel value
        ArchLimits& lim = limits[audit];
        (x32 ? lim.maxX32 : lim.maxMain) = max;
        lim.s390 = *token == SCMP_ARCH_S390 || *token == SCMP_ARCH_S390X;
    }
    if (limits.empty()) return std::vector<sock_filter>{};

    std::vector<std::vector<sock_filter>> sections;
    for (const auto& [audit, lim] : limits) sections.push_back(section(audit, lim));

    std::vector<sock_filter> stub;
    stub.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    size_t dispatchEnd = 1 + 2 * limits.size() + 1;
    size_t sectionStart = dispatchEnd;
    size_t i = 0;
    for (const auto& entry : limits) {
        stub.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, entry.first, 0, 1));
        size_t pos = stub.size();
        stub.push_back(stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(sectionStart - (pos + 1))));
        sectionStart += sections[i++].size();
    }
    stub.push_back(stmt(BPF_JMP | BPF_JA, kToFilter));
    for (const auto& s : sections) stub.insert(stub.end(), s.begin(), s.end());

    // Resolve the jumps to the libseccomp program, which starts right after the stub.
    for (size_t pos = 0; pos < stub.size(); ++pos)
        if (stub[pos].code == (BPF_JMP | BPF_JA) && stub[pos].k == kToFilter)
            stub[pos].k = static_cast<uint32_t>(stub.size() - (pos + 1));
    return stub;
}

}  // namespace lc::security::detail
