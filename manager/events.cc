// events: lifecycle events (create, start, exec_start, exec_die, kill, die, oom, stop,
// pause, unpause, destroy) from <root>/events.log: new ones as they come, older ones with --since.
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <fcntl.h>
#include <thread>

#include "args.h"
#include "commands.h"
#include "json.h"

namespace mgr {
namespace {

std::string textLine(const json::Doc& d) {
    std::string out = d.str({"time"}) + " " + d.str({"type"}) + " " + d.str({"action"}) + " " + d.str({"id"});
    std::string attrs;  // key=value, sorted by key as docker prints them
    for (const char* k : {"execCommand", "exitCode", "name", "signal"}) {
        if (auto v = d.scalar(std::string("attributes.") + k)) attrs += (attrs.empty() ? "" : ", ") + std::string(k) + "=" + *v;
    }
    if (!attrs.empty()) out += " (" + attrs + ")";
    return out;
}

}  // namespace

int cmdEvents(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{0, "since", true}, {0, "until", true}, {0, "format", true}, {'f', "filter", true}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || !a->positional.empty()) {
        std::puts("Usage: runccpp-manager events [--since TIME] [--until TIME] [--format json]\n"
                  "                              [-f|--filter container=NAME_OR_ID] [-f event=ACTION]\n\n"
                  "Streams container lifecycle events: new ones, or from --since on; stops at --until.\n"
                  "TIME is unix seconds, RFC 3339 (2026-01-02T03:04:05Z) or a duration ago (10s, 5m, 2h).\n"
                  "It also ends when the state root is removed.");
        return a->has("help") ? 0 : 1;
    }
    std::optional<int64_t> since, until;
    if (a->has("since")) {
        auto t = parseTimeArg(a->value("since"));
        if (!t) return errorOut(t.error().message());
        since = *t;
    }
    if (a->has("until")) {
        auto t = parseTimeArg(a->value("until"));
        if (!t) return errorOut(t.error().message());
        until = *t;
    }
    std::string format = a->value("format");
    if (!format.empty() && format != "json") return errorOut("--format: only json is supported");
    std::vector<std::string> containers, actions;
    for (const auto& f : a->values("filter")) {
        if (f.starts_with("container=")) containers.push_back(f.substr(10));
        else if (f.starts_with("event=")) actions.push_back(f.substr(6));
        else return errorOut("invalid filter: " + f + " (container=X or event=X)");
    }
    if (auto s = store.init(); !s) return errorOut(s.error().message());
    const std::string path = store.eventsPath();
    lc::UniqueFd f;
    ino_t ino = 0;
    lc::UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    auto openCurrent = [&]() -> bool {
        int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) return false;
        f.reset(fd);
        struct stat st{};
        ::fstat(fd, &st);
        ino = st.st_ino;
        if (watch) ::inotify_add_watch(watch.get(), path.c_str(), IN_MODIFY);
        return true;
    };
    if (!openCurrent()) return errorOut("open " + path + ": " + std::strerror(errno));
    if (!since) ::lseek(f.get(), 0, SEEK_END);
    // a rotation (a rename in the root) wakes us at once too
    if (watch) ::inotify_add_watch(watch.get(), store.root().c_str(), IN_MOVED_TO);
    std::string rest;
    auto wanted = [&](const json::Doc& d) {
        bool c = containers.empty(), e = actions.empty();
        std::string id = d.str({"id"}), name = d.str({"name"}), action = d.str({"action"});
        for (const auto& w : containers)
            c = c || w == name || w == id || (w.size() >= 3 && id.starts_with(w));
        for (const auto& w : actions) e = e || w == action;
        return c && e;
    };
    // --since: the rotated file first (the one before events.log)
    lc::UniqueFd older;
    if (since) older.reset(::open((path + ".1").c_str(), O_RDONLY | O_CLOEXEC));
    for (;;) {
        char buf[65536];
        ssize_t n;
        if (older) {
            while ((n = ::read(older.get(), buf, sizeof buf)) > 0) rest.append(buf, static_cast<size_t>(n));
            older.reset();
        }
        while ((n = ::read(f.get(), buf, sizeof buf)) > 0) rest.append(buf, static_cast<size_t>(n));
        // Rotated (renamed to events.log.1)? What the old file got last, then the new one.
        struct stat now{};
        if (::stat(path.c_str(), &now) == 0 && now.st_ino != ino) {
            while ((n = ::read(f.get(), buf, sizeof buf)) > 0) rest.append(buf, static_cast<size_t>(n));
            // Rotated twice since we looked: the file in between is events.log.1 now.
            struct stat prev{};
            if (::stat((path + ".1").c_str(), &prev) == 0 && prev.st_ino != ino)
                older.reset(::open((path + ".1").c_str(), O_RDONLY | O_CLOEXEC));
            if (!openCurrent()) return errorOut("open " + path + ": " + std::strerror(errno));
            continue;
        }
        size_t start = 0, nl;
        while ((nl = rest.find('\n', start)) != std::string::npos) {
            std::string line = rest.substr(start, nl - start);
            start = nl + 1;
            auto d = json::Doc::parse(line);
            if (!d) continue;
            int64_t t = d->num({"timeNano"});
            if (since && t < *since) continue;
            if (until && t > *until) return 0;
            if (!wanted(*d)) continue;
            if (format == "json") std::printf("%s\n", line.c_str());
            else std::printf("%s\n", textLine(*d).c_str());
            std::fflush(stdout);
        }
        rest.erase(0, start);
        if (until && nowNs() > *until) return 0;
        struct stat st{};
        // the root was removed (not just the file between two rotations)
        if (::fstat(f.get(), &st) == 0 && st.st_nlink == 0 && ::access(store.root().c_str(), F_OK) != 0) return 0;
        pollfd p{watch.get(), POLLIN, 0};
        if (::poll(&p, 1, 200) > 0) {
            char b[4096];
            while (::read(watch.get(), b, sizeof b) > 0) {}
        }
    }
}

}  // namespace mgr
