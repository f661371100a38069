// Seccomp name tables (OCI spelling -> libseccomp values), kernel probes and `features` data.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string>

#include "libcontainer/unique_fd.h"
#include "security/seccomp_internal.h"
#include "security/security.h"

namespace lc::security {
namespace detail {
namespace {

constexpr ActionInfo kActions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false, "kill_thread"},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false, "kill_thread"},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false, "kill_process"},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false, "trap"},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true, "errno"},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true, "trace"},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false, "allow"},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false, "log"},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false, "user_notif"},
};

constexpr OperatorInfo kOperators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE}, {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

// The architectures the OCI spec names, as far as the installed libseccomp knows them.
constexpr ArchInfo kArchs[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
#ifdef SCMP_ARCH_PARISC
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
#endif
#ifdef SCMP_ARCH_PARISC64
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
#endif
#ifdef SCMP_ARCH_RISCV64
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#endif
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
#endif
#ifdef SCMP_ARCH_SHEB
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};

constexpr FlagInfo kFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

// The words of /proc/sys/kernel/seccomp/actions_avail; nullopt when it cannot be read.
std::optional<std::vector<std::string>> kernelActions() {
    UniqueFd fd(::open("/proc/sys/kernel/seccomp/actions_avail", O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string text;
    char buf[512];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    std::vector<std::string> words;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find_first_of(" \t\n", pos);
        if (end == std::string::npos) end = text.size();
        if (end > pos) words.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return words;
}

}  // namespace

std::span<const ActionInfo> actionTable() { return kActions; }
std::span<const OperatorInfo> operatorTable() { return kOperators; }
std::span<const ArchInfo> archTable() { return kArchs; }
std::span<const FlagInfo> flagTable() { return kFlags; }

std::optional<uint32_t> archToken(std::string_view name) {
    for (const ArchInfo& a : kArchs)
        if (a.name == name) return a.token;
    return std::nullopt;
}

bool kernelAcceptsFilterFlags(unsigned flags) {
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, nullptr);
    // rc == 0 cannot happen with a null program; EFAULT means the flags passed the check.
    return rc != 0 && errno == EFAULT;
}

}  // namespace detail

SeccompFeatures seccompFeatures() {
    using namespace detail;
    SeccompFeatures f;
    f.enabled = true;

    std::optional<std::vector<std::string>> avail = kernelActions();
    for (const ActionInfo& a : kActions) {
        if (avail && std::find(avail->begin(), avail->end(), a.kernelName) == avail->end()) continue;
        f.actions.emplace_back(a.name);
    }
    for (const OperatorInfo& o : kOperators) f.operators.emplace_back(o.name);
    for (const ArchInfo& a : kArchs) f.archs.emplace_back(a.name);
    std::sort(f.actions.begin(), f.actions.end());
    std::sort(f.operators.begin(), f.operators.end());
    std::sort(f.archs.begin(), f.archs.end());

    for (const FlagInfo& fl : kFlags) {
        f.knownFlags.emplace_back(fl.name);
        // WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER.
        unsigned probe = fl.value;
        if (probe == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if (kernelAcceptsFilterFlags(probe)) f.supportedFlags.emplace_back(fl.name);
    }

    const scmp_version* v = seccomp_version();
    if (v)
        f.libseccompVersion = std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                              std::to_string(v->micro);
    return f;
}

}  // namespace lc::security
