// `features`: what this build and host support, as runc's JSON (runtime-spec features.md).
#include <cstdio>

#include "../cli.h"
#include "libcontainer/security.h"

#ifndef RUNC_CPP_VERSION
#define RUNC_CPP_VERSION "unknown"
#endif

namespace cli {

int runFeatures(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    auto p = parseArgs(ctx, "features", args, &rc);
    if (!p) return rc;
    if (!p->args.empty()) return failWith(ctx, ctx.program + ": \"features\" requires exactly 0 argument(s)");
    std::string json = lc::featuresJson(RUNC_CPP_VERSION);
    if (json.empty() || json.back() != '\n') json += '\n';
    std::fputs(json.c_str(), stdout);
    return 0;
}

}  // namespace cli
