// inspect: a JSON array describing containers; --format '{{.State.Status}}' prints one value.
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "json.h"
#include "network.h"

namespace mgr {
namespace {

std::string describe(const Store& store, const Meta& m) {
    Status s = store.status(m);
    json::Obj state;
    state.str("Status", s.state)
        .boolean("Running", s.state == "running" || s.state == "paused")
        .boolean("Paused", s.state == "paused")
        .boolean("Dead", s.state == "dead")
        .num("Pid", s.pid)
        .num("ExitCode", s.exit ? s.exit->code : 0)
        .boolean("OOMKilled", s.exit && s.exit->oomKilled)
        .str("StartedAt", s.startedAt ? rfc3339(s.startedAt) : "")
        .str("FinishedAt", s.exit ? rfc3339(s.exit->finishedAt) : "")
        .num("SupervisorPid", s.supervisor);
    json::Obj config;
    config.boolean("Tty", m.tty).strs("Cmd", m.args).str("Image", m.imageRef);
    json::Obj log;
    log.str("Type", "json-file").num("MaxSize", m.logMaxSize).num("MaxFiles", m.logMaxFiles);
    std::vector<std::string> rest(m.args.size() > 1 ? m.args.begin() + 1 : m.args.end(), m.args.end());
    return json::Obj()
        .str("Id", m.id)
        .str("Name", m.name)
        .str("Created", rfc3339(m.created))
        .str("Path", m.args.empty() ? "" : m.args[0])
        .strs("Args", rest)
        .raw("State", state.done())
        .str("Image", m.image.empty() ? "" : "sha256:" + m.image)
        .raw("Config", config.done())
        .str("BundlePath", m.bundle)
        .str("LogPath", store.logPath(m.id))
        .raw("LogConfig", log.done())
        .raw("NetworkSettings", networkSettingsJson(store, m.id))
        .boolean("AutoRemove", m.autoRemove)
        .done();
}

}  // namespace

int cmdInspect(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'f', "format", true}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager inspect [-f|--format '{{.Path.To.Field}}'] CONTAINER...\n\n"
                  "Prints a JSON array, or with --format the value at a dotted path for each container.");
        return a->has("help") ? 0 : 1;
    }
    std::string format = a->value("format");
    std::string path;
    if (!format.empty()) {
        if (!format.starts_with("{{") || !format.ends_with("}}")) return errorOut("--format must be {{.Field.Path}}");
        path = format.substr(2, format.size() - 4);
        while (!path.empty() && path.front() == ' ') path.erase(0, 1);
        while (!path.empty() && path.back() == ' ') path.pop_back();
        if (path.starts_with(".")) path.erase(0, 1);
    }
    int rc = 0;
    std::vector<std::string> docs;
    for (const auto& ref : a->positional) {
        auto m = store.resolve(ref);
        if (!m) {
            rc = errorOut(m.error().message());
            continue;
        }
        std::string d = describe(store, *m);
        if (path.empty()) {
            docs.push_back(d);
            continue;
        }
        auto doc = json::Doc::parse(d);
        auto v = doc ? doc->scalar(path) : std::nullopt;
        if (!v) {
            rc = errorOut("no scalar value at ." + path);
            continue;
        }
        std::printf("%s\n", v->c_str());
    }
    if (path.empty()) {
        std::printf("[");
        for (size_t i = 0; i < docs.size(); ++i) std::printf("%s\n  %s", i ? "," : "", docs[i].c_str());
        std::printf("\n]\n");
    }
    return rc;
}

}  // namespace mgr
