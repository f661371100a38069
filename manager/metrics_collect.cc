#include "metrics_collect.h"

#include <sstream>

#include "commands.h"
#include "json.h"

namespace mgr::metrics {

namespace {

// The container's cgroup path from /proc/<pid>/cgroup: the memory controller's (cgroup v1,
// hybrid), else the unified one ("0::").
std::string cgroupOf(pid_t pid) {
    if (pid <= 0) return {};
    std::istringstream in(readFile("/proc/" + std::to_string(pid) + "/cgroup"));
    std::string line, unified, first;
    while (std::getline(in, line)) {
        size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (first.empty() && !ctrls.empty() && !ctrls.starts_with("name=")) first = path;
        std::istringstream cs(ctrls);
        for (std::string c; std::getline(cs, c, ',');)
            if (c == "memory") return path;
        if (line.starts_with("0::")) unified = path;
    }
    return !unified.empty() && unified != "/" ? unified : first;
}

// Threads of the processes (the Threads: line of /proc/<pid>/status).
uint64_t threadsOf(const std::vector<pid_t>& pids) {
    uint64_t n = 0;
    for (pid_t p : pids) {
        std::istringstream in(readFile("/proc/" + std::to_string(p) + "/status"));
        for (std::string line; std::getline(in, line);) {
            if (line.starts_with("Threads:")) {
                n += std::strtoull(line.c_str() + 8, nullptr, 10);
                break;
            }
        }
    }
    return n;
}

std::string deviceName(uint64_t major, uint64_t minor) {
    std::string mm = std::to_string(major) + ":" + std::to_string(minor);
    std::istringstream in(readFile("/sys/dev/block/" + mm + "/uevent"));
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("DEVNAME=") && line.size() > 8 && line.find('/') == std::string::npos) return "/dev/" + line.substr(8);
    return mm;
}

uint64_t nonNegative(int64_t v) { return v > 0 ? static_cast<uint64_t>(v) : 0; }

}  // namespace

std::vector<NetDev> parseNetDev(std::string_view text) {
    std::vector<NetDev> out;
    std::istringstream in{std::string(text)};
    std::string line;
    for (int header = 0; header < 2 && std::getline(in, line); ++header) {
    }
    while (std::getline(in, line)) {
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        NetDev d;
        size_t b = line.find_first_not_of(' ');
        d.name = line.substr(b, colon - b);
        std::istringstream f(line.substr(colon + 1));
        uint64_t v[16];
        int n = 0;
        while (n < 16 && f >> v[n]) ++n;
        if (n < 16 || d.name.empty()) continue;
        // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs drop ...
        d.rxBytes = v[0], d.rxPackets = v[1], d.rxErrors = v[2], d.rxDropped = v[3];
        d.txBytes = v[8], d.txPackets = v[9], d.txErrors = v[10], d.txDropped = v[11];
        out.push_back(std::move(d));
    }
    return out;
}

bool ignoredInterface(std::string_view name) {
    for (std::string_view p : {"lo", "veth", "docker", "nerdctl"})
        if (name.starts_with(p)) return true;
    return false;
}

uint64_t memoryStat(const lc::Stats& st, const char* v1Key, const char* v2Key) {
    for (const char* k : {v1Key, v2Key}) {
        auto it = st.memoryStat.find(k);
        if (it != st.memoryStat.end()) return it->second;
    }
    return 0;
}

uint64_t workingSet(const lc::Stats& st) {
    uint64_t inactive = memoryStat(st, "total_inactive_file", "inactive_file");
    return st.memoryUsage > inactive ? st.memoryUsage - inactive : 0;
}

uint64_t memoryLimitValue(uint64_t limit) { return limit > (1ULL << 62) ? 0 : limit; }

uint64_t hostMemoryBytes() {
    std::istringstream in(readFile("/proc/meminfo"));
    std::string key;
    uint64_t kb = 0;
    while (in >> key >> kb) {
        if (key == "MemTotal:") return kb * 1024;
        in.ignore(1 << 10, '\n');
    }
    return 0;
}

std::vector<BlockDev> blockDevices(const lc::Stats& st) {
    std::map<std::pair<uint64_t, uint64_t>, BlockDev> devs;
    auto add = [&](const std::vector<lc::Stats::BlkioEntry>& entries, bool bytes) {
        for (const auto& e : entries) {
            bool rd = e.op == "Read", wr = e.op == "Write";
            if (!rd && !wr) continue;
            auto& d = devs[{e.major, e.minor}];
            (rd ? (bytes ? d.readBytes : d.reads) : (bytes ? d.writeBytes : d.writes)) += e.value;
        }
    };
    add(st.ioServiceBytes, true);
    add(st.ioServiced, false);
    std::vector<BlockDev> out;
    for (auto& [mm, d] : devs) {
        d.device = deviceName(mm.first, mm.second);
        out.push_back(std::move(d));
    }
    return out;
}

lc::Result<Sample> collect(const Store& store, const Meta& meta, const Status& status) {
    LC_TRY_ASSIGN(auto c, loadContainer(store, meta.id));
    LC_TRY_ASSIGN(auto st, c.stats());
    Sample s;
    s.at = nowNs();
    s.meta = meta;
    s.status = status;
    s.st = std::move(st);
    s.block = blockDevices(s.st);
    pid_t init = status.pid > 0 ? status.pid : c.initPid();
    if (auto pids = c.pids()) {
        s.processes = pids->size();
        s.threads = threadsOf(*pids);
    }
    if (s.threads == 0) s.threads = s.st.pidsCurrent;
    if (auto oom = c.oomKillCount()) s.oomKills = *oom;
    for (auto& d : parseNetDev(readFile("/proc/" + std::to_string(init) + "/net/dev")))
        if (!ignoredInterface(d.name)) s.net.push_back(std::move(d));
    auto spec = json::Doc::load(store.dir(meta.id) + "/config.json");
    if (spec) {
        s.cpuShares = nonNegative(spec->num({"linux", "resources", "cpu", "shares"}));
        s.cpuQuota = spec->num({"linux", "resources", "cpu", "quota"});
        s.cpuPeriod = nonNegative(spec->num({"linux", "resources", "cpu", "period"}));
        s.memoryReservation = nonNegative(spec->num({"linux", "resources", "memory", "reservation"}));
        if (s.cpuQuota > 0 && s.cpuPeriod == 0) s.cpuPeriod = 100000;  // the kernel's default
    }
    s.cgroup = cgroupOf(init);
    if (s.cgroup.empty() && spec) s.cgroup = spec->str({"linux", "cgroupsPath"});
    if (auto m = json::Doc::load(store.dir(meta.id) + "/meta.json")) {
        for (const char* key : {"labels", "Labels"}) {
            for (const auto& k : m->keys({key}))
                s.labels.emplace(k, m->str({key, k.c_str()}));
        }
    }
    return s;
}

std::vector<Sample> collectAll(const Store& store, int* failures) {
    std::vector<Sample> out;
    if (failures) *failures = 0;
    auto all = store.list();
    if (!all) {
        if (failures) *failures = 1;
        return out;
    }
    for (const auto& m : *all) {
        Status st = store.status(m);
        if (st.state != "running" && st.state != "paused") continue;
        auto s = collect(store, m, st);
        if (s) out.push_back(std::move(*s));
        else if (failures && store.status(m).state == st.state) ++*failures;  // not a container that just exited
    }
    return out;
}

}  // namespace mgr::metrics
