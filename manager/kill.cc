// kill: sends a signal (default KILL) to the init of running containers.
#include <csignal>
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "restart.h"

namespace mgr {

int cmdKill(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'s', "signal", true}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager kill [-s|--signal SIG] CONTAINER...\n\nSIG is a name (TERM, SIGTERM) or a number; default KILL.");
        return a->has("help") ? 0 : 1;
    }
    int sig = signalNumber(a->value("signal", "KILL"));
    if (!sig) return errorOut("invalid signal: " + a->value("signal"));
    return forEachContainer(store, a->positional, [&](const Meta& m, const std::string& ref) {
        Status s = store.status(m);
        if (s.state == "paused") {  // its signals would wait for the thaw (docker refuses too)
            return errorOut("cannot kill container " + ref + ": container is paused: unpause it first");
        }
        if (s.state != "running") {
            return errorOut("cannot kill container " + ref + ": container is not running");
        }
        auto c = loadContainer(store, m.id);
        if (!c) return errorOut(c.error().message());
        // KILL and TERM from the user end a restart policy's restarts (restart.h)
        if (sig == SIGKILL || sig == SIGTERM) markManualStop(store, m.id);
        // recorded before it is sent, so that it comes before the "die" it may cause
        store.event("kill", m, {{"signal", std::to_string(sig)}});
        if (auto k = c->kill(sig); !k) {
            return errorOut("cannot kill container " + ref + ": " + k.error().message());
        }
        std::printf("%s\n", ref.c_str());
        return 0;
    });
}

}  // namespace mgr
