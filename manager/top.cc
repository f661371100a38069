// top: the processes of a running container, from its cgroup and /proc.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "args.h"
#include "commands.h"

namespace mgr {
namespace {

struct ProcInfo {
    std::string uid, pid, ppid, stime, time, cmd;
};

std::optional<ProcInfo> procInfo(pid_t pid) {
    std::string base = "/proc/" + std::to_string(pid);
    std::string stat = readFile(base + "/stat");
    auto lp = stat.find('('), rp = stat.rfind(')');
    if (lp == std::string::npos || rp == std::string::npos) return std::nullopt;
    std::string comm = stat.substr(lp + 1, rp - lp - 1);
    std::istringstream in(stat.substr(rp + 2));
    std::vector<std::string> f;
    std::string x;
    while (in >> x) f.push_back(x);
    if (f.size() < 20) return std::nullopt;
    ProcInfo p;
    p.pid = std::to_string(pid);
    p.ppid = f[1];
    long hz = ::sysconf(_SC_CLK_TCK);
    uint64_t cpu = (std::strtoull(f[11].c_str(), nullptr, 10) + std::strtoull(f[12].c_str(), nullptr, 10)) / static_cast<uint64_t>(hz);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", static_cast<unsigned long long>(cpu / 3600),
                  static_cast<unsigned long long>(cpu / 60 % 60), static_cast<unsigned long long>(cpu % 60));
    p.time = buf;
    // start time: boot time + starttime ticks
    double uptime = 0;
    std::istringstream(readFile("/proc/uptime")) >> uptime;
    time_t start = ::time(nullptr) - static_cast<time_t>(uptime) + static_cast<time_t>(std::strtoull(f[19].c_str(), nullptr, 10) / static_cast<uint64_t>(hz));
    tm t{};
    ::localtime_r(&start, &t);
    std::strftime(buf, sizeof buf, "%H:%M", &t);
    p.stime = buf;
    std::istringstream status(readFile(base + "/status"));
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("Uid:")) {
            std::istringstream u(line.substr(4));
            uid_t uid = 0;
            u >> uid;
            passwd* pw = ::getpwuid(uid);
            p.uid = pw ? pw->pw_name : std::to_string(uid);
        }
    std::string cmdline = readFile(base + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
    p.cmd = cmdline.empty() ? "[" + comm + "]" : cmdline;
    return p;
}

}  // namespace

int cmdTop(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.size() != 1) {
        std::puts("Usage: runccpp-manager top CONTAINER\n\nColumns as ps -ef prints them: UID PID PPID STIME TIME CMD (host pids).");
        return a->has("help") ? 0 : 1;
    }
    auto m = store.resolve(a->positional[0]);
    if (!m) return errorOut(m.error().message());
    Status s = store.status(*m);
    if (s.state != "running" && s.state != "paused") return errorOut("container " + a->positional[0] + " is not running");
    auto c = loadContainer(store, m->id);
    if (!c) return errorOut(c.error().message());
    auto pids = c->pids();
    if (!pids) return errorOut(pids.error().message());
    std::sort(pids->begin(), pids->end());
    std::vector<ProcInfo> rows{{"UID", "PID", "PPID", "STIME", "TIME", "CMD"}};
    for (pid_t p : *pids)
        if (auto i = procInfo(p)) rows.push_back(*i);
    size_t w[5] = {};
    for (const auto& r : rows) {
        const std::string* cols[5] = {&r.uid, &r.pid, &r.ppid, &r.stime, &r.time};
        for (int i = 0; i < 5; ++i) w[i] = std::max(w[i], cols[i]->size());
    }
    for (const auto& r : rows)
        std::printf("%-*s   %-*s   %-*s   %-*s   %-*s   %s\n", static_cast<int>(w[0]), r.uid.c_str(), static_cast<int>(w[1]),
                    r.pid.c_str(), static_cast<int>(w[2]), r.ppid.c_str(), static_cast<int>(w[3]), r.stime.c_str(),
                    static_cast<int>(w[4]), r.time.c_str(), r.cmd.c_str());
    return 0;
}

}  // namespace mgr
