// runc-cpp: runc's command line over libcontainer.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <seccomp.h>

#include "argv_scan.h"
#include "cli.h"
#include "rootless.h"
#include "base/prefault.h"
#include "libcontainer/security.h"
#include "version.h"

namespace cli {

lc::Result<lc::Runtime> Context::runtime() const {
    lc::RuntimeOptions o;
    o.root = globals.root;
    // --debug: the library's debug messages go to the log as debug lines.
    if (log && log->debugEnabled()) o.debugLog = [l = log](const std::string& m) { l->debug(m); };
    o.systemdCgroup = globals.systemdCgroup;
    // RUNC_CPP_FAULT=<point>: the CLI kills itself there (integration/reliability/crash.bats).
    if (const char* want = std::getenv("RUNC_CPP_FAULT"); want && *want)
        o.faultHook = [point = std::string(want)](const char* name) {
            if (point == name) ::kill(::getpid(), SIGKILL);
        };
    // A bad --rootless value is create's and run's error (checkRootless); elsewhere unused.
    auto rootless = rootlessCgroups(globals, createsContainer);
    o.rootlessCgroups = rootless && *rootless;
    return lc::Runtime::open(o);
}

const std::vector<Command>& commands() {
    static const std::vector<Command> kCommands = {
        {"checkpoint", "checkpoint a running container", runCheckpoint},
        {"create", "create a container", runCreate},
        {"events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics", runEvents},
        {"delete", "delete any resources held by the container often used with detached container", runDelete},
        {"exec", "execute new process inside the container", runExec},
        {"features", "show the enabled features", runFeatures},
        {"kill", "kill sends the specified signal (default: SIGTERM) to the container's init process", runKill},
        {"list", "lists containers started by runc-cpp with the given root", runList},
        {"pause", "pause suspends all processes inside the container", runPause},
        {"ps", "ps displays the processes running inside a container", runPs},
        {"restore", "restore a container from a previous checkpoint", runRestore},
        {"resume", "resumes all processes that have been previously paused", runResume},
        {"run", "create and run a container", runRun},
        {"spec", "create a new specification file", runSpec},
        {"start", "executes the user defined process in a created container", runStart},
        {"state", "output the state of a container", runState},
        {"update", "update container resource constraints", runUpdate},
    };
    return kCommands;
}

}  // namespace cli

namespace {

#ifndef RUNC_CPP_VERSION
#define RUNC_CPP_VERSION "unknown"
#endif
constexpr const char* kSpecVersion = "1.2.0";

// `--version` as runc prints it (Docker's `docker info` reads "<name> version X" and
// "commit: Y"); the commit is the build's git description (version.h), else the version.
void printVersion(const std::string& prog) {
    const scmp_version* v = seccomp_version();
    std::printf("%s version %s\ncommit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", prog.c_str(), RUNC_CPP_VERSION,
                RUNC_CPP_COMMIT, kSpecVersion, v->major, v->minor, v->micro);
}

void printHelp(const std::string& program) {
    const char* prog = program.c_str();
    std::printf(
        "NAME:\n   %s - Open Container Initiative runtime (runc-compatible, written in C++)\n\n"
        "USAGE:\n   %s [global options] command [command options] [arguments...]\n\nCOMMANDS:\n",
        prog, prog);
    for (const auto& c : cli::commands()) std::printf("   %-9s %s\n", c.name, c.summary);
    std::printf(
        "\nGLOBAL OPTIONS:\n"
        "   --debug                 enable debug logging\n"
        "   --log value             set the log file to write %s logs to (default is stderr)\n"
        "   --log-format value      set the log format ('text' (default), or 'json')\n"
        "   --root value            root directory for storage of container state (default: \"%s\")\n"
        "   --criu value            path to the criu binary used for checkpoint and restore (default: \"criu\")\n"
        "   --systemd-cgroup        enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:runc:434234\"\n"
        "   --rootless value        ignore cgroup permission errors ('true', 'false', or 'auto')\n"
        "   --help, -h              show help\n"
        "   --version, -v           print the version\n",
        prog, cli::defaultRoot().c_str());
}

// The name the binary was invoked as (installed as `runc`, it is "runc").
std::string programName(const char* argv0) {
    std::string p = argv0 ? argv0 : "";
    if (auto slash = p.find_last_of('/'); slash != std::string::npos) p.erase(0, slash + 1);
    return p.empty() ? std::string("runc-cpp") : p;
}

}  // namespace

// Start-up hook, run before this binary's static constructors: create, run and exec
// re-execute from the protected copy (security/exe_protect.h) here, so that the first
// execution does not set up the whole program (static constructors, the logger, option
// parsing) only to throw it away: about 1 ms per container start. main() still calls
// protectRuntimeExe: in the copy it returns at once, and when no copy could be made here it
// makes the attempt again and reports the error the way the command reports errors.
__attribute__((constructor(101))) static void protectEarly(int argc, char** argv, char** envp) {
    const std::string_view command = cli::commandOf(argc, argv);
    if (!command.empty() && cli::scan::startsContainers(command.data())) (void)lc::protectRuntimeExe(argv, envp);
}

// What `run` of the bench bundle touches in its heap is about 370 KiB (page faults counted
// with perf trace -F all).
constexpr std::size_t kWarmHeap = 384 << 10;

int main(int argc, char** argv) {
    const std::string prog = programName(argc > 0 ? argv[0] : nullptr);
    auto parsed = cli::parseGlobalArgs(argc, argv);
    if (!parsed) {
        std::fprintf(stderr, "%s: %s\n", prog.c_str(), parsed.error().message().c_str());
        return 1;
    }
    cli::Globals& g = parsed->globals;
    const std::string& command = parsed->command;
    const std::vector<std::string>& rest = parsed->rest;
    if (parsed->version) {
        printVersion(prog);
        return 0;
    }
    if (parsed->help || command == "help") {
        printHelp(prog);
        return 0;
    }
    // As runc: an unknown format is refused before anything else, with the error in the text
    // format on stderr (the log file is not opened); an empty one is the default.
    if (g.logFormat.empty()) g.logFormat = "text";
    if (g.logFormat != "text" && g.logFormat != "json") {
        cli::Globals plain;
        cli::Logger(plain).error("invalid log-format: " + g.logFormat);
        return 1;
    }
    if (command.empty()) {
        printHelp(prog);
        return 0;
    }
    cli::Logger log(g);
    if (auto r = cli::resolveRoot(g); !r) {
        log.error(r.error().message());
        return 1;
    }
    // Commands that start container processes first re-execute from a copy of the binary
    // that no container can write to (CVE-2019-5736 class; see security/exe_protect.h).
    if (cli::scan::startsContainers(command.c_str())) {
        if (auto r = lc::protectRuntimeExe(argv, environ); !r) {
            log.error(r.error().message());
            return 1;
        }
    }
    // A command touches a few hundred KiB of heap: mapped in one call, not page by page.
    lc::warmHeap(kWarmHeap);
    cli::Context ctx{g, &log, prog};
    for (const auto& c : cli::commands()) {
        if (command != c.name) continue;
        if (!log.debugEnabled()) return c.fn(ctx, rest);
        std::string line = "command: " + command;
        for (const auto& a : rest) line += " " + a;
        log.debug(line);
        auto t0 = std::chrono::steady_clock::now();
        int rc = c.fn(ctx, rest);
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
        log.debug(command + " finished with exit code " + std::to_string(rc) + " in " + std::to_string(us.count()) + "us");
        return rc;
    }
    log.error("No help topic for '" + command + "'");
    return 1;
}
