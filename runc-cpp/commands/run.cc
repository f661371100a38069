// run: create + start, then (unless --detach) wait in the foreground: forward signals,
// proxy a terminal, exit with the container's status, delete it afterwards.
#include <fstream>
#include <memory>
#include <sstream>

#include "../cli.h"
#include "../rootless.h"
#include "../foreground.h"
#include "create_options.h"
#include "spec/json.h"

namespace cli {
namespace {

bool wantsTerminal(const std::string& bundle) {
    std::ifstream in((bundle.empty() ? std::string(".") : bundle) + "/config.json");
    std::stringstream json;
    json << in.rdbuf();
    auto sp = spec::parseSpec(json.str());
    return sp && sp->process && sp->process->terminal;  // a bad config is create's to report
}

}  // namespace

int runRun(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "run", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "run", &id, &rc)) return rc;
    const auto& f = std::get<RunFlags>(p->flags);
    const bool detach = f.detach, keep = f.keep;
    if (auto r = rootlessCgroups(ctx.globals); !r) return failWith(ctx, ctx.program + " run failed: " + r.error().message());
    ctx.createsContainer = true;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());

    // A foreground terminal needs the caller's terminal (runc checks before creating anything).
    // Only without one is config.json read here, to see whether it asks for a terminal.
    if (!detach && f.consoleSocket.empty()) {
        if (auto err = hostConsoleError(); !err.empty() && wantsTerminal(f.bundle))
            return failWith(ctx, ctx.program + " run failed: " + err);
    }

    std::vector<std::string> warnings;
    auto opts = toCreateOptions(f, id, &warnings);
    opts.keepConsole = !detach;
    std::unique_ptr<SignalBlock> block;
    if (!detach) block = std::make_unique<SignalBlock>();

    auto c = rt->create(opts);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!c) return failWith(ctx, ctx.program + " run failed: " + c.error().message());
    // With NOTIFY_SOCKET: READY=1 forwarded, MAINPID the init (detached) or this process (as runc).
    if (auto r = c->startNotifying(opts.notifySocket, detach ? 0 : ::getpid()); !r) {
        std::vector<std::string> hookWarnings;
        (void)c->destroy(true, &hookWarnings);
        for (const auto& w : hookWarnings) ctx.log->warn(w);
        return failWith(ctx, r.error());
    }
    if (detach) return 0;

    int status = superviseForeground(c->initPid(), c->pidfd(), c->takeConsole(), block->set(),
                                     [&](int sig) { (void)c->kill(sig, false); });
    block.reset();
    if (!keep) {
        std::vector<std::string> hookWarnings;
        auto r = c->destroy(true, &hookWarnings);
        for (const auto& w : hookWarnings) ctx.log->warn(w);
        if (!r) ctx.log->warn("delete after run: " + r.error().message());
    }
    return exitCodeOf(status);
}

}  // namespace cli
