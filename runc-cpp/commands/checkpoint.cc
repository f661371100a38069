// checkpoint: dump a running container with CRIU (lc::Container::checkpoint); unless
// --leave-running or --pre-dump, the container is deleted afterwards, as runc does.
#include "../cli.h"
#include "checkpoint_options.h"

namespace cli {

int runCheckpoint(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "checkpoint", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "checkpoint", &id, &rc)) return rc;
    const auto& f = std::get<CheckpointFlags>(p->flags);
    if (::geteuid() != 0) ctx.log->warn("runc checkpoint is untested with rootless containers");
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) return failWith(ctx, c.error());
    lc::CheckpointOptions o;
    if (auto r = toCriuOptions(ctx, f, o); !r) return failWith(ctx, r.error());
    o.parentPath = f.parentPath;
    o.leaveRunning = f.leaveRunning;
    o.preDump = f.preDump;
    o.pageServer = f.pageServer;
    o.statusFd = f.statusFd;
    if (auto r = c->checkpoint(o); !r) return failWith(ctx, r.error());
    if (!o.leaveRunning && !o.preDump) {
        std::vector<std::string> warnings;
        auto r = c->destroy(true, &warnings);
        for (const auto& w : warnings) ctx.log->warn(w);
        if (!r) return failWith(ctx, r.error());
    }
    return 0;
}

}  // namespace cli
