// load, images, rmi: the image commands (images.h has the store).
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "template.h"
#include "images.h"

namespace mgr {
namespace {

// docker's sizes: decimal units, three significant digits
std::string humanSize(int64_t b) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 && u ? "%.2f%s" : v < 100 && u ? "%.1f%s" : "%.0f%s", v, units[u]);
    return buf;
}

}  // namespace

int cmdLoad(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'i', "input", true}, {'q', "quiet", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message(), 125);
    const char* usage =
        "Usage: runccpp-manager load -i ARCHIVE|DIR\n\n"
        "Loads images from a `docker save` archive or an OCI image layout (a tar, or a directory).\n"
        "Every blob is checked against its sha256; layers are unpacked once and shared.\n\n"
        "  -i, --input PATH   the archive or directory\n"
        "  -q, --quiet        print nothing\n";
    if (a->has("help")) {
        std::fputs(usage, stdout);
        return 0;
    }
    std::string in = a->value("input", a->positional.empty() ? "" : a->positional[0]);
    if (in.empty()) return errorOut(std::string("load needs -i ARCHIVE (reading stdin is not supported)\n") + usage, 125);
    auto r = Images(store).load(in);
    if (!r) return errorOut("load " + in + ": " + r.error().message(), 125);
    if (!a->has("quiet"))
        for (const auto& l : *r) std::printf("%s\n", l.c_str());
    return 0;
}

int cmdImages(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'q', "quiet", false}, {0, "no-trunc", false}, {'h', "help", false}, {0, "format", true}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help")) {
        std::puts("Usage: runccpp-manager images [-q] [--no-trunc] [--format TEMPLATE]\n\nLists the loaded images, newest first.\n"
                  "--format: a Go template over .Repository .Tag .ID .CreatedSince .CreatedAt .Size\n"
                  "('table ...' adds docker's headers).");
        return 0;
    }
    auto all = Images(store).list();
    if (!all) return errorOut(all.error().message(), 125);
    bool trunc = !a->has("no-trunc");
    std::optional<tmpl::Template> tpl;
    std::string format = a->value("format"), formatted;
    bool table = false;
    if (!format.empty() && !a->has("quiet")) {
        table = tmpl::splitTable(format);
        if (format.empty()) format = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
        auto t = tmpl::Template::parse(format);
        if (!t) return errorOut("template parsing error: " + t.error().message(), 125);
        tpl = std::move(*t);
    }
    auto fields = [](std::initializer_list<std::pair<const char*, std::string>> kv) {
        tmpl::Value v;
        v.kind = tmpl::Value::Kind::Object;
        for (const auto& [k, s] : kv) v.obj.emplace_back(k, tmpl::Value::str(s));
        return v;
    };
    if (tpl && table) {
        auto h = tpl->execute(fields({{"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"},
                                      {"CreatedAt", "CREATED AT"}, {"Size", "SIZE"}}));
        if (!h) return errorOut(h.error().message());
        formatted += *h + "\n";
    }
    if (!a->has("quiet") && !tpl) std::printf("%-30s %-10s %-15s %-20s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
    for (const auto& img : *all) {
        std::string id = trunc ? img.id.substr(0, 12) : "sha256:" + img.id;
        if (a->has("quiet")) {
            std::printf("%s\n", id.c_str());
            continue;
        }
        std::string created = "N/A";
        if (auto t = parseTimeArg(img.config.created); t && !img.config.created.empty())
            created = humanDuration((nowNs() - *t) / 1000000000) + " ago";
        std::vector<std::string> tags = img.tags;
        if (tags.empty()) tags.push_back("<none>:<none>");
        for (const auto& t : tags) {
            auto colon = t.rfind(':');
            if (tpl) {
                auto out = tpl->execute(fields({{"Repository", t.substr(0, colon)}, {"Tag", t.substr(colon + 1)}, {"ID", id},
                                                {"CreatedSince", created}, {"CreatedAt", img.config.created},
                                                {"Size", humanSize(img.size)}}));
                if (!out) return errorOut(out.error().message());
                formatted += *out + "\n";
                continue;
            }
            std::printf("%-30s %-10s %-15s %-20s %s\n", t.substr(0, colon).c_str(), t.substr(colon + 1).c_str(),
                        id.c_str(), created.c_str(), humanSize(img.size).c_str());
        }
    }
    if (tpl) std::fputs(table ? tmpl::tabulate(formatted).c_str() : formatted.c_str(), stdout);
    return 0;
}

int cmdRmi(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'f', "force", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager rmi [-f] IMAGE...\n\n"
                  "Untags an image, or removes it and the layers no other image uses. An image a\n"
                  "container uses is kept (remove the container first).");
        return a->has("help") ? 0 : 125;
    }
    int rc = 0;
    for (const auto& ref : a->positional) {
        auto r = Images(store).remove(ref, a->has("force"));
        if (!r) {
            rc = errorOut(r.error().message(), 1);
            continue;
        }
        for (const auto& l : *r) std::printf("%s\n", l.c_str());
    }
    return rc;
}

}  // namespace mgr
