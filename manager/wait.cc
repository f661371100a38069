// wait: blocks until containers exit and prints their exit codes, one a line.
#include <cstdio>

#include "args.h"
#include "client.h"
#include "commands.h"

namespace mgr {

int cmdWait(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager wait CONTAINER...\n\n"
                  "Waits for each container to exit and prints its exit code (-1 when it ended\n"
                  "without its supervisor, so that no code was recorded).");
        return a->has("help") ? 0 : 1;
    }
    return forEachContainer(store, a->positional, [&](const Meta& m, const std::string&) {
        auto code = waitExit(store, m.id, -1);
        std::printf("%d\n", code.value_or(-1));
        std::fflush(stdout);
        return 0;
    });
}

}  // namespace mgr
