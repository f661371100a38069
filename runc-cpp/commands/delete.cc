#include "../cli.h"

namespace cli {

int runDelete(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "delete", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "delete", &id, &rc)) return rc;
    const bool force = std::get<DeleteFlags>(p->flags).force;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) {
        // The clients' cleanup paths delete --force containers that are already gone.
        if (force && c.error().errnum() == ENOENT) return 0;
        return failWith(ctx, c.error());
    }
    std::vector<std::string> warnings;  // failed poststop hooks
    auto r = c->destroy(force, &warnings);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!r) {
        if (force && r.error().errnum() == ENOENT) return 0;
        return failWith(ctx, r.error());
    }
    return 0;
}

}  // namespace cli
