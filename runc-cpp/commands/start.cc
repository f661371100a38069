#include "../cli.h"

namespace cli {

int runStart(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    std::string id;
    if (!parseArgs(ctx, "start", "<container-id>", args, desc, pos, vm, &rc)) return rc;
    if (!requireId(ctx, vm, "start", &id, &rc)) return rc;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) return failWith(ctx, c.error());
    if (auto r = c->start(); !r) return failWith(ctx, r.error());
    return 0;
}

}  // namespace cli
