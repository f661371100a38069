// run: create + start, then (unless --detach) wait in the foreground: forward signals,
// proxy a terminal, exit with the container's status, delete it afterwards.
#include <memory>

#include "../cli.h"
#include "../foreground.h"
#include "create_options.h"

namespace cli {

int runRun(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "run", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "run", &id, &rc)) return rc;
    const auto& f = std::get<RunFlags>(p->flags);
    const bool detach = f.detach, keep = f.keep;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());

    std::vector<std::string> warnings;
    auto opts = toCreateOptions(f, id, &warnings);
    opts.keepConsole = !detach;
    std::unique_ptr<SignalBlock> block;
    if (!detach) block = std::make_unique<SignalBlock>();

    auto c = rt->create(opts);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!c) return failWith(ctx, "runc-cpp run failed: " + c.error().message());
    if (auto r = c->start(); !r) {
        (void)c->destroy(true);
        return failWith(ctx, r.error());
    }
    if (detach) return 0;

    int status = superviseForeground(c->initPid(), c->pidfd(), c->takeConsole(), block->set(),
                                     [&](int sig) { (void)c->kill(sig, false); });
    block.reset();
    if (!keep) {
        if (auto r = c->destroy(true); !r) ctx.log->warn("delete after run: " + r.error().message());
    }
    return exitCodeOf(status);
}

}  // namespace cli
