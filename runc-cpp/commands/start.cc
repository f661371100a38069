#include <cstdlib>

#include "../cli.h"

namespace cli {

int runStart(Context& ctx, const std::vector<std::string>& args) {
    // NOTIFY_SOCKET: wait for the container's READY=1 and forward it (runc's sd_notify proxy).
    const char* notify = std::getenv("NOTIFY_SOCKET");
    return withContainer(ctx, "start", args, [&](lc::Container& c) { return c.startNotifying(notify ? notify : ""); });
}

}  // namespace cli
