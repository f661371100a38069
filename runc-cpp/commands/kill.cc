#include <signal.h>

#include "../cli.h"

namespace cli {

int runKill(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    auto p = parseArgs(ctx, "kill", args, &rc);
    if (!p) return rc;
    const bool all = std::get<KillFlags>(p->flags).all;
    const std::vector<std::string>& a = p->args;
    if (a.empty() || a.size() > 2) return failWith(ctx, "kill: \"kill\" requires a minimum of 1 and a maximum of 2 arguments");
    int sig = SIGTERM;
    if (a.size() == 2) {
        sig = parseSignal(a[1]);
        if (sig < 0) return failWith(ctx, "unknown signal \"" + a[1] + "\"");
    }
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(a[0]);
    if (!c) return failWith(ctx, c.error());
    if (auto r = c->kill(sig, all); !r) return failWith(ctx, r.error());
    return 0;
}

}  // namespace cli
