#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "../cli.h"
#include "libcontainer/passwd.h"
#include "spec/json.h"

namespace cli {
namespace {

std::string ownerOf(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return "";
    if (auto pw = lc::lookupPasswdUid("/etc/passwd", st.st_uid)) return pw->name;
    return "#" + std::to_string(st.st_uid);
}

// Columns padded like Go's tabwriter (min width 12, padding 1), the last one bare.
void printTable(const std::vector<std::vector<std::string>>& rows) {
    if (rows.empty()) return;
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], std::max<size_t>(r[i].size() + 1, 12));
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line.append(width[i] - r[i].size(), ' ');
        }
        std::printf("%s\n", line.c_str());
    }
}

}  // namespace

int runList(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    std::string format = "table";
    bool quiet = false;
    desc.add_options()
        ("format,f", po::value(&format), "select one of: table or json (default: \"table\")")
        ("quiet,q", po::bool_switch(&quiet), "display only container IDs");
    po::positional_options_description pos;
    po::variables_map vm;
    int rc = 0;
    if (!parseArgs(ctx, "list", "[command options]", args, desc, pos, vm, &rc)) return rc;
    if (format != "table" && format != "json") return failWith(ctx, "invalid format option");
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto ids = rt->list();
    if (!ids) return failWith(ctx, ids.error());

    std::vector<spec::State> states;
    for (const auto& id : *ids) {
        auto c = rt->load(id);
        if (!c) continue;  // removed meanwhile
        auto st = c->state();
        if (!st) continue;
        st->owner = ownerOf(ctx.globals.root + "/" + id);
        states.push_back(std::move(*st));
    }
    if (quiet) {
        for (const auto& s : states) std::printf("%s\n", s.id.c_str());
        return 0;
    }
    if (format == "json") {
        if (states.empty()) {
            std::printf("null\n");
            return 0;
        }
        std::string out = "[";
        for (size_t i = 0; i < states.size(); ++i) out += (i ? "," : "") + spec::toJson(states[i]);
        std::printf("%s]\n", out.c_str());
        return 0;
    }
    std::vector<std::vector<std::string>> rows{{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& s : states)
        rows.push_back({s.id, std::to_string(s.pid), s.status, s.bundle, s.created, s.owner});
    printTable(rows);
    return 0;
}

}  // namespace cli
