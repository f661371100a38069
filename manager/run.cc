// run: creates a container from a bundle, or from a rootfs dir and a command (the spec is
// generated), starts its supervisor, then prints the id (-d) or attaches until it exits.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <regex>

#include "args.h"
#include "commands.h"
#include "libcontainer/builder.h"
#include "spec/json.h"
#include "supervisor.h"

namespace mgr {
namespace {

std::string newId() {
    std::random_device rd;
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 64; ++i) id += hex[rd() % 16];
    return id;
}

const char* kUsage =
    "Usage: runccpp-manager run [OPTIONS] BUNDLE [COMMAND [ARG...]]\n"
    "       runccpp-manager run [OPTIONS] ROOTFS COMMAND [ARG...]\n"
    "\n"
    "BUNDLE is a directory with a config.json (COMMAND replaces its process.args); any other\n"
    "directory is a root filesystem for which a spec is generated.\n"
    "\n"
    "  -d, --detach            run in the background and print the container id\n"
    "  -t, --tty               allocate a terminal, attach it to ours (stdin included)\n"
    "  -i, --interactive       keep stdin open: ours feeds it (foreground), or it stays open (-d)\n"
    "      --name NAME         a name for the container (default: the short id)\n"
    "      --rm                remove the container when it exits\n"
    "  -e, --env KEY=VALUE     set an environment variable (repeatable)\n"
    "  -w, --workdir DIR       working directory inside the container\n"
    "      --hostname NAME     hostname (default: the short id, for generated specs)\n"
    "      --read-only         mount a generated spec's rootfs read-only\n"
    "  -m, --memory SIZE       memory limit (k, m, g suffixes)\n"
    "      --cgroup-parent P   cgroupsPath becomes /P/<id> (default runccpp-manager) when the\n"
    "                          spec has none\n"
    "      --log-max-size S    rotate the log at this size (default 10m; k, m, g suffixes)\n"
    "      --log-max-files N   log files kept, the current one included (default 3)\n";

}  // namespace

int cmdRun(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'d', "detach", false}, {'t', "tty", false}, {'i', "interactive", false},
                                {0, "name", true}, {0, "rm", false}, {'e', "env", true}, {'w', "workdir", true},
                                {0, "hostname", true}, {0, "read-only", false}, {0, "cgroup-parent", true},
                                {0, "log-max-size", true}, {0, "log-max-files", true}, {'m', "memory", true},
                                {'h', "help", false}});
    if (!a) return errorOut(a.error().message() + "\n" + kUsage, 125);
    if (a->has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (a->positional.empty()) return errorOut(std::string("run needs a bundle or a rootfs\n") + kUsage, 125);

    Meta m;
    m.id = newId();
    m.name = a->value("name", shortId(m.id));
    m.tty = a->has("tty");
    m.autoRemove = a->has("rm");
    m.created = nowNs();
    if (!std::regex_match(m.name, std::regex("[a-zA-Z0-9][a-zA-Z0-9_.-]*")))
        return errorOut("invalid container name \"" + m.name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", 125);
    if (a->has("log-max-size")) {
        auto s = parseSize(a->value("log-max-size"));
        if (!s) return errorOut(s.error().message(), 125);
        m.logMaxSize = *s;
    }
    if (a->has("log-max-files")) {
        auto n = parseInt(a->value("log-max-files"), "--log-max-files");
        if (!n || *n < 1) return errorOut("invalid --log-max-files: " + a->value("log-max-files"), 125);
        m.logMaxFiles = *n;
    }

    std::error_code ec;
    std::string target = std::filesystem::absolute(a->positional[0], ec).lexically_normal().string();
    std::vector<std::string> cmd(a->positional.begin() + 1, a->positional.end());
    std::string cgroupsPath = "/" + a->value("cgroup-parent", "runccpp-manager") + "/" + m.id;
    struct stat st{};
    if (::stat(target.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
        return errorOut("no such bundle or rootfs directory: " + a->positional[0], 125);

    spec::Spec sp;
    bool generated = ::access((target + "/config.json").c_str(), F_OK) != 0;
    if (!generated) {
        auto s = spec::loadSpecFile(target + "/config.json");
        if (!s) return errorOut(s.error().message(), 125);
        sp = std::move(*s);
        if (!sp.process) return errorOut(target + "/config.json has no process", 125);
        if (!cmd.empty()) sp.process->args = cmd;
        if (m.tty) sp.process->terminal = true;
        if (a->has("hostname")) sp.hostname = a->value("hostname");
        if (!sp.linux) sp.linux.emplace();
        if (sp.linux->cgroupsPath.empty()) sp.linux->cgroupsPath = cgroupsPath;
        m.bundle = target;
    } else {
        if (cmd.empty()) return errorOut(a->positional[0] + " has no config.json: give a command to run in it", 125);
        lc::SpecBuilder b;
        b.rootfs(target, a->has("read-only")).args(cmd).terminal(m.tty)
            .hostname(a->value("hostname", shortId(m.id))).cgroupsPath(cgroupsPath);
        auto s = b.build();
        if (!s) return errorOut(s.error().message(), 125);
        sp = std::move(*s);
        m.bundle = store.dir(m.id);
    }
    if (a->has("memory")) {
        auto s = parseSize(a->value("memory"));
        if (!s) return errorOut(s.error().message(), 125);
        if (!sp.linux) sp.linux.emplace();
        if (!sp.linux->resources) sp.linux->resources.emplace();
        if (!sp.linux->resources->memory) sp.linux->resources->memory.emplace();
        sp.linux->resources->memory->limit = *s;
    }
    if (m.tty) lc::setEnv(sp.process->env, "TERM=xterm");
    for (const auto& kv : a->values("env")) lc::setEnv(sp.process->env, kv);
    if (a->has("workdir")) sp.process->cwd = a->value("workdir");
    m.tty = sp.process->terminal;
    m.interactive = a->has("interactive") && !m.tty;
    m.args = sp.process->args;

    if (auto s = store.init(); !s) return errorOut(s.error().message(), 125);
    {
        auto lock = store.lock();
        if (!lock) return errorOut(lock.error().message(), 125);
        auto all = store.list();
        if (!all) return errorOut(all.error().message(), 125);
        for (const auto& o : *all)
            if (o.name == m.name)
                return errorOut("the container name \"" + m.name + "\" is already in use by container " + o.id, 125);
        if (::mkdir(store.dir(m.id).c_str(), 0700) < 0) return errorOut("mkdir " + store.dir(m.id) + ": " + std::strerror(errno), 125);
        if (auto s = store.writeMeta(m); !s) return errorOut(s.error().message(), 125);
    }
    // The effective spec, for inspect (and the bundle of a generated one).
    (void)writeFileAtomic(store.dir(m.id) + "/config.json", spec::toJson(sp, true) + "\n");

    lc::UniqueFd conn;
    auto sup = launchSupervisor(store, m, sp, a->has("detach") ? nullptr : &conn);
    if (!sup) {
        std::filesystem::remove_all(store.dir(m.id), ec);
        int err = sup.error().errnum();
        int code = err == ENOENT ? 127 : err == EACCES ? 126 : 125;
        return errorOut("failed to start container " + m.name + ": " + sup.error().message(), code);
    }
    if (a->has("detach")) {
        std::printf("%s\n", m.id.c_str());
        return 0;
    }
    int code = attach(store, m, std::move(conn));
    // --rm: as docker's client does, return once the container is removed.
    if (m.autoRemove) waitSupervisorGone(store, m.id, 10000);
    return code;
}

}  // namespace mgr
