// `features`: what this build and host support, as runc's JSON (runtime-spec features.md).
#include <cstdio>

#include "../cli.h"
#include "libcontainer/security.h"

#ifndef RUNC_CPP_VERSION
#define RUNC_CPP_VERSION "unknown"
#endif

namespace cli {

int runFeatures(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    po::positional_options_description pos;
    po::variables_map vm;
    int rc = 0;
    if (!parseArgs(ctx, "features", "", args, desc, pos, vm, &rc)) return rc;
    if (vm.count("args")) return failWith(ctx, "runc-cpp: \"features\" requires exactly 0 argument(s)");
    std::string json = lc::featuresJson(RUNC_CPP_VERSION);
    if (json.empty() || json.back() != '\n') json += '\n';
    std::fputs(json.c_str(), stdout);
    return 0;
}

}  // namespace cli
