// runc-cpp events: container statistics and OOM notifications as JSON lines, in runc's event
// shape: {"type":"stats","id":ID,"data":{cpu, cpuset, memory, pids, blkio, hugetlb, ...}} and
// {"type":"oom","id":ID}. With --stats one stats event is printed; otherwise stats are printed
// every --interval and an oom event whenever the container's OOM-kill count rises, until the
// container stops.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "../cli.h"
#include "libcontainer/stats.h"

namespace cli {
namespace {

using Clock = std::chrono::steady_clock;

// Go's time.ParseDuration for what callers pass: a sequence of <number><unit>, units ns, us
// (or µs), ms, s, m, h; fractions allowed ("1.5s"). A bare "0" is zero.
std::optional<std::chrono::nanoseconds> parseDuration(const std::string& s) {
    if (s == "0") return std::chrono::nanoseconds(0);
    if (s.empty()) return std::nullopt;
    double total = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t start = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
        if (i == start) return std::nullopt;
        double num = 0;
        auto [p, ec] = std::from_chars(s.data() + start, s.data() + i, num);
        if (ec != std::errc() || p != s.data() + i) return std::nullopt;
        size_t ustart = i;
        while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
        std::string unit = s.substr(ustart, i - ustart);
        double mult;
        if (unit == "ns") mult = 1;
        else if (unit == "us" || unit == "\u00b5s") mult = 1e3;
        else if (unit == "ms") mult = 1e6;
        else if (unit == "s") mult = 1e9;
        else if (unit == "m") mult = 60e9;
        else if (unit == "h") mult = 3600e9;
        else return std::nullopt;
        total += num * mult;
    }
    return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

// A minimal JSON builder for the event lines (keys are fixed ASCII names).
class Json {
public:
    std::string out;
    void raw(std::string_view s) {
        comma();
        out.append(s);
    }
    void key(std::string_view k) {
        comma();
        quoted(k);
        out.push_back(':');
        afterKey_ = true;  // the value follows without a comma
    }
    void str(std::string_view s) {
        comma();
        quoted(s);
    }
    void quoted(std::string_view s) {
        out.push_back('"');
        for (unsigned char c : s) {
            if (c == '"' || c == '\\') {
                out.push_back('\\');
                out.push_back(static_cast<char>(c));
            } else if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out.append(buf);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
        out.push_back('"');
    }
    void num(uint64_t v) {
        comma();
        out.append(std::to_string(v));
    }
    void begin(char c) {
        comma();
        out.push_back(c);
        first_ = true;
    }
    void end(char c) {
        out.push_back(c);
        first_ = false;
    }
    // key: number, left out when zero (Go's omitempty)
    void field(std::string_view k, uint64_t v, bool omitEmpty = false) {
        if (omitEmpty && v == 0) return;
        key(k);
        num(v);
    }

private:
    void comma() {
        if (afterKey_) {
            afterKey_ = false;
            return;
        }
        if (!first_) out.push_back(',');
        first_ = false;
    }
    bool first_ = true;
    bool afterKey_ = false;
};

void memoryEntry(Json& j, std::string_view name, uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt) {
    j.key(name);
    j.begin('{');
    j.field("limit", limit);
    j.field("usage", usage, true);
    j.field("max", max, true);
    j.field("failcnt", failcnt);
    j.end('}');
}

void blkioList(Json& j, std::string_view name, const std::vector<lc::Stats::BlkioEntry>& list) {
    if (list.empty()) return;
    j.key(name);
    j.begin('[');
    for (const auto& e : list) {
        j.begin('{');
        j.field("major", e.major, true);
        j.field("minor", e.minor, true);
        if (!e.op.empty()) {
            j.key("op");
            j.str(e.op);
        }
        j.field("value", e.value, true);
        j.end('}');
    }
    j.end(']');
}

uint64_t statOr0(const lc::Stats& s, const char* key) {
    auto it = s.memoryStat.find(key);
    return it == s.memoryStat.end() ? 0 : it->second;
}

std::string statsEvent(const std::string& id, const lc::Stats& s) {
    Json j;
    j.begin('{');
    j.key("type");
    j.str("stats");
    j.key("id");
    j.str(id);
    j.key("data");
    j.begin('{');

    j.key("cpu");
    j.begin('{');
    j.key("usage");
    j.begin('{');
    j.field("total", s.cpuUsageTotalNs, true);
    if (!s.cpuPerCpuNs.empty()) {
        j.key("percpu");
        j.begin('[');
        for (uint64_t v : s.cpuPerCpuNs) j.num(v);
        j.end(']');
    }
    j.field("kernel", s.cpuUsageKernelNs);
    j.field("user", s.cpuUsageUserNs);
    j.end('}');
    j.key("throttling");
    j.begin('{');
    j.field("periods", s.cpuThrottlingPeriods, true);
    j.field("throttledPeriods", s.cpuThrottledPeriods, true);
    j.field("throttledTime", s.cpuThrottledTimeNs, true);
    j.end('}');
    j.end('}');

    j.key("memory");
    j.begin('{');
    // v1 calls page cache "cache", v2 "file".
    uint64_t cache = s.memoryStat.count("cache") ? statOr0(s, "cache") : statOr0(s, "file");
    j.field("cache", cache, true);
    memoryEntry(j, "usage", s.memoryLimit, s.memoryUsage, s.memoryMaxUsage, s.memoryFailcnt);
    memoryEntry(j, "swap", s.swapLimit, s.swapUsage, 0, 0);
    memoryEntry(j, "kernel", 0, 0, 0, 0);
    memoryEntry(j, "kernelTCP", 0, 0, 0, 0);
    if (!s.memoryStat.empty()) {
        j.key("raw");
        j.begin('{');
        for (const auto& [k, v] : s.memoryStat) j.field(k, v);
        j.end('}');
    }
    j.end('}');

    j.key("pids");
    j.begin('{');
    j.field("current", s.pidsCurrent, true);
    j.field("limit", s.pidsLimit, true);
    j.end('}');

    j.key("blkio");
    j.begin('{');
    blkioList(j, "ioServiceBytesRecursive", s.ioServiceBytes);
    blkioList(j, "ioServicedRecursive", s.ioServiced);
    j.end('}');

    j.key("hugetlb");
    j.begin('{');
    for (const auto& [size, h] : s.hugetlb) {
        j.key(size);
        j.begin('{');
        j.field("usage", h.usage, true);
        j.field("max", h.max, true);
        j.field("failcnt", h.failcnt);
        j.end('}');
    }
    j.end('}');
    j.key("intel_rdt");
    j.begin('{');
    j.end('}');
    j.key("network_interfaces");
    j.raw("null");
    j.end('}');
    j.end('}');
    return j.out;
}

std::string oomEvent(const std::string& id) {
    Json j;
    j.begin('{');
    j.key("type");
    j.str("oom");
    j.key("id");
    j.str(id);
    j.end('}');
    return j.out;
}

void emit(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

bool stopped(lc::Container& c) {
    auto st = c.state();
    return !st || st->status == "stopped";
}

}  // namespace

int runEvents(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, "events", args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, "events", &id, &rc)) return rc;
    const std::string& interval = std::get<EventsFlags>(p->flags).interval;
    const bool statsOnce = std::get<EventsFlags>(p->flags).stats;
    auto every = parseDuration(interval);
    if (!every) return failWith(ctx, "invalid value \"" + interval + "\" for flag -interval: parse error");
    if (every->count() <= 0) return failWith(ctx, "duration interval must be greater than 0");

    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) return failWith(ctx, c.error());
    if (stopped(*c)) return failWith(ctx, "container with id " + id + " is not running");

