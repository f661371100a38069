// logs: a container's log (stdout entries to stdout, stderr ones to stderr); -f follows it
// until the container exits.
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstdio>

#include "args.h"
#include "commands.h"

namespace mgr {

int cmdLogs(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'f', "follow", false}, {'n', "tail", true}, {0, "since", true}, {0, "until", true}, {'t', "timestamps", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.size() != 1) {
        std::puts("Usage: runccpp-manager logs [-f|--follow] [-n|--tail N|all] [-t|--timestamps]\n"
                  "                            [--since TIME] [--until TIME] CONTAINER\n\n"
                  "TIME is unix seconds, RFC 3339 (2026-01-02T03:04:05Z) or a duration ago (10s, 5m).");
        return a->has("help") ? 0 : 1;
    }
    auto m = store.resolve(a->positional[0]);
    if (!m) return errorOut(m.error().message());
    int64_t tail = -1;
    if (std::string t = a->value("tail", "all"); t != "all") {
        auto n = parseInt(t, "--tail");
        if (!n) return errorOut(n.error().message());
        tail = *n < 0 ? -1 : *n;
    }
    bool ts = a->has("timestamps");
    // entry times are fixed-width RFC 3339 UTC: they compare as strings
    std::string since, until;
    for (auto [flag, out] : {std::pair{"since", &since}, std::pair{"until", &until}}) {
        if (!a->has(flag)) continue;
        auto t = parseTimeArg(a->value(flag));
        if (!t) return errorOut(t.error().message());
        *out = rfc3339(*t);
    }
    auto inRange = [&](const LogEntry& e) { return (since.empty() || e.time >= since) && (until.empty() || e.time <= until); };
    // Done-ness is read before the log so that what follows the last read is nothing.
    auto finished = [&] { return store.readExit(m->id).has_value() || !store.supervisorPid(m->id); };
    bool done = finished();
    LogReader reader(store.logPath(m->id));
    auto entries = reader.readAll();
    std::erase_if(entries, [&](const LogEntry& e) { return !inRange(e); });
    size_t from = tail < 0 || static_cast<size_t>(tail) >= entries.size() ? 0 : entries.size() - static_cast<size_t>(tail);
    for (size_t i = from; i < entries.size(); ++i) printEntry(entries[i], ts);
    if (!a->has("follow") || done) return 0;

    lc::UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (watch) ::inotify_add_watch(watch.get(), store.dir(m->id).c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF);
    for (;;) {
        done = finished();
        reader.readNew([&](const LogEntry& e) {
            if (inRange(e)) printEntry(e, ts);
        });
        if (done) return 0;
        pollfd p{watch.get(), POLLIN, 0};
        if (::poll(&p, 1, 250) > 0) {
            char buf[4096];
            while (::read(watch.get(), buf, sizeof buf) > 0) {}
        }
    }
}

}  // namespace mgr
