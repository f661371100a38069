#include "../cli.h"

namespace cli {

int runDelete(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    bool force = false;
    desc.add_options()("force,f", po::bool_switch(&force), "forcibly deletes the container if it is still running (uses SIGKILL)");
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    std::string id;
    if (!parseArgs(ctx, "delete", "[command options] <container-id>", args, desc, pos, vm, &rc)) return rc;
    if (!requireId(ctx, vm, "delete", &id, &rc)) return rc;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) {
        // The clients' cleanup paths delete --force containers that are already gone.
        if (force && c.error().errnum() == ENOENT) return 0;
        return failWith(ctx, c.error());
    }
    if (auto r = c->destroy(force); !r) {
        if (force && r.error().errnum() == ENOENT) return 0;
        return failWith(ctx, r.error());
    }
    return 0;
}

}  // namespace cli
