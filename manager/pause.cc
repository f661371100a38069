// pause, unpause: freeze and thaw every process of running containers (cgroup freezer).
#include <cstdio>

#include "args.h"
#include "commands.h"

namespace mgr {
namespace {

int freeze(const Store& store, const Argv& argv, bool pause) {
    const char* name = pause ? "pause" : "unpause";
    auto a = Args::parse(argv, {{'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.empty()) {
        std::printf("Usage: runccpp-manager %s CONTAINER...\n", name);
        return a->has("help") ? 0 : 1;
    }
    return forEachContainer(store, a->positional, [&](const Meta& m, const std::string& ref) {
        std::string st = store.status(m).state;
        if (pause ? st != "running" : st != "paused") {
            return errorOut("container " + ref + " is " + (st == "paused" || st == "running" ? st : "not running"));
        }
        auto c = loadContainer(store, m.id);
        if (!c) return errorOut(c.error().message());
        if (auto r = pause ? c->pause() : c->resume(); !r) {
            return errorOut(std::string(name) + " " + ref + ": " + r.error().message());
        }
        store.event(name, m);
        std::printf("%s\n", ref.c_str());
        return 0;
    });
}

}  // namespace

int cmdPause(const Store& store, const Argv& argv) { return freeze(store, argv, true); }
int cmdUnpause(const Store& store, const Argv& argv) { return freeze(store, argv, false); }

}  // namespace mgr
