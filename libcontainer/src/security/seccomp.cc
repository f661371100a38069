// Seccomp: compiling linux.seccomp into classic BPF with libseccomp (parent), loading it (child).
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

#include "libcontainer/unique_fd.h"
#include "security/seccomp_internal.h"
#include "security/security.h"

namespace lc::security {
namespace {

using namespace detail;

constexpr unsigned kMaxSyscallArgs = 6;
constexpr uint32_t kMaxErrno = 0xffff;  // SECCOMP_RET_DATA

struct ScmpCtxDeleter {
    void operator()(void* ctx) const noexcept { seccomp_release(ctx); }
};
using ScmpCtx = std::unique_ptr<void, ScmpCtxDeleter>;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// libseccomp returns negated errno values.
std::unexpected<Error> scmpError(int rc, std::string context) { return fail(-rc, std::move(context)); }

// An OCI action name plus errnoRet -> libseccomp action. ERRNO and TRACE default to EPERM as in
// runc; errnoRet on other actions is ignored, as runc does.
Result<uint32_t> resolveAction(std::string_view name, std::optional<uint32_t> errnoRet,
                               const std::string& path, const std::string& errnoPath) {
    for (const ActionInfo& a : actionTable()) {
        if (a.name != name) continue;
        if (!a.takesErrno) return a.action;
        uint32_t ret = errnoRet.value_or(EPERM);
        if (ret > kMaxErrno)
            return fail(EINVAL, errnoPath + ": " + std::to_string(ret) + " is out of range (0-65535)");
        return a.action | ret;
    }
    return fail(EINVAL, path + ": unknown action " + quoted(name));
}

Result<scmp_arg_cmp> resolveCondition(const spec::SeccompArg& arg, const std::string& path) {
    if (arg.index >= kMaxSyscallArgs)
        return fail(EINVAL, path + ".index: " + std::to_string(arg.index) + " is out of range (0-5)");
    for (const OperatorInfo& o : operatorTable()) {
        if (o.name != arg.op) continue;
        // For SCMP_CMP_MASKED_EQ `value` is the mask and `valueTwo` the expected result.
        return scmp_arg_cmp{arg.index, o.op, arg.value, arg.valueTwo};
    }
    return fail(EINVAL, path + ".op: unknown operator " + quoted(arg.op));
}

// Adds the rules of one linux.seccomp.syscalls entry.
Result<void> addSyscallRules(scmp_filter_ctx ctx, const spec::SeccompSyscall& call, uint32_t action,
                             const std::string& path) {
    std::vector<scmp_arg_cmp> conds;
    std::array<unsigned, kMaxSyscallArgs> perIndex{};
    for (size_t i = 0; i < call.args.size(); ++i) {
        auto cond = resolveCondition(call.args[i], path + ".args[" + std::to_string(i) + "]");
        if (!cond) return std::unexpected(cond.error());
        ++perIndex[cond->arg];
        conds.push_back(*cond);
    }
    // runc compatibility: libseccomp cannot AND two comparisons of the same argument, so when an
    // entry has several conditions on one index runc adds one rule per condition, i.e. the
    // conditions are ORed. Otherwise all conditions go into one rule and are ANDed.
    bool orSemantics = std::any_of(perIndex.begin(), perIndex.end(), [](unsigned n) { return n > 1; });

    for (size_t n = 0; n < call.names.size(); ++n) {
        const std::string& name = call.names[n];
        if (name.empty()) return fail(EINVAL, path + ".names[" + std::to_string(n) + "]: empty syscall name");
        if (action == SCMP_ACT_NOTIFY && name == "write")
            return fail(EINVAL, path + ": SCMP_ACT_NOTIFY cannot be used for the write syscall");
        // Resolved for the native architecture; libseccomp translates the number for the other
        // architectures of the filter. Unknown names are skipped silently, as in runc: the
        // profile may name syscalls newer than this libseccomp or of other architectures.
        int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) continue;

        std::string where = path + ": add rule for " + quoted(name);
        if (conds.empty()) {
            if (int rc = seccomp_rule_add_array(ctx, action, nr, 0, nullptr); rc < 0) return scmpError(rc, where);
        } else if (orSemantics) {
            for (const scmp_arg_cmp& c : conds)
                if (int rc = seccomp_rule_add_array(ctx, action, nr, 1, &c); rc < 0) return scmpError(rc, where);
        } else {
            int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conds.size()), conds.data());
            if (rc < 0) return scmpError(rc, where);
        }
    }
    return {};
}

// seccomp_export_bpf writes to an fd; a memfd gives the program back without a helper thread.
Result<std::vector<sock_filter>> exportBpf(scmp_filter_ctx ctx) {
    UniqueFd fd(::memfd_create("lc-seccomp-bpf", MFD_CLOEXEC));
    if (!fd) return errnoError("memfd_create");
    if (int rc = seccomp_export_bpf(ctx, fd.get()); rc < 0) return scmpError(rc, "export seccomp filter");
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) return errnoError("fstat seccomp filter memfd");
    auto size = static_cast<size_t>(st.st_size);
    if (size == 0 || size % sizeof(sock_filter) != 0)
        return fail(EINVAL, "export seccomp filter: unexpected size " + std::to_string(size));
    std::vector<sock_filter> prog(size / sizeof(sock_filter));
    auto* out = reinterpret_cast<char*>(prog.data());
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::pread(fd.get(), out + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errnoError("read seccomp filter memfd");
        if (n == 0) return fail(EIO, "read seccomp filter memfd: short read");
        done += static_cast<size_t>(n);
    }
    return prog;
}

