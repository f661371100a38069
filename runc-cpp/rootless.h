// Running without root: where the state lives and whether cgroup permission errors are
// ignored, decided as runc decides them (its --root default and --rootless flag).
#pragma once

#include <string>

#include "argv.h"
#include "libcontainer/error.h"

namespace cli {

// True when this process is in a user namespace other than the initial one (its uid_map is
// not the identity over every id).
bool inNonInitialUserNs();

// runc's rule for honouring $XDG_RUNTIME_DIR: it is set, and the caller is not root, or is
// root only inside a user namespace (and $USER, when set, is not "root").
bool honorXdgRuntimeDir();

// The --root default: $XDG_RUNTIME_DIR/<program> when honored, else /run/<program>'s
// equivalent (Globals' own default).
std::string defaultRoot();

// When --root was not given and $XDG_RUNTIME_DIR is honored: the root there, created 0700
// with the sticky bit as the XDG spec asks (runc does the same).
lc::Result<void> resolveRoot(Globals& g);

// --rootless: "true"/"false" (Go's boolean spellings) or "auto"/"" (euid != 0, or any
// euid inside a non-initial user namespace). Bad values fail as runc's do.
lc::Result<bool> rootlessCgroups(const Globals& g);

}  // namespace cli
