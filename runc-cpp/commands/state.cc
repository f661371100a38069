#include <cstdio>

#include "../cli.h"
#include "spec/json.h"

namespace cli {

int runState(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    std::string id;
    if (!parseArgs(ctx, "state", "<container-id>", args, desc, pos, vm, &rc)) return rc;
    if (!requireId(ctx, vm, "state", &id, &rc)) return rc;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) return failWith(ctx, c.error());
    auto st = c->state();
    if (!st) return failWith(ctx, st.error());
    std::string out = spec::toJson(*st, true);
    std::printf("%s\n", out.c_str());
    return 0;
}

}  // namespace cli
