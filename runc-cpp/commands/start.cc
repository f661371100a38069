#include "../cli.h"

namespace cli {

int runStart(Context& ctx, const std::vector<std::string>& args) {
    return withContainer(ctx, "start", args, [](lc::Container& c) { return c.start(); });
}

}  // namespace cli
