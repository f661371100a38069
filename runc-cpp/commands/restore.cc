// restore: a new container from a CRIU checkpoint (lc::Runtime::restore). Detached, it
// returns once the processes run; in the foreground it waits as `run` does (signals
// forwarded, a subreaper unless --no-subreaper), deletes the container and exits with its
// status.
#include <sys/prctl.h>

#include <memory>

#include "../cli.h"
#include "../foreground.h"
#include "checkpoint_options.h"

namespace cli {

int runRestore(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "restore", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "restore", &id, &rc)) return rc;
    const auto& f = std::get<RestoreFlags>(p->flags);
    if (::geteuid() != 0) ctx.log->warn("runc checkpoint is untested with rootless containers");
    ctx.createsContainer = true;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    lc::RestoreOptions o;
    if (auto r = toCriuOptions(ctx, f, o); !r) return failWith(ctx, r.error());
    o.id = id;
    o.bundle = f.bundle;
    o.pidFile = f.pidFile;
    o.consoleSocket = f.consoleSocket;
    o.noPivot = f.noPivot;
    std::unique_ptr<SignalBlock> block;
    if (!f.detach) {
        block = std::make_unique<SignalBlock>();
        if (!f.noSubreaper) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    auto c = rt->restore(o);
    if (!c) return failWith(ctx, c.error());
    if (f.detach) return 0;
    int status = superviseForeground(c->initPid(), c->pidfd(), lc::UniqueFd(), block->set(),
                                     [&](int sig) { (void)c->kill(sig, false); });
    block.reset();
    std::vector<std::string> warnings;
    auto r = c->destroy(true, &warnings);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!r) ctx.log->warn("delete after restore: " + r.error().message());
    return exitCodeOf(status);
}

}  // namespace cli
