#include "../cli.h"
#include "create_options.h"

namespace cli {

int runCreate(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    CreateFlags f;
    addCreateFlags(desc, f);
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    std::string id;
    if (!parseArgs(ctx, "create", "[command options] <container-id>", args, desc, pos, vm, &rc)) return rc;
    if (!requireId(ctx, vm, "create", &id, &rc)) return rc;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    std::vector<std::string> warnings;
    auto opts = toCreateOptions(f, id, &warnings);
    auto c = rt->create(opts);
    for (const auto& w : warnings) ctx.log->warn(w);
    if (!c) return failWith(ctx, "runc-cpp create failed: " + c.error().message());
    return 0;
}

}  // namespace cli
