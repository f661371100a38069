// start and restart: a created (supervisor gone) or exited container runs again as docker's
// does, with the same id, name, spec, rootfs and log (appended to) and a fresh init under a
// new supervisor. restart stops a running one first.
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "restart.h"
#include "spec/json.h"
#include "supervisor.h"

namespace mgr {
namespace {

// Starts a container that is not running; `attachConn` for start -a.
int startAgain(const Store& store, const Meta& m, const std::string& ref, lc::UniqueFd* attachConn) {
    Status s = store.status(m);
    if (s.state == "running" || s.state == "paused") return 0;  // docker: nothing to do
    if (s.supervisor) return errorOut("container " + ref + " is " + s.state + ": its supervisor still runs", 1);
    auto sp = spec::loadSpecFile(store.dir(m.id) + "/config.json");
    if (!sp) return errorOut("cannot start container " + ref + ": " + sp.error().message(), 1);
    clearManualStop(store, m.id);
    setRestarting(store, m.id, false);
    if (auto c = loadContainer(store, m.id)) (void)c->destroy(true);
    auto ex = store.readExit(m.id);
    for (const char* f : {"/exit.json", "/started.json"}) ::unlink((store.dir(m.id) + f).c_str());
    auto sup = launchSupervisor(store, m, *sp, attachConn);
    if (!sup) {
        if (ex) (void)store.writeExit(m.id, *ex);  // it stays as it was
        return errorOut("cannot start container " + ref + ": " + sup.error().message(), 1);
    }
    return 0;
}

}  // namespace

int cmdStart(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'a', "attach", false}, {'i', "interactive", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager start [-a|--attach] [-i|--interactive] CONTAINER...\n\n"
                  "Starts created or exited containers again: the same id, name, spec, rootfs and\n"
                  "log (appended to), a fresh init. -a prints its new output until it exits and\n"
                  "returns its exit code (one container only); -i also feeds our stdin to a container\n"
                  "run with -i (implies -a).");
        return a->has("help") ? 0 : 1;
    }
    bool attached = a->has("attach") || a->has("interactive");
    if (attached && a->positional.size() != 1) return errorOut("you cannot start and attach multiple containers at once", 125);
    if (attached) {
        auto m = store.resolve(a->positional[0]);
        if (!m) return errorOut(m.error().message(), 1);
        std::string since = rfc3339(nowNs());
        lc::UniqueFd conn;
        if (int rc = startAgain(store, *m, a->positional[0], &conn); rc != 0) return rc;
        if (!conn) return 0;  // it was running already
        return attach(store, *m, std::move(conn), since);
    }
    return forEachContainer(store, a->positional, [&](const Meta& m, const std::string& ref) {
        int rc = startAgain(store, m, ref, nullptr);
        if (rc == 0) std::printf("%s\n", ref.c_str());
        return rc;
    });
}

int cmdRestart(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'t', "time", true}, {'s', "signal", true}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager restart [-t|--time SECONDS] [-s|--signal SIG] CONTAINER...\n\n"
                  "Stops running containers as stop does (SIG, default TERM; KILL after SECONDS,\n"
                  "default 10), then starts them again as start does.");
        return a->has("help") ? 0 : 1;
    }
    auto grace = parseInt(a->value("time", "10"), "--time");
    if (!grace || *grace < 0) return errorOut("invalid --time: " + a->value("time"), 125);
    int sig = signalNumber(a->value("signal", "TERM"));
    if (!sig) return errorOut("invalid signal: " + a->value("signal"), 125);
    return forEachContainer(store, a->positional, [&](const Meta& m, const std::string& ref) {
        if (int rc = stopContainer(store, m, ref, sig, *grace); rc != 0) return rc;
        waitSupervisorGone(store, m.id, 5000);
        if (int rc = startAgain(store, m, ref, nullptr); rc != 0) return rc;
        store.event("restart", m);
        std::printf("%s\n", ref.c_str());
        return 0;
    });
}

}  // namespace mgr
