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
#include "images.h"
#include "libcontainer/builder.h"
#include "network.h"
#include "options.h"
#include "restart.h"
#include "spec/json.h"
#include "supervisor.h"
#include "user.h"
#include "volumes.h"

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
    "       runccpp-manager run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
    "\n"
    "BUNDLE is a directory with a config.json (COMMAND replaces its process.args); any other\n"
    "directory is a root filesystem for which a spec is generated; anything else names a loaded\n"
    "image (name[:tag], id or id prefix), whose Entrypoint, Cmd, Env, WorkingDir and User apply.\n"
    "\n"
    "  -d, --detach            run in the background and print the container id\n"
    "  -t, --tty               allocate a terminal, attach it to ours (stdin included)\n"
    "  -i, --interactive       keep stdin open: ours feeds it (foreground), or it stays open (-d)\n"
    "      --name NAME         a name for the container (default: the short id)\n"
    "      --rm                remove the container when it exits\n"
    "      --restart POLICY    no, on-failure[:N], always, unless-stopped (see manager/README.md)\n"
    "  -e, --env KEY=VALUE     set an environment variable (repeatable)\n"
    "      --env-file FILE     read VAR=value lines (VAR alone: ours; # comments) (repeatable)\n"
    "  -l, --label KEY=VALUE   set a label (repeatable); --label-file FILE reads KEY=VALUE lines\n"
    "  -w, --workdir DIR       working directory inside the container\n"
    "  -u, --user USER[:GROUP] user (name or uid) and group to run as\n"
    "      --entrypoint CMD    replaces an image's Entrypoint (and drops its Cmd)\n"
    "  -v, --volume SRC:DST[:ro]  bind a host dir (SRC absolute, made when missing) or a named\n"
    "                          volume (made when missing) at DST (repeatable)\n"
    "      --mount type=bind|volume|tmpfs,source=..,target=..[,readonly][,tmpfs-size=..][,tmpfs-mode=..]\n"
    "      --tmpfs DST[:OPTS]  a tmpfs at DST (size=, mode=, uid=, gid=, ro, exec, ...)\n"
    "      --network NET       bridge (default for a rootfs or an image: the network \"bridge\",\n"
    "                          10.89.0.0/24 on rccpp0), a network made by `network create`,\n"
    "                          none (only lo) or host; a bundle keeps its own unless given\n"
    "  -p, --publish [IP:]HOST:CTR[/tcp|udp]  publish a container port on the host (repeatable)\n"
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
                                {'u', "user", true}, {0, "entrypoint", true},
                                {'v', "volume", true}, {'p', "publish", true}, {0, "network", true}, {0, "mount", true},
                                {0, "tmpfs", true}, {'h', "help", false},
                                {0, "env-file", true}, {'l', "label", true}, {0, "label-file", true},
                                {0, "restart", true}});
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
    if (a->has("restart")) {
        auto p = parseRestartPolicy(a->value("restart"));
        if (!p) return errorOut(p.error().message(), 125);
        if (m.autoRemove && p->kind != RestartPolicy::Kind::No) return errorOut("Conflicting options: --restart and --rm", 125);
        if (p->kind != RestartPolicy::Kind::No) m.restart = a->value("restart");
    }
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

    std::optional<NetworkMode> netMode;
    std::vector<PortMapping> ports;
    for (const auto& v : a->values("publish")) {
        auto p = parsePortFlag(v);
        if (!p) return errorOut(p.error().message(), 125);
        ports.push_back(*p);
    }
    if (a->has("network")) {
        auto n = parseNetworkFlag(a->value("network"));
        if (!n) return errorOut(n.error().message(), 125);
        if (n->kind == NetworkMode::Bridge)
            if (auto net = Networks(store).get(n->network); !net) return errorOut(net.error().message(), 125);
        netMode = *n;
    }

    std::error_code ec;
    std::string target = std::filesystem::absolute(a->positional[0], ec).lexically_normal().string();
    std::vector<std::string> cmd(a->positional.begin() + 1, a->positional.end());
    std::string cgroupsPath = "/" + a->value("cgroup-parent", "runccpp-manager") + "/" + m.id;
    struct stat st{};
    std::optional<Image> image;
    Images images(store);
    if (::stat(target.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) {
        auto img = images.resolve(a->positional[0]);
        if (!img && img.error().errnum() == ENOENT)
            return errorOut("no such bundle, rootfs directory or image: " + a->positional[0], 125);
        if (!img) return errorOut(img.error().message(), 125);
        image = std::move(*img);
    }

    spec::Spec sp;
    std::string rootfs;  // for user names
    bool generated = image || ::access((target + "/config.json").c_str(), F_OK) != 0;
    if (image) {
        std::vector<std::string> args = image->config.entrypoint;
        if (a->has("entrypoint")) args = a->value("entrypoint").empty() ? std::vector<std::string>{} : std::vector<std::string>{a->value("entrypoint")};
        if (!cmd.empty()) args.insert(args.end(), cmd.begin(), cmd.end());
        else if (!a->has("entrypoint")) args.insert(args.end(), image->config.cmd.begin(), image->config.cmd.end());
        if (args.empty()) return errorOut("no command specified: the image has no Entrypoint or Cmd, give one", 125);
        rootfs = store.dir(m.id) + "/rootfs";
        lc::SpecBuilder b;
        b.rootfs(rootfs, a->has("read-only")).args(args).terminal(m.tty)
            .hostname(a->value("hostname", shortId(m.id))).cgroupsPath(cgroupsPath);
        for (const auto& kv : image->config.env) b.env(kv);
        if (!image->config.workingDir.empty()) b.cwd(image->config.workingDir);
        auto s = b.build();
        if (!s) return errorOut(s.error().message(), 125);
        sp = std::move(*s);
        m.bundle = store.dir(m.id);
        m.image = image->id;
        m.imageRef = a->positional[0];
    } else if (!generated) {
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
        if (sp.root) rootfs = sp.root->path.starts_with("/") ? sp.root->path : target + "/" + sp.root->path;
    } else {
        if (cmd.empty()) return errorOut(a->positional[0] + " has no config.json: give a command to run in it", 125);
        lc::SpecBuilder b;
        b.rootfs(target, a->has("read-only")).args(cmd).terminal(m.tty)
            .hostname(a->value("hostname", shortId(m.id))).cgroupsPath(cgroupsPath);
        auto s = b.build();
        if (!s) return errorOut(s.error().message(), 125);
        sp = std::move(*s);
        m.bundle = store.dir(m.id);
        rootfs = target;
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
    // --env-file first, then -e, as docker applies them
    for (const auto& f : a->values("env-file")) {
        auto env = readEnvFile(f);
        if (!env) return errorOut(env.error().message(), 125);
        for (const auto& kv : *env) lc::setEnv(sp.process->env, kv);
    }
    for (const auto& kv : a->values("env")) lc::setEnv(sp.process->env, kv);
    for (const auto& f : a->values("label-file"))
        if (auto r = addLabelFile(m.labels, f); !r) return errorOut(r.error().message(), 125);
    for (const auto& l : a->values("label"))
        if (auto r = addLabel(m.labels, l); !r) return errorOut(r.error().message(), 125);
    if (a->has("workdir")) sp.process->cwd = a->value("workdir");
    std::vector<MountRequest> mounts;
    for (const auto& v : a->values("volume")) {
        auto r = parseVolumeFlag(v);
        if (!r) return errorOut(r.error().message(), 125);
        mounts.push_back(*r);
    }
    for (const auto& v : a->values("mount")) {
        auto r = parseMountFlag(v);
        if (!r) return errorOut(r.error().message(), 125);
        mounts.push_back(*r);
    }
    for (const auto& v : a->values("tmpfs")) {
        auto r = parseTmpfsFlag(v);
        if (!r) return errorOut(r.error().message(), 125);
        mounts.push_back(*r);
    }
    if (!mounts.empty()) {
        if (auto s = store.init(); !s) return errorOut(s.error().message(), 125);
        auto used = applyMounts(store, sp, mounts);
        if (!used) return errorOut(used.error().message(), 125);
        m.volumes = *used;
    }
    // CNI needs root; a bundle keeps its own network namespace unless asked otherwise
    if (!netMode && ::geteuid() == 0 && (generated || !ports.empty())) netMode = *parseNetworkFlag(kDefaultNetwork);
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
    auto undo = [&] {
        unmountRootfs(store, m.id);
        detachNetwork(store, m.id);
        std::filesystem::remove_all(store.dir(m.id), ec);
    };
    if (image) {
        if (auto r = images.mountRootfs(*image, m.id); !r) {
            undo();
            return errorOut(r.error().message(), 125);
        }
    }
    // -u, else the image's User: names from the container's own files
    std::string userSpec = a->has("user") ? a->value("user") : image ? image->config.user : "";
    if (!userSpec.empty()) {
        auto ids = resolveUser(rootfs, userSpec);
        if (!ids) {
            undo();
            return errorOut(ids.error().message(), 125);
        }
        sp.process->user.uid = ids->uid;
        sp.process->user.gid = ids->gid;
    }
    if (netMode) {
        auto att = attachNetwork(store, m.id, sp.hostname, *netMode, ports);
        if (!att) {
            undo();
            return errorOut(att.error().message(), 125);
        }
        applyNetwork(store, m.id, *att, sp);
    }
    // The effective spec, for inspect (and the bundle of a generated one).
    (void)writeFileAtomic(store.dir(m.id) + "/config.json", spec::toJson(sp, true) + "\n");

    lc::UniqueFd conn;
    auto sup = launchSupervisor(store, m, sp, a->has("detach") ? nullptr : &conn);
    if (!sup) {
        undo();
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
