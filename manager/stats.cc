// stats: CPU %, memory, pids and block I/O of running containers, from their cgroups.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "args.h"
#include "commands.h"
#include "json.h"

namespace mgr {
namespace {

struct Sample {
    Meta meta;
    lc::Stats st;
    int64_t at = 0;
};

uint64_t hostMemory() {
    std::istringstream in(readFile("/proc/meminfo"));
    std::string key;
    uint64_t kb = 0;
    while (in >> key >> kb) {
        if (key == "MemTotal:") return kb * 1024;
        in.ignore(1 << 10, '\n');
    }
    return 0;
}

std::string bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) b /= 1024, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.2f%s", b, units[u]);
    return buf;
}

std::vector<Sample> sample(const Store& store, const std::vector<Meta>& metas) {
    std::vector<Sample> out;
    for (const auto& m : metas) {
        auto c = loadContainer(store, m.id);
        if (!c) continue;
        auto st = c->stats();
        if (!st) continue;
        out.push_back({m, std::move(*st), nowNs()});
    }
    return out;
}

// Usage minus the inactive page cache, as docker reports it.
uint64_t memUsage(const lc::Stats& s) {
    for (const char* k : {"total_inactive_file", "inactive_file"}) {
        auto it = s.memoryStat.find(k);
        if (it != s.memoryStat.end() && it->second < s.memoryUsage) return s.memoryUsage - it->second;
    }
    return s.memoryUsage;
}

void print(const std::vector<Sample>& before, const std::vector<Sample>& after, bool asJson, bool trunc) {
    uint64_t host = hostMemory();
    std::vector<std::vector<std::string>> rows;
    if (!asJson) rows.push_back({"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS", "BLOCK I/O"});
    for (const auto& s : after) {
        double cpu = 0;
        for (const auto& b : before)
            if (b.meta.id == s.meta.id && s.at > b.at && s.st.cpuUsageTotalNs >= b.st.cpuUsageTotalNs)
                cpu = 100.0 * static_cast<double>(s.st.cpuUsageTotalNs - b.st.cpuUsageTotalNs) / static_cast<double>(s.at - b.at);
        uint64_t usage = memUsage(s.st);
        uint64_t limit = s.st.memoryLimit;
        if (limit == 0 || limit > host) limit = host;
        double memPct = limit ? 100.0 * static_cast<double>(usage) / static_cast<double>(limit) : 0;
        uint64_t rd = 0, wr = 0;
        for (const auto& e : s.st.ioServiceBytes) {
            if (e.op == "Read" || e.op == "read" || e.op == "rbytes") rd += e.value;
            if (e.op == "Write" || e.op == "write" || e.op == "wbytes") wr += e.value;
        }
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
                                    .num("pids", static_cast<int64_t>(s.st.pidsCurrent))
                                    .num("blockRead", static_cast<int64_t>(rd))
                                    .num("blockWrite", static_cast<int64_t>(wr))
                                    .done()
                                    .c_str());
            continue;
        }
        rows.push_back({trunc ? shortId(s.meta.id) : s.meta.id, s.meta.name, cpuBuf, bytes(static_cast<double>(usage)) + " / " + bytes(static_cast<double>(limit)),
                        memBuf, std::to_string(s.st.pidsCurrent), bytes(static_cast<double>(rd)) + " / " + bytes(static_cast<double>(wr))});
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
                  "CPU % is of one CPU over the sampling interval (1s; 0.5s with --no-stream).\n"
                  "Without CONTAINER: every running container. --format json prints one object a\n"
                  "line per container and sample.");
        return 0;
    }
    std::string format = a->value("format");
    if (!format.empty() && format != "json") return errorOut("--format: only json is supported");
    std::vector<Meta> metas;
    if (a->positional.empty()) {
        auto all = store.list();
        if (!all) return errorOut(all.error().message());
        for (auto& m : *all) {
            std::string st = store.status(m).state;
            if (st == "running" || st == "paused") metas.push_back(m);
        }
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
        auto cur = sample(store, metas);
        if (stream && format.empty() && ::isatty(1)) std::printf("\033[2J\033[H");
        print(prev, cur, format == "json", !a->has("no-trunc"));
        if (!stream) return 0;
        if (cur.empty() && !a->positional.empty()) return 0;  // the containers are gone
        prev = std::move(cur);
    }
}

}  // namespace mgr
