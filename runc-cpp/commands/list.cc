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
    int rc = 0;
    auto p = parseArgs(ctx, "list", args, &rc);
    if (!p) return rc;
    const auto& [format, quiet] = std::get<ListFlags>(p->flags);
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
