// Running without root: where the state lives and whether cgroup permission errors are
// ignored, decided as runc decides them (its --root default and --rootless flag).
#pragma once

#include <string>

#include "argv.h"
#include "libcontainer/error.h"

namespace cli {

// The --root default: lc::defaultStateRoot("runc-cpp") (runc's $XDG_RUNTIME_DIR rule).
std::string defaultRoot();

// When --root was not given and $XDG_RUNTIME_DIR is honored: the root there, created 0700
// with the sticky bit as the XDG spec asks (runc does the same).
lc::Result<void> resolveRoot(Globals& g);

// --rootless: "true"/"false" (Go's boolean spellings) or "auto"/"" (euid != 0, or any
// euid inside a non-initial user namespace). Bad values fail as runc's do.
lc::Result<bool> rootlessCgroups(const Globals& g);

}  // namespace cli
