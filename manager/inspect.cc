// inspect: a JSON array describing containers; --format applies a Go template to each one.
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "json.h"
#include "network.h"
#include "restart.h"
#include "template.h"

namespace mgr {
namespace {

std::string describe(const Store& store, const Meta& m) {
    Status s = store.status(m);
    json::Obj state;
    state.str("Status", s.state)
        .boolean("Running", s.state == "running" || s.state == "paused")
        .boolean("Paused", s.state == "paused")
        .boolean("Dead", s.state == "dead")
        .boolean("Restarting", s.state == "restarting")
        .num("Pid", s.pid)
        .num("ExitCode", s.exit ? s.exit->code : 0)
        .boolean("OOMKilled", s.exit && s.exit->oomKilled)
        .str("StartedAt", s.startedAt ? rfc3339(s.startedAt) : "")
        .str("FinishedAt", s.exit ? rfc3339(s.exit->finishedAt) : "")
        .num("SupervisorPid", s.supervisor);
    RestartPolicy restartPolicy = parseRestartPolicy(m.restart).value_or(RestartPolicy{});
    json::Obj config;
    config.boolean("Tty", m.tty).strs("Cmd", m.args).str("Image", m.imageRef).raw("Labels", labelsJson(m.labels));
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
        .num("RestartCount", restartCount(store, m.id))
        .raw("HostConfig", json::Obj()
                               .raw("RestartPolicy", json::Obj()
                                                         .str("Name", restartPolicy.name())
                                                         .num("MaximumRetryCount", restartPolicy.maxRetries)
                                                         .done())
                               .boolean("AutoRemove", m.autoRemove)
                               .done())
        .done();
}

}  // namespace

int cmdInspect(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'f', "format", true}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message());
    if (a->has("help") || a->positional.empty()) {
        std::puts("Usage: runccpp-manager inspect [-f|--format TEMPLATE] CONTAINER...\n\n"
                  "Prints a JSON array, or with --format a Go template applied to each container's\n"
                  "document ({{.State.Pid}} {{.Name}}, {{json .State}}, {{index .Config.Labels \"k\"}},\n"
                  "{{range}}, {{if}}; see manager/README.md).");
        return a->has("help") ? 0 : 1;
    }
    std::optional<tmpl::Template> format;
    if (a->has("format")) {
        auto t = tmpl::Template::parse(a->value("format"));
        if (!t) return errorOut("template parsing error: " + t.error().message(), 125);
        format = std::move(*t);
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
        if (!format) {
            docs.push_back(d);
            continue;
        }
        auto v = tmpl::Value::fromJson(d);
        auto out = v ? format->execute(*v) : lc::Result<std::string>(std::unexpected(v.error()));
        if (!out) {
            rc = errorOut(out.error().message());
            continue;
        }
        std::printf("%s\n", out->c_str());
    }
    if (!format) {
        std::printf("[");
        for (size_t i = 0; i < docs.size(); ++i) std::printf("%s\n  %s", i ? "," : "", docs[i].c_str());
        std::printf("\n]\n");
    }
    return rc;
}

}  // namespace mgr
