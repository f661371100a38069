#include "../cli.h"
#include "../rootless.h"
#include "create_options.h"

namespace cli {

int runCreate(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "create", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "create", &id, &rc)) return rc;
    const auto& f = std::get<CreateFlags>(p->flags);
    if (auto r = rootlessCgroups(ctx.globals); !r) return failWith(ctx, ctx.program + " create failed: " + r.error().message());
    ctx.createsContainer = true;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    std::vector<std::string> warnings;
    auto opts = toCreateOptions(f, id, &warnings);
    auto c = rt->create(opts);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!c) return failWith(ctx, ctx.program + " create failed: " + c.error().message());
    return 0;
}

}  // namespace cli
