// attach: connects our terminal to a running container through its supervisor: its output
// from now on (the log as it is written), our input to its terminal (-t) or to the stdin a
// `run -d -i` container keeps, signals forwarded; returns its exit code.
#include <cstdio>

#include "args.h"
#include "client.h"
#include "commands.h"

namespace mgr {

int cmdAttach(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'h', "help", false}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help") || a->positional.size() != 1) {
        std::puts("Usage: runccpp-manager attach CONTAINER\n\n"
                  "Prints the container's output from now on until it exits and returns its exit\n"
                  "code. Our input goes to its terminal (run -t) or to its stdin (run -d -i; our\n"
                  "EOF does not close it, as docker's without --stdin-once); INT, TERM, HUP, QUIT,\n"
                  "USR1 and USR2 are forwarded. No detach keys: ending this command (kill it) leaves\n"
                  "the container running.");
        return a->has("help") ? 0 : 1;
    }
    auto m = store.resolve(a->positional[0]);
    if (!m) return errorOut(m.error().message(), 1);
    Status s = store.status(*m);
    if (s.state == "paused") return errorOut("You cannot attach to a paused container, unpause it first", 1);
    if (s.state != "running") return errorOut("You cannot attach to a stopped container, start it first", 1);
    std::string since = rfc3339(nowNs());
    auto conn = requestAttach(store, m->id);
    if (!conn) return errorOut("attach " + a->positional[0] + ": " + conn.error().message(), 1);
    return attach(store, *m, std::move(*conn), since, true);
}

}  // namespace mgr
