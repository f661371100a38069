// stop: SIGTERM, then SIGKILL to every process of the container after the grace period.
#include <csignal>
#include <cstdio>

#include "args.h"
#include "client.h"
#include "commands.h"
#include "restart.h"

namespace mgr {

int cmdStop(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'t', "time", true}, {'s', "signal", true}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager stop [-t|--time SECONDS] [-s|--signal SIG] CONTAINER...\n\n"
                  "Sends SIG (default TERM), waits up to SECONDS (default 10) for the container to\n"
                  "exit, then kills all of its processes with KILL.");
        return a->has("help") ? 0 : 1;
    }
    auto grace = parseInt(a->value("time", "10"), "--time");
    if (!grace || *grace < 0) return errorOut("invalid --time: " + a->value("time"));
    int sig = signalNumber(a->value("signal", "TERM"));
    if (!sig) return errorOut("invalid signal: " + a->value("signal"));
    return forEachContainer(store, a->positional, [&](const Meta& m, const std::string& ref) {
        if (int rc = stopContainer(store, m, ref, sig, *grace); rc != 0) return rc;
        std::printf("%s\n", ref.c_str());
        return 0;
    });
}

int stopContainer(const Store& store, const Meta& m, const std::string& ref, int sig, int64_t graceSecs) {
    // the user's stop ends a restart policy's restarts (restart.h), a back-off included
    markManualStop(store, m.id);
    Status s = store.status(m);
    if (s.state == "restarting") waitSupervisorGone(store, m.id, 5000);
    if (s.state == "running" || s.state == "paused") {
        auto c = loadContainer(store, m.id);
        if (!c) return errorOut(c.error().message());
        if (s.state == "paused") (void)c->resume();
        // events before the signals, so that they come before the "die"
        store.event("kill", m, {{"signal", std::to_string(sig)}});
        (void)c->kill(sig);
        if (!waitExit(store, m.id, static_cast<int>(graceSecs * 1000))) {
            store.event("kill", m, {{"signal", std::to_string(SIGKILL)}});
            (void)c->kill(SIGKILL, true);
            if (!waitExit(store, m.id, 10000)) {
                return errorOut("container " + ref + " did not exit after SIGKILL");
            }
        }
        store.event("stop", m);
    }
    return 0;
}

}  // namespace mgr
