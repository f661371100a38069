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
    // runc indents `state` output with two spaces (the writer's pretty form uses tabs, which
    // never occur inside JSON strings).
    std::string out;
    for (char ch : spec::toJson(*st, true)) {
        if (ch == '\t') out += "  ";
        else out += ch;
    }
    std::printf("%s\n", out.c_str());
    return 0;
}

}  // namespace cli
