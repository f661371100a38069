#include "../cli.h"

namespace cli {
namespace {

int withContainer(Context& ctx, const char* cmd, const std::vector<std::string>& args,
                  lc::Result<void> (lc::Container::*op)()) {
    po::options_description desc;
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    std::string id;
    if (!parseArgs(ctx, cmd, "<container-id>", args, desc, pos, vm, &rc)) return rc;
    if (!requireId(ctx, vm, cmd, &id, &rc)) return rc;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) return failWith(ctx, c.error());
    if (auto r = ((*c).*op)(); !r) return failWith(ctx, r.error());
    return 0;
}

}  // namespace

int runPause(Context& ctx, const std::vector<std::string>& args) {
    return withContainer(ctx, "pause", args, &lc::Container::pause);
}
int runResume(Context& ctx, const std::vector<std::string>& args) {
    return withContainer(ctx, "resume", args, &lc::Container::resume);
}

}  // namespace cli
