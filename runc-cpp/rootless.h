// Running without root: where the state lives and whether cgroup permission errors are
// ignored, decided as runc decides them (its --root default and --rootless flag).
#pragma once

#include <sys/types.h>

#include <string>

#include "argv.h"
#include "libcontainer/error.h"

namespace cli {

// The --root default: lc::defaultStateRoot("runc-cpp") (runc's $XDG_RUNTIME_DIR rule).
std::string defaultRoot();

// When --root was not given and $XDG_RUNTIME_DIR is honored: the root there, created 0700
// with the sticky bit as the XDG spec asks (runc does the same).
lc::Result<void> resolveRoot(Globals& g);

// --rootless: "true"/"false" (Go's boolean spellings) or "auto"/"" (euid != 0, or root in a
// non-initial user namespace). Bad values fail as runc's do. Root in a user namespace with
// --systemd-cgroup is rootless, as in runc, when the user's systemd instance belongs to a
// non-root user (its owner uid, which runc reads from `busctl --user status`); that needs a
// request to systemd, made only when `askSystemd` (the commands that create a container) -
// otherwise, and when there is no user instance to ask, it is not rootless (runc's default
// when busctl fails).
lc::Result<bool> rootlessCgroups(const Globals& g, bool askSystemd = false);

// The decision from its inputs; ownerUid is called only when needed (null: not asked).
struct RootlessInputs {
    uid_t euid = 0;
    bool nonInitialUserNs = false;
    bool systemdCgroup = false;
    lc::Result<uid_t> (*ownerUid)() = nullptr;
};
lc::Result<bool> rootlessCgroups(const std::string& value, const RootlessInputs& in);

}  // namespace cli
