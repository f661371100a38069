// exec: run another process in a running container (runc's flags and exit codes).
#include <signal.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "../cli.h"
#include "../foreground.h"
#include "libcontainer/builder.h"
#include "spec/json.h"

namespace cli {
namespace {

lc::Result<uint32_t> parseId(const std::string& s, const char* what) {
    char* end = nullptr;
    unsigned long v = std::strtoul(s.c_str(), &end, 10);
    // 0-2147483647 as runc: (uid_t)-1 would mean "unchanged" (root) to setresuid.
    if (s.empty() || *end || !std::isdigit(static_cast<unsigned char>(s[0])) || v > 2147483647UL)
        return lc::fail(EINVAL, std::string("invalid ") + what + " " + s + ": ids must be in range 0-2147483647");
    return static_cast<uint32_t>(v);
}

lc::Result<spec::Process> buildProcess(lc::Container& c, const ExecFlags& f, const std::vector<std::string>& args) {
    spec::Process p;
    if (!f.processFile.empty()) {
        auto loaded = spec::loadProcessFile(f.processFile);
        if (!loaded) return std::unexpected(loaded.error());
        p = std::move(*loaded);
    } else {
        auto base = c.configProcess();
        if (!base) return std::unexpected(base.error());
        p = std::move(*base);
        p.args = args;
        p.terminal = false;
    }
    if (f.tty) p.terminal = true;
    if (!f.cwd.empty()) p.cwd = f.cwd;
    for (const auto& e : f.env) lc::setEnv(p.env, e);
    if (!f.user.empty()) {
        auto colon = f.user.find(':');
        auto uid = parseId(f.user.substr(0, colon), "user");
        if (!uid) return std::unexpected(uid.error());
        p.user.uid = *uid;
        if (colon != std::string::npos) {
            auto gid = parseId(f.user.substr(colon + 1), "group");
            if (!gid) return std::unexpected(gid.error());
            p.user.gid = *gid;
        }
    }
    for (const auto& g : f.additionalGids) {
        auto gid = parseId(g, "additional gid");
        if (!gid) return std::unexpected(gid.error());
        p.user.additionalGids.push_back(*gid);
    }
    if (!f.caps.empty()) {
        if (!p.capabilities) p.capabilities = spec::Capabilities{};
        for (const auto& cap : f.caps) {
            p.capabilities->bounding.push_back(cap);
            p.capabilities->effective.push_back(cap);
            p.capabilities->permitted.push_back(cap);
        }
    }
    if (f.noNewPrivs) p.noNewPrivileges = true;
    if (!f.processLabel.empty()) p.selinuxLabel = f.processLabel;
    if (!f.apparmor.empty()) p.apparmorProfile = f.apparmor;
    if (p.args.empty()) return lc::fail(EINVAL, "process args cannot be empty");
    if (p.cwd.empty()) p.cwd = "/";
    return p;
}

}  // namespace

int runExec(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    auto parsed = parseArgs(ctx, "exec", args, &rc);
    if (!parsed) return rc;
    const ExecFlags& f = std::get<ExecFlags>(parsed->flags);
    const std::vector<std::string>& a = parsed->args;
    // As runc: usage errors exit 1; every failure past them is "exec failed: ..." with 255, so
    // that a caller can tell them from the exit code of the process itself.
    if (a.empty()) return failWith(ctx, ctx.program + ": \"exec\" requires a minimum of 1 argument(s)");
    auto failed = [&](const std::string& msg) {
        ctx.log->error("exec failed: " + msg);
        return 255;
    };
    auto rt = ctx.runtime();
    if (!rt) return failed(rt.error().message());
    auto c = rt->load(a[0]);
    if (!c) return failed(c.error().message());
    if (a.size() == 1 && f.processFile.empty()) return failed("process args cannot be empty");

    auto proc = buildProcess(*c, f, std::vector<std::string>(a.begin() + 1, a.end()));
    if (!proc) return failed(proc.error().message());
    if (proc->terminal && !f.detach && f.consoleSocket.empty()) {
        if (auto err = hostConsoleError(); !err.empty()) return failed(err);
    }

    lc::ExecOptions eo;
    eo.process = std::move(*proc);
    eo.consoleSocket = f.consoleSocket;
    eo.keepConsole = !f.detach && f.consoleSocket.empty();
    eo.pidFile = f.pidFile;
    eo.preserveFds = f.preserveFds;
    eo.ignorePaused = f.ignorePaused;
    for (const auto& cg : f.cgroups) {
        // "<path>" for every controller, or "<controller>[,<controller>]:<path>".
        auto colon = cg.find(':');
        if (colon == std::string::npos) {
            eo.cgroup = cg;
            continue;
        }
        std::string ctrls = cg.substr(0, colon), sub = cg.substr(colon + 1);
        for (size_t p = 0; p <= ctrls.size();) {
            size_t comma = ctrls.find(',', p);
            if (comma == std::string::npos) comma = ctrls.size();
            if (comma > p) eo.cgroupByController[ctrls.substr(p, comma - p)] = sub;
            p = comma + 1;
        }
    }
    std::vector<std::string> warnings;
    eo.warnings = &warnings;

    std::unique_ptr<SignalBlock> block;
    if (!f.detach) block = std::make_unique<SignalBlock>();
    auto p = c->exec(eo);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!p) return failed(p.error().message());
    if (f.detach) return 0;
    const pid_t pid = p->pid;
    int status = superviseForeground(pid, p->pidfd.get(), std::move(p->console), block->set(),
                                     [pid](int sig) { ::kill(pid, sig); });
    return exitCodeOf(status);
}

}  // namespace cli