    if (statsOnce) {
        auto s = c->stats();
        if (!s) return failWith(ctx, s.error());
        emit(statsEvent(id, *s));
        return 0;
    }

    // Stream: stats every interval, oom events as the OOM-kill count rises (checked every
    // 100 ms, and right before the container is found stopped so a final OOM is reported).
    using namespace std::chrono_literals;
    auto baseline = c->oomKillCount();
    uint64_t ooms = baseline ? *baseline : 0;
    auto checkOom = [&] {
        if (auto n = c->oomKillCount(); n && *n > ooms) {
            for (uint64_t i = ooms; i < *n; ++i) emit(oomEvent(id));
            ooms = *n;
        }
    };
    auto nextStats = Clock::now();
    for (;;) {
        checkOom();
        if (stopped(*c)) {
            checkOom();  // an OOM kill that stopped the init just now
            break;
        }
        if (Clock::now() >= nextStats) {
            auto s = c->stats();
            if (!s) {
                if (stopped(*c)) break;
                ctx.log->error(s.error().message());
            } else {
                emit(statsEvent(id, *s));
            }
            nextStats += std::chrono::duration_cast<Clock::duration>(*every);
            if (nextStats < Clock::now()) nextStats = Clock::now() + std::chrono::duration_cast<Clock::duration>(*every);
        }
        auto wait = std::min<Clock::duration>(100ms, nextStats - Clock::now());
        if (wait > Clock::duration::zero())
            ::poll(nullptr, 0, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()) + 1);
    }
    return 0;
}

}  // namespace cli
