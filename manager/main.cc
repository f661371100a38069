// runccpp-manager: a daemonless container manager on libcontainer (issue 6). One supervisor
// process per container owns it; the state is on disk under --root, so any invocation sees
// every container and containers outlive the command that started them.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include <unistd.h>

#include "commands.h"
#include "libcontainer/runtime.h"
#include "libcontainer/security.h"
#include "version.h"
#include "volumes.h"

namespace {

const char* kUsage =
    "Usage: runccpp-manager [--root DIR] COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "A daemonless container manager: one supervisor process per container, state on disk.\n"
    "\n"
    "Commands:\n"
    "  run       create and start a container from an image, a bundle, or a rootfs and a command\n"
    "  ps        list containers\n"
    "  logs      print a container's log\n"
    "  stats     resource usage of containers\n"
    "  metrics   serve Prometheus metrics of the containers (cAdvisor's names)\n"
    "  top       processes of a container\n"
    "  exec      run a command in a running container\n"
    "  start     start created or exited containers again (-a: attach)\n"
    "  restart   stop, then start containers\n"
    "  attach    connect to a running container's output (and input)\n"
    "  stop      stop containers (TERM, then KILL after a grace period)\n"
    "  kill      send a signal to containers\n"
    "  rm        remove containers\n"
    "  inspect   low-level information on containers (JSON)\n"
    "  events    stream container lifecycle events\n"
    "  wait      wait for containers to exit, print their exit codes\n"
    "  pause     freeze the processes of containers\n"
    "  unpause   thaw them\n"
    "  load      load images from a docker save archive or an OCI layout\n"
    "  images    list images\n"
    "  rmi       remove images\n"
    "  volume    create, ls, rm, inspect named volumes\n"
    "  network   create, ls, rm, inspect networks (CNI bridge; --network, -p on run)\n"
    "\n"
    "  --root DIR      state root (default $RUNCCPP_MANAGER_ROOT, else /run/runccpp-manager;\n"
    "                  $XDG_RUNTIME_DIR/runccpp-manager for a user who is not root, as runc)\n"
    "  -v, --version   print the version and the build (git description)\n"
    "\n"
    "Run 'runccpp-manager COMMAND --help' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
    // A container that exits while we feed its stdin: EPIPE, not death. (Container processes
    // start with default dispositions: libcontainer's init resets them.)
    ::signal(SIGPIPE, SIG_IGN);
    std::string root = std::getenv("RUNCCPP_MANAGER_ROOT") ? std::getenv("RUNCCPP_MANAGER_ROOT")
                                                          : lc::defaultStateRoot("runccpp-manager");
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--root" && i + 1 < argc) root = argv[++i];
        else if (a.starts_with("--root=")) root = a.substr(7);
        else if (a == "-v" || a == "--version") {
            std::printf("runccpp-manager version %s, build %s\n", MANAGER_VERSION, RUNC_CPP_COMMIT);
            return 0;
        } else if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else break;
    }
    if (i >= argc) {
        std::fputs(kUsage, stderr);
        return 1;
    }
    std::string cmd = argv[i];
    mgr::Argv rest(argv + i + 1, argv + argc);
    mgr::Store store(root);
    static const std::map<std::string, int (*)(const mgr::Store&, const mgr::Argv&)> kCommands = {
        {"run", mgr::cmdRun},   {"ps", mgr::cmdPs},     {"logs", mgr::cmdLogs}, {"stats", mgr::cmdStats},
        {"top", mgr::cmdTop},   {"exec", mgr::cmdExec}, {"stop", mgr::cmdStop}, {"kill", mgr::cmdKill},
        {"rm", mgr::cmdRm},     {"inspect", mgr::cmdInspect}, {"events", mgr::cmdEvents},
        {"wait", mgr::cmdWait}, {"pause", mgr::cmdPause}, {"unpause", mgr::cmdUnpause},
        {"volume", mgr::cmdVolume}, {"load", mgr::cmdLoad}, {"images", mgr::cmdImages}, {"rmi", mgr::cmdRmi},
        {"metrics", mgr::cmdMetrics},
        {"network", mgr::cmdNetwork},
        {"start", mgr::cmdStart}, {"restart", mgr::cmdRestart}, {"attach", mgr::cmdAttach},
    };
    auto it = kCommands.find(cmd);
    if (it == kCommands.end()) {
        std::fprintf(stderr, "Error: unknown command \"%s\"\n%s", cmd.c_str(), kUsage);
        return 1;
    }
    // run (and the supervisor it forks) and exec clone container processes from this image:
    // first re-execute from a copy no container can write (CVE-2019-5736 class).
    if (cmd == "run" || cmd == "exec" || cmd == "start" || cmd == "restart") {
        if (auto r = lc::protectRuntimeExe(argv, environ); !r) {
            std::fprintf(stderr, "Error: %s\n", r.error().message().c_str());
            return 125;
        }
    }
    return it->second(store, rest);
}
