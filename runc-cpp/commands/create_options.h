// Flags shared by create and run.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "../cli.h"

namespace cli {

struct CreateFlags {
    std::string bundle;
    std::string pidFile;
    std::string consoleSocket;
    bool noPivot = false;
    bool noNewKeyring = false;
    int preserveFds = 0;
};

inline void addCreateFlags(po::options_description& d, CreateFlags& f) {
    d.add_options()
        ("bundle,b", po::value(&f.bundle), "path to the root of the bundle directory, defaults to the current directory")
        ("console-socket", po::value(&f.consoleSocket), "path to an AF_UNIX socket which will receive the pty master")
        ("pid-file", po::value(&f.pidFile), "specify the file to write the process id to")
        ("no-pivot", po::bool_switch(&f.noPivot), "do not use pivot root to jail process inside rootfs")
        ("no-new-keyring", po::bool_switch(&f.noNewKeyring), "do not create a new session keyring for the container")
        ("preserve-fds", po::value(&f.preserveFds), "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)");
}

inline lc::CreateOptions toCreateOptions(const CreateFlags& f, const std::string& id, std::vector<std::string>* warnings) {
    lc::CreateOptions o;
    o.id = id;
    o.bundle = f.bundle;
    o.pidFile = f.pidFile;
    o.consoleSocket = f.consoleSocket;
    o.noPivot = f.noPivot;
    o.noNewKeyring = f.noNewKeyring;
    o.preserveFds = f.preserveFds;
    // Socket activation as runc does it: LISTEN_FDS meant for us are passed on.
    if (const char* n = std::getenv("LISTEN_FDS")) {
        const char* lp = std::getenv("LISTEN_PID");
        if (!lp || std::atoi(lp) == static_cast<int>(::getpid())) o.listenFds = std::max(0, std::atoi(n));
    }
    o.warnings = warnings;
    return o;
}

}  // namespace cli
