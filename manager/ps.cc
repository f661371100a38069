// ps: the containers as a table (running ones; -a all), or their ids (-q).
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "network.h"

namespace mgr {
namespace {

std::string statusText(const Status& s) {
    int64_t now = nowNs();
    if (s.state == "running" || s.state == "paused")
        return "Up " + humanDuration((now - s.startedAt) / 1000000000) + (s.state == "paused" ? " (Paused)" : "");
    if (s.state == "exited")
        return "Exited (" + std::to_string(s.exit->code) + ") " + humanDuration((now - s.exit->finishedAt) / 1000000000) + " ago";
    if (s.state == "created") return "Created";
    return "Dead";
}

std::string commandText(const std::vector<std::string>& args, bool trunc) {
    std::string c;
    for (const auto& a : args) c += (c.empty() ? "" : " ") + a;
    if (trunc && c.size() > 20) c = c.substr(0, 19) + "…";
    return "\"" + c + "\"";
}

}  // namespace

int cmdPs(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'a', "all", false}, {'q', "quiet", false}, {0, "no-trunc", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help")) {
        std::puts("Usage: runccpp-manager ps [-a|--all] [-q|--quiet] [--no-trunc]\n\n"
                  "Lists running containers (every container with -a), newest first.");
        return 0;
    }
    if (!a->positional.empty()) return errorOut("ps takes no arguments");
    auto all = store.list();
    if (!all) return errorOut(all.error().message());
    bool trunc = !a->has("no-trunc");
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    for (auto it = all->rbegin(); it != all->rend(); ++it) {
        Status s = store.status(*it);
        if (!a->has("all") && s.state != "running" && s.state != "paused") continue;
        if (a->has("quiet")) {
            std::printf("%s\n", trunc ? shortId(it->id).c_str() : it->id.c_str());
            continue;
        }
        // IMAGE: the name it was run by; a bundle's or rootfs' container has none
        rows.push_back({trunc ? shortId(it->id) : it->id, it->imageRef.empty() ? "-" : it->imageRef,
                        commandText(it->args, trunc),
                        humanDuration((nowNs() - it->created) / 1000000000) + " ago", statusText(s), portsColumn(store, it->id), it->name});
    }
    if (a->has("quiet")) return 0;
    std::vector<size_t> width(rows[0].size(), 0);
    auto cols = [](const std::string& s) {  // display width: count UTF-8 lead bytes
        size_t n = 0;
        for (unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    };
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], cols(r[i]));
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - cols(r[i]) + 3, ' ');
        }
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

}  // namespace mgr
