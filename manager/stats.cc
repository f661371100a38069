// stats: CPU %, memory, network and block I/O and pids of running containers (docker stats),
// from their cgroups and network namespaces (metrics_collect.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "args.h"
#include "commands.h"
#include "json.h"
#include "metrics_collect.h"

namespace mgr {
namespace {

using metrics::Sample;

// docker's sizes: memory in binary units with 4 significant digits ("1.945MiB"), network and
// block I/O in decimal ones with 3 ("1.23kB", "648B").
std::string bytes(double b, bool binary = true) {
    const char* bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    const char* dec[] = {"B", "kB", "MB", "GB", "TB"};
    const double base = binary ? 1024 : 1000;
    const double top = binary ? 1024 : 999.5;  // 999.6 would print as 1e+03 at 3 digits
    int u = 0;
    while (b >= top && u < 4) b /= base, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, binary ? "%.4g%s" : "%.3g%s", b, (binary ? bin : dec)[u]);
    return buf;
}

std::vector<Sample> sample(const Store& store, const std::vector<Meta>& metas) {
    std::vector<Sample> out;
    for (const auto& m : metas) {
        auto s = metrics::collect(store, m, store.status(m));
        if (s) out.push_back(std::move(*s));
    }
    return out;
}

void print(const std::vector<Sample>& before, const std::vector<Sample>& after, bool asJson, bool trunc) {
    uint64_t host = metrics::hostMemoryBytes();
    std::vector<std::vector<std::string>> rows;
    if (!asJson)
        rows.push_back({"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"});
    for (const auto& s : after) {
        double cpu = 0;
        for (const auto& b : before)
            if (b.meta.id == s.meta.id && s.at > b.at && s.st.cpuUsageTotalNs >= b.st.cpuUsageTotalNs)
                cpu = 100.0 * static_cast<double>(s.st.cpuUsageTotalNs - b.st.cpuUsageTotalNs) / static_cast<double>(s.at - b.at);
        uint64_t usage = metrics::workingSet(s.st);
        uint64_t limit = s.st.memoryLimit;
        if (limit == 0 || limit > host) limit = host;
        double memPct = limit ? 100.0 * static_cast<double>(usage) / static_cast<double>(limit) : 0;
        uint64_t rd = 0, wr = 0, rx = 0, tx = 0;
        for (const auto& d : s.block) rd += d.readBytes, wr += d.writeBytes;
        for (const auto& d : s.net) rx += d.rxBytes, tx += d.txBytes;
        char cpuBuf[32], memBuf[32];
        std::snprintf(cpuBuf, sizeof cpuBuf, "%.2f%%", cpu);
        std::snprintf(memBuf, sizeof memBuf, "%.2f%%", memPct);
        if (asJson) {
            char pct[32];
            std::snprintf(pct, sizeof pct, "%.2f", cpu);
            std::string cpuJson = pct;
            std::snprintf(pct, sizeof pct, "%.2f", memPct);
            std::printf("%s\n", json::Obj()
                                    .str("id", s.meta.id)
                                    .str("name", s.meta.name)
                                    .raw("cpuPercent", cpuJson)
                                    .num("cpuTotalNs", static_cast<int64_t>(s.st.cpuUsageTotalNs))
                                    .num("memoryUsage", static_cast<int64_t>(usage))
                                    .num("memoryLimit", static_cast<int64_t>(limit))
                                    .raw("memoryPercent", pct)
                                    .num("netInput", static_cast<int64_t>(rx))
                                    .num("netOutput", static_cast<int64_t>(tx))
                                    .num("pids", static_cast<int64_t>(s.st.pidsCurrent))
                                    .num("blockRead", static_cast<int64_t>(rd))
                                    .num("blockWrite", static_cast<int64_t>(wr))
                                    .done()
                                    .c_str());
            continue;
        }
        rows.push_back({trunc ? shortId(s.meta.id) : s.meta.id, s.meta.name, cpuBuf, bytes(static_cast<double>(usage)) + " / " + bytes(static_cast<double>(limit)),
                        memBuf, bytes(static_cast<double>(rx), false) + " / " + bytes(static_cast<double>(tx), false),
                        bytes(static_cast<double>(rd), false) + " / " + bytes(static_cast<double>(wr), false),
                        std::to_string(s.st.pidsCurrent)});
    }
    if (!asJson) {
        std::vector<size_t> w(rows[0].size(), 0);
        for (const auto& r : rows)
            for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
        for (const auto& r : rows) {
            std::string line;
            for (size_t i = 0; i < r.size(); ++i) line += r[i] + (i + 1 < r.size() ? std::string(w[i] - r[i].size() + 3, ' ') : "");
            std::printf("%s\n", line.c_str());
        }
    }
    std::fflush(stdout);
}

}  // namespace

int cmdStats(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{0, "no-stream", false}, {0, "format", true}, {'a', "all", false}, {0, "no-trunc", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help")) {
        std::puts("Usage: runccpp-manager stats [--no-stream] [--format json] [--no-trunc] [CONTAINER...]\n\n"
                  "A live table, refreshed every second (redrawn in place on a terminal, else one\n"
                  "table after the other) until interrupted; --no-stream prints one table.\n"
                  "CPU % is of one CPU over the sampling interval (1s; 0.5s with --no-stream);\n"
                  "NET I/O is what the container's network namespace received / sent.\n"
                  "Without CONTAINER: every running container. --format json prints one object a\n"
                  "line per container and sample.");
        return 0;
    }
    std::string format = a->value("format");
    if (!format.empty() && format != "json") return errorOut("--format: only json is supported");
    // Without names: every running container, listed again at each refresh (as docker's).
    auto running = [&store]() {
        std::vector<Meta> out;
        if (auto all = store.list())
            for (auto& m : *all) {
                std::string st = store.status(m).state;
                if (st == "running" || st == "paused") out.push_back(m);
            }
        return out;
    };
    std::vector<Meta> metas;
    if (a->positional.empty()) {
        if (auto all = store.list(); !all) return errorOut(all.error().message());
        metas = running();
    } else {
        for (const auto& ref : a->positional) {
            auto m = store.resolve(ref);
            if (!m) return errorOut(m.error().message());
            std::string st = store.status(*m).state;
            if (st != "running" && st != "paused") return errorOut("container " + ref + " is not running");
            metas.push_back(*m);
        }
    }
    bool stream = !a->has("no-stream");
    auto prev = sample(store, metas);
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(stream ? 1000 : 500));
        if (stream && a->positional.empty()) metas = running();
        auto cur = sample(store, metas);
        // a terminal gets the table redrawn in place: clear the screen, cursor home
        if (stream && format.empty() && ::isatty(1)) std::printf("\033[2J\033[H");
        print(prev, cur, format == "json", !a->has("no-trunc"));
        if (!stream) return 0;
        if (cur.empty() && !a->positional.empty()) return 0;  // the containers are gone
        prev = std::move(cur);
    }
}

}  // namespace mgr
