// ps: the containers as a table (running ones; -a all), their ids (-q), or a template's
// output per container (--format); --filter selects them.
#include <cstdio>
#include <ctime>

#include "args.h"
#include "commands.h"
#include "network.h"
#include "options.h"
#include "template.h"

namespace mgr {
namespace {

std::string statusText(const Status& s) {
    int64_t now = nowNs();
    if (s.state == "running" || s.state == "paused")
        return "Up " + humanDuration((now - s.startedAt) / 1000000000) + (s.state == "paused" ? " (Paused)" : "");
    if (s.state == "exited")
        return "Exited (" + std::to_string(s.exit->code) + ") " + humanDuration((now - s.exit->finishedAt) / 1000000000) + " ago";
    if (s.state == "restarting")
        return "Restarting (" + std::to_string(s.exit->code) + ") " + humanDuration((now - s.exit->finishedAt) / 1000000000) + " ago";
    if (s.state == "created") return "Created";
    return "Dead";
}

std::string commandText(const std::vector<std::string>& args, bool trunc) {
    std::string c;
    for (const auto& a : args) c += (c.empty() ? "" : " ") + a;
    if (trunc && c.size() > 20) c = c.substr(0, 19) + "…";
    return "\"" + c + "\"";
}


// docker's ps template fields for one container, and their table headers.
tmpl::Value psFields(const Meta& m, const Status& s, bool trunc) {
    tmpl::Value v;
    v.kind = tmpl::Value::Kind::Object;
    auto add = [&](const char* k, std::string val) { v.obj.emplace_back(k, tmpl::Value::str(std::move(val))); };
    std::string labels;
    for (const auto& [k, val] : m.labels) labels += (labels.empty() ? "" : ",") + k + "=" + val;
    time_t secs = static_cast<time_t>(m.created / 1000000000);
    tm t{};
    ::gmtime_r(&secs, &t);
    char created[64];
    std::strftime(created, sizeof created, "%Y-%m-%d %H:%M:%S +0000 UTC", &t);
    add("ID", trunc ? shortId(m.id) : m.id);
    add("Image", m.imageRef.empty() ? "-" : m.imageRef);
    add("Command", commandText(m.args, trunc));
    add("CreatedAt", created);
    add("RunningFor", humanDuration((nowNs() - m.created) / 1000000000) + " ago");
    add("Ports", "");
    add("Status", statusText(s));
    add("Size", "");
    add("Names", m.name);
    add("Labels", labels);
    add("State", s.state);
    add("Mounts", [&] {
        std::string out;
        for (const auto& vol : m.volumes) out += (out.empty() ? "" : ",") + vol;
        return out;
    }());
    add("Networks", "");
    add("LocalVolumes", std::to_string(m.volumes.size()));
    return v;
}

tmpl::Value psHeaders() {
    tmpl::Value v;
    v.kind = tmpl::Value::Kind::Object;
    for (auto [k, h] : std::initializer_list<std::pair<const char*, const char*>>{
             {"ID", "CONTAINER ID"}, {"Image", "IMAGE"}, {"Command", "COMMAND"}, {"CreatedAt", "CREATED AT"},
             {"RunningFor", "CREATED"}, {"Ports", "PORTS"}, {"Status", "STATUS"}, {"Size", "SIZE"},
             {"Names", "NAMES"}, {"Labels", "LABELS"}, {"State", "STATE"}, {"Mounts", "MOUNTS"},
             {"Networks", "NETWORKS"}, {"LocalVolumes", "LOCAL VOLUMES"}})
        v.obj.emplace_back(k, tmpl::Value::str(h));
    return v;
}

}  // namespace

int cmdPs(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'a', "all", false}, {'q', "quiet", false}, {0, "no-trunc", false}, {'h', "help", false},
                                {'f', "filter", true}, {0, "format", true}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help")) {
        std::puts("Usage: runccpp-manager ps [-a|--all] [-q|--quiet] [--no-trunc] [-f|--filter KEY=VALUE]...\n"
                  "                           [--format TEMPLATE]\n\n"
                  "Lists running containers (every container with -a, or with a status filter), newest\n"
                  "first. Filters: id=PREFIX, name=REGEX, status=STATE, label=KEY, label=KEY=VALUE\n"
                  "(values of one key ORed, keys ANDed, labels all). --format is a Go template over\n"
                  "docker's fields .ID .Image .Command .CreatedAt .RunningFor .Ports .Status .Size\n"
                  ".Names .Labels .State .Mounts .Networks .LocalVolumes; 'table ...' adds headers\n"
                  "and aligns the tab-separated columns; 'json' prints each container as JSON.");
        return 0;
    }
    if (!a->positional.empty()) return errorOut("ps takes no arguments", 125);
    auto filter = parsePsFilters(a->values("filter"));
    if (!filter) return errorOut(filter.error().message(), 125);
    std::string format = a->value("format");
    bool table = false, asJson = format == "json";
    std::optional<tmpl::Template> tpl;
    if (!format.empty() && !asJson && !a->has("quiet")) {
        table = tmpl::splitTable(format);
        if (format.empty()) format = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
        auto t = tmpl::Template::parse(format);
        if (!t) return errorOut("template parsing error: " + t.error().message(), 125);
        tpl = std::move(*t);
    }
    auto all = store.list();
    if (!all) return errorOut(all.error().message());
    bool trunc = !a->has("no-trunc");
    std::string formatted;
    if (tpl && table) {
        auto h = tpl->execute(psHeaders());
        if (!h) return errorOut(h.error().message());
        formatted += *h + "\n";
    }
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    for (auto it = all->rbegin(); it != all->rend(); ++it) {
        Status s = store.status(*it);
        // a status filter shows stopped containers too, as docker's does
        if (!a->has("all") && !filter->has("status") && s.state != "running" && s.state != "paused" && s.state != "restarting") continue;
        if (!psMatches(*filter, {it->id, it->name, s.state, it->labels})) continue;
        if (a->has("quiet")) {
            std::printf("%s\n", trunc ? shortId(it->id).c_str() : it->id.c_str());
            continue;
        }
        if (tpl || asJson) {
            tmpl::Value fields = psFields(*it, s, trunc);
            if (asJson) {
                formatted += tmpl::toJson(fields) + "\n";
                continue;
            }
            auto out = tpl->execute(fields);
            if (!out) return errorOut(out.error().message());
            formatted += *out + "\n";
            continue;
        }
        // IMAGE: the name it was run by; a bundle's or rootfs' container has none
        rows.push_back({trunc ? shortId(it->id) : it->id, it->imageRef.empty() ? "-" : it->imageRef,
                        commandText(it->args, trunc),
                        humanDuration((nowNs() - it->created) / 1000000000) + " ago", statusText(s), portsColumn(store, it->id), it->name});
    }
    if (a->has("quiet")) return 0;
    if (tpl || asJson) {
        std::fputs(table ? tmpl::tabulate(formatted).c_str() : formatted.c_str(), stdout);
        return 0;
    }
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
