// metrics: a Prometheus endpoint with cAdvisor's container metrics (names, types, units and
// labels), read live from every running container under the root at each scrape.
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

#include "args.h"
#include "commands.h"
#include "http_server.h"
#include "metrics_collect.h"
#include "metrics_format.h"

namespace mgr {

namespace {

constexpr const char* kCounter = "counter";
constexpr const char* kGauge = "gauge";

double seconds(uint64_t ns) { return static_cast<double>(ns) / 1e9; }
double num(uint64_t v) { return static_cast<double>(v); }

void addContainer(prom::Exposition& e, const metrics::Sample& s, double now) {
    prom::Labels base = {{"id", s.cgroup}, {"image", s.meta.imageRef}, {"name", s.meta.name}};
    // cAdvisor's container_label_<key>: the prefix keeps the name valid, other bytes become _
    for (const auto& [k, v] : s.labels) base.emplace_back(prom::sanitizeLabelName("container_label_" + k), v);
    auto with = [&](std::initializer_list<std::pair<std::string, std::string>> extra) {
        prom::Labels l = base;
        l.insert(l.end(), extra.begin(), extra.end());
        return l;
    };
    auto add = [&](const char* name, const char* type, const char* help, double v) { e.add(name, type, help, base, v); };
    const lc::Stats& st = s.st;

    e.add("container_cpu_usage_seconds_total", kCounter, "Cumulative CPU time consumed, in seconds.", with({{"cpu", "total"}}),
          seconds(st.cpuUsageTotalNs));
    add("container_cpu_user_seconds_total", kCounter, "Cumulative user CPU time consumed, in seconds.", seconds(st.cpuUsageUserNs));
    add("container_cpu_system_seconds_total", kCounter, "Cumulative system CPU time consumed, in seconds.",
        seconds(st.cpuUsageKernelNs));
    if (s.cpuQuota > 0) {
        add("container_cpu_cfs_periods_total", kCounter, "Enforcement periods that elapsed.", num(st.cpuThrottlingPeriods));
        add("container_cpu_cfs_throttled_periods_total", kCounter, "Periods in which the container was throttled.",
            num(st.cpuThrottledPeriods));
        add("container_cpu_cfs_throttled_seconds_total", kCounter, "Total time the container was throttled, in seconds.",
            seconds(st.cpuThrottledTimeNs));
    }

    add("container_memory_usage_bytes", kGauge, "Memory in use, page cache included, in bytes.", num(st.memoryUsage));
    add("container_memory_max_usage_bytes", kGauge, "Highest memory use recorded, in bytes.", num(st.memoryMaxUsage));
    add("container_memory_working_set_bytes", kGauge, "Memory in use minus inactive page cache, in bytes.",
        num(metrics::workingSet(st)));
    add("container_memory_rss", kGauge, "Anonymous memory (RSS), in bytes.", num(metrics::memoryStat(st, "total_rss", "anon")));
    add("container_memory_cache", kGauge, "Page cache memory, in bytes.", num(metrics::memoryStat(st, "total_cache", "file")));
    add("container_memory_mapped_file", kGauge, "Memory-mapped files, in bytes.",
        num(metrics::memoryStat(st, "total_mapped_file", "file_mapped")));
    bool v2 = !st.memoryStat.contains("total_rss") && st.memoryStat.contains("anon");
    add("container_memory_swap", kGauge, "Swap in use, in bytes.", num(v2 ? st.swapUsage : metrics::memoryStat(st, "total_swap", "")));
    add("container_memory_failcnt", kCounter, "Times the memory use hit the limit.", num(st.memoryFailcnt));
    const char* failHelp = "Page faults, by type and scope (the container alone or its hierarchy).";
    for (const char* type : {"pgfault", "pgmajfault"}) {
        std::string total = std::string("total_") + type;
        e.add("container_memory_failures_total", kCounter, failHelp, with({{"failure_type", type}, {"scope", "container"}}),
              num(metrics::memoryStat(st, type, type)));
        e.add("container_memory_failures_total", kCounter, failHelp, with({{"failure_type", type}, {"scope", "hierarchy"}}),
              num(metrics::memoryStat(st, total.c_str(), type)));
    }
    add("container_spec_memory_limit_bytes", kGauge, "Memory limit, in bytes (0: none).", num(metrics::memoryLimitValue(st.memoryLimit)));
    add("container_spec_memory_swap_limit_bytes", kGauge, "Memory plus swap limit, in bytes (0: none).",
        num(metrics::memoryLimitValue(st.swapLimit)));
    add("container_spec_memory_reservation_limit_bytes", kGauge, "Memory reservation (soft limit), in bytes (0: none).",
        num(s.memoryReservation));
    if (s.cpuShares > 0) add("container_spec_cpu_shares", kGauge, "CPU shares of the container.", num(s.cpuShares));
    if (s.cpuQuota > 0) {
        add("container_spec_cpu_quota", kGauge, "CPU quota, in microseconds per period.", static_cast<double>(s.cpuQuota));
        add("container_spec_cpu_period", kGauge, "CPU period, in microseconds.", num(s.cpuPeriod));
    }

    add("container_processes", kGauge, "Processes in the container.", num(s.processes));
    add("container_threads", kGauge, "Threads in the container.", num(s.threads));
    add("container_threads_max", kGauge, "Most threads the container may have (0: no limit).", num(st.pidsLimit));

    // per interface and per device: one counter for each field
    struct NetField { const char* name; const char* help; uint64_t metrics::NetDev::*field; };
    static const NetField kNet[] = {
        {"container_network_receive_bytes_total", "Bytes received.", &metrics::NetDev::rxBytes},
        {"container_network_receive_packets_total", "Packets received.", &metrics::NetDev::rxPackets},
        {"container_network_receive_errors_total", "Errors while receiving.", &metrics::NetDev::rxErrors},
        {"container_network_receive_packets_dropped_total", "Packets dropped while receiving.", &metrics::NetDev::rxDropped},
        {"container_network_transmit_bytes_total", "Bytes transmitted.", &metrics::NetDev::txBytes},
        {"container_network_transmit_packets_total", "Packets transmitted.", &metrics::NetDev::txPackets},
        {"container_network_transmit_errors_total", "Errors while transmitting.", &metrics::NetDev::txErrors},
        {"container_network_transmit_packets_dropped_total", "Packets dropped while transmitting.", &metrics::NetDev::txDropped},
    };
    for (const auto& d : s.net)
        for (const auto& f : kNet) e.add(f.name, kCounter, f.help, with({{"interface", d.name}}), num(d.*f.field));
    struct BlockField { const char* name; const char* help; uint64_t metrics::BlockDev::*field; };
    static const BlockField kBlock[] = {
        {"container_fs_reads_bytes_total", "Bytes read from the block device.", &metrics::BlockDev::readBytes},
        {"container_fs_writes_bytes_total", "Bytes written to the block device.", &metrics::BlockDev::writeBytes},
        {"container_fs_reads_total", "Reads completed on the block device.", &metrics::BlockDev::reads},
        {"container_fs_writes_total", "Writes completed on the block device.", &metrics::BlockDev::writes},
    };
    for (const auto& d : s.block)
        for (const auto& f : kBlock) e.add(f.name, kCounter, f.help, with({{"device", d.device}}), num(d.*f.field));
    if (s.oomKills)
        add("container_oom_events_total", kCounter, "OOM kills in the container's memory cgroup.", num(*s.oomKills));
    add("container_last_seen", kGauge, "When the container was last read, in seconds since the epoch.", now);
    add("container_start_time_seconds", kGauge, "When the container started, in seconds since the epoch.",
        static_cast<double>(s.status.startedAt) / 1e9);
}

std::string renderMetrics(const Store& store) {
    int failures = 0;
    auto samples = metrics::collectAll(store, &failures);
    prom::Exposition e;
    double now = static_cast<double>(nowNs()) / 1e9;
    for (const auto& s : samples) addContainer(e, s, now);
    long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    e.add("machine_cpu_cores", kGauge, "Logical CPUs of the host.", {}, cpus > 0 ? static_cast<double>(cpus) : 0);
    e.add("machine_memory_bytes", kGauge, "Memory of the host, in bytes.", {}, num(metrics::hostMemoryBytes()));
    e.add("container_scrape_error", kGauge, "1 when a container could not be read in this scrape, else 0.", {},
          failures ? 1 : 0);
    return e.text();
}

}  // namespace

int cmdMetrics(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{0, "listen", true}, {0, "timeout", true}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help")) {
        std::puts("Usage: runccpp-manager metrics [--listen ADDRESS] [--timeout SECONDS]\n\n"
                  "Serves GET /metrics in Prometheus' text format with cAdvisor's container metrics,\n"
                  "read live from every running container at each scrape. Runs in the foreground\n"
                  "until SIGINT or SIGTERM.\n\n"
                  "  --listen ADDRESS   127.0.0.1:PORT, [::1]:PORT (any IP address) or :PORT for\n"
                  "                     every address (default 127.0.0.1:8080)\n"
                  "  --timeout SECONDS  time for a request to arrive, for an idle keep-alive\n"
                  "                     connection and for a client to read (default 10)");
        return 0;
    }
    if (!a->positional.empty()) return errorOut("metrics takes no arguments (got \"" + a->positional[0] + "\")", 125);
    auto addr = http::parseListen(a->value("listen", "127.0.0.1:8080"));
    if (!addr) return errorOut(addr.error().message(), 125);
    http::ServerOptions opts;
    if (a->has("timeout")) {
        auto t = parseInt(a->value("timeout"), "--timeout");
        if (!t || *t < 1 || *t > 3600) return errorOut("invalid --timeout: " + a->value("timeout") + " (1 to 3600 seconds)", 125);
        opts.timeoutMs = static_cast<int>(*t * 1000);
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    lc::UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sigfd) return errorOut(std::string("signalfd: ") + std::strerror(errno), 125);
    auto loop = shim::Loop::create();
    if (!loop) return errorOut(loop.error().message(), 125);
    auto server = http::Server::start(**loop, *addr, opts, [&store](const http::Request& r) {
        bool head = r.method == "HEAD";
        const char* text = "text/plain; charset=utf-8";
        if (r.path() != "/metrics") return http::response(404, text, "404 page not found\n", head, r.keepAlive);
        if (r.method != "GET" && !head)
            return http::response(405, text, "method not allowed\n", false, r.keepAlive, "Allow: GET, HEAD\r\n");
        return http::response(200, prom::kContentType, renderMetrics(store), head, r.keepAlive);
    });
    if (!server) return errorOut(server.error().message(), 125);
    int stopSignal = 0;
    auto w = (*loop)->watch(sigfd.get(), EPOLLIN, [&](uint32_t) {
        signalfd_siginfo si{};
        if (::read(sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
            stopSignal = static_cast<int>(si.ssi_signo);
            (*loop)->stop();
        }
    });
    if (!w) return errorOut(w.error().message(), 125);
    std::fprintf(stderr, "Serving metrics on http://%s/metrics\n", addr->str().c_str());
    std::fflush(stderr);
    auto r = (*loop)->run();
    server->reset();
    if (!r) return errorOut(r.error().message(), 125);
    std::fprintf(stderr, "Stopped by %s\n", stopSignal == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}

}  // namespace mgr