// linux.seccomp.flags -> SECCOMP_FILTER_FLAG_* bits to pass to seccomp(2).
Result<unsigned> resolveFlags(const spec::Seccomp& sc, bool notify) {
    unsigned flags = 0;
    for (size_t i = 0; i < sc.flags.size(); ++i) {
        const std::string& name = sc.flags[i];
        std::string path = "linux.seccomp.flags[" + std::to_string(i) + "]";
        const FlagInfo* info = nullptr;
        for (const FlagInfo& f : flagTable())
            if (f.name == name) info = &f;
        if (!info) return fail(EINVAL, path + ": unknown seccomp flag " + quoted(name));
        // TSYNC: the container init and exec children are single-threaded, so there is nothing
        // to synchronise (runc ignores it likewise); passing it would also conflict with
        // NEW_LISTENER. WAIT_KILLABLE_RECV only means something with a listener (libseccomp
        // also only passes it then).
        if (info->value == SECCOMP_FILTER_FLAG_TSYNC) continue;
        if (info->value == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !notify) continue;
        // Check now, in the parent, rather than fail in the container init.
        unsigned probe = info->value;
        if (probe == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if (!kernelAcceptsFilterFlags(probe))
            return fail(EINVAL, path + ": " + name + " is not supported by the running kernel");
        flags |= info->value;
    }
    if (notify) {
        if (!kernelAcceptsFilterFlags(SECCOMP_FILTER_FLAG_NEW_LISTENER))
            return fail(EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY is not supported by the running kernel");
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    }
    return flags;
}

}  // namespace

Result<SeccompProgram> compileSeccomp(const spec::Seccomp& sc) {
    SeccompProgram prog;

    auto defaultAction = resolveAction(sc.defaultAction, sc.defaultErrnoRet, "linux.seccomp.defaultAction",
                                       "linux.seccomp.defaultErrnoRet");
    if (!defaultAction) return std::unexpected(defaultAction.error());
    if (*defaultAction == SCMP_ACT_NOTIFY)
        return fail(EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action");

    ScmpCtx ctx(seccomp_init(*defaultAction));
    if (!ctx) return fail(EINVAL, "linux.seccomp.defaultAction: " + sc.defaultAction + " is not supported");

    // We set no_new_privs ourselves (process.noNewPrivileges), and we load the program with
    // seccomp(2) rather than seccomp_load, but keep the context consistent anyway.
    if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
        return scmpError(rc, "seccomp: clear the no_new_privs attribute");

    // The native architecture stays in the filter (as libseccomp, and so runc, have it);
    // the listed ones are added.
    for (size_t i = 0; i < sc.architectures.size(); ++i) {
        std::string path = "linux.seccomp.architectures[" + std::to_string(i) + "]";
        std::optional<uint32_t> token = archToken(sc.architectures[i]);
        if (!token) return fail(EINVAL, path + ": unknown architecture " + quoted(sc.architectures[i]));
        int rc = seccomp_arch_add(ctx.get(), *token);
        if (rc < 0 && rc != -EEXIST) return scmpError(rc, path + ": add " + sc.architectures[i]);
    }

    // A binary tree instead of a linear list of syscall checks for long profiles. libseccomp
    // 2.5.x misbehaves with it on an empty rule set; only long profiles use it (as runc).
    if (sc.syscalls.size() > 32) (void)seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);

    for (size_t i = 0; i < sc.syscalls.size(); ++i) {
        const spec::SeccompSyscall& call = sc.syscalls[i];
        std::string path = "linux.seccomp.syscalls[" + std::to_string(i) + "]";
        auto action = resolveAction(call.action, call.errnoRet, path + ".action", path + ".errnoRet");
        if (!action) return std::unexpected(action.error());
        if (*action == SCMP_ACT_NOTIFY) prog.notify = true;
        // libseccomp refuses rules whose action is the default one; they are no-ops anyway.
        if (*action == *defaultAction) continue;
        LC_TRY(addSyscallRules(ctx.get(), call, *action, path));
    }

    auto flags = resolveFlags(sc, prog.notify);
    if (!flags) return std::unexpected(flags.error());
    prog.flags = *flags;

    auto bpf = exportBpf(ctx.get());
    if (!bpf) return std::unexpected(bpf.error());
    auto stub = enosysStub(sc, *defaultAction);
    if (!stub) return std::unexpected(stub.error());
    prog.filter = std::move(*stub);
    prog.filter.insert(prog.filter.end(), bpf->begin(), bpf->end());
    if (prog.filter.size() > BPF_MAXINSNS)
        return fail(E2BIG, "linux.seccomp: the filter has " + std::to_string(prog.filter.size()) +
                               " instructions, more than the kernel's limit of " + std::to_string(BPF_MAXINSNS));
    return prog;
}

Result<int> loadSeccomp(const SeccompProgram& prog, sys::ProcessCalls& sc) {
    if (prog.filter.empty() || prog.filter.size() > BPF_MAXINSNS)
        return fail(EINVAL, "load seccomp filter: invalid program length " + std::to_string(prog.filter.size()));
    sock_fprog fprog{};
    fprog.len = static_cast<unsigned short>(prog.filter.size());
    // The kernel only reads the program; sock_fprog just lacks the const.
    fprog.filter = const_cast<sock_filter*>(prog.filter.data());
    unsigned flags = prog.flags;
    if (prog.notify) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    long rc = sc.seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (rc < 0) return errnoError("seccomp(SECCOMP_SET_MODE_FILTER)");
    return (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? static_cast<int>(rc) : -1;
}

}  // namespace lc::security
