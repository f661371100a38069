#include "../cli.h"

namespace cli {

int runPause(Context& ctx, const std::vector<std::string>& args) {
    return withContainer(ctx, "pause", args, [](lc::Container& c) { return c.pause(); });
}
int runResume(Context& ctx, const std::vector<std::string>& args) {
    return withContainer(ctx, "resume", args, [](lc::Container& c) { return c.resume(); });
}

}  // namespace cli
