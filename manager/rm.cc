// rm: removes stopped containers (running ones too with -f, killing them first).
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "args.h"
#include "client.h"
#include "commands.h"
#include "restart.h"
#include "images.h"
#include "network.h"

namespace mgr {

int cmdRm(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'f', "force", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager rm [-f|--force] CONTAINER...\n\n"
                  "Removes stopped containers (state, log, cgroups); -f kills running ones first.");
        return a->has("help") ? 0 : 1;
    }
    return forEachContainer(store, a->positional, [&](const Meta& m, const std::string& ref) {
        Status s = store.status(m);
        bool live = s.state == "running" || s.state == "paused" || s.state == "created" || s.state == "restarting";
        if (live && !a->has("force")) {
            return errorOut("cannot remove container \"" + ref + "\": container is " + s.state +
                            ": stop the container before removing or use -f");
        }
        markManualStop(store, m.id);  // no restart policy brings it back (restart.h)
        auto c = loadContainer(store, m.id);
        if (live) {
            if (c) {
                if (s.state == "paused") (void)c->resume();
                store.event("kill", m, {{"signal", std::to_string(SIGKILL)}});
                (void)c->kill(SIGKILL, true);
            }
            (void)waitExit(store, m.id, 10000);
        }
        // The supervisor exits once the exit is recorded; one stuck past that is ended here.
        waitSupervisorGone(store, m.id, 3000);
        if (pid_t p = store.supervisorPid(m.id)) ::kill(p, SIGKILL);
        if (s.state == "restarting") c = loadContainer(store, m.id);  // as the supervisor left it
        if (c) {
            if (auto d = c->destroy(true); !d && d.error().errnum() != ENOENT) {
                return errorOut("cannot remove container " + ref + ": " + d.error().message());
            }
        }
        std::error_code ec;
        unmountRootfs(store, m.id);
        detachNetwork(store, m.id);
        std::filesystem::remove_all(store.dir(m.id), ec);
        if (ec) return errorOut("remove " + store.dir(m.id) + ": " + ec.message());
        store.event("destroy", m);
        std::printf("%s\n", ref.c_str());
        return 0;
    });
}

}  // namespace mgr
