// Flags shared by create and run.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "../cli.h"

namespace cli {

// CreateFlags (argv.h) -> lc::CreateOptions.
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
    if (const char* ns = std::getenv("NOTIFY_SOCKET"); ns && *ns) o.notifySocket = ns;  // sd_notify, as runc
    o.warnings = warnings;
    return o;
}

}  // namespace cli
