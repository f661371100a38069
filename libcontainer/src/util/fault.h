// Fault injection for crash-consistency tests: an embedder (the CLI, for
// integration/reliability/crash.bats) sets RuntimeOptions::faultHook, which is called with the
// name of each point reached ("create:after-clone", ...) and may end the process there.
// The library itself reads no environment for this and never kills itself.
#pragma once

#include "libcontainer/runtime.h"

namespace lc::util {

inline void faultPoint(const RuntimeOptions& opts, const char* name) {
    if (opts.faultHook) opts.faultHook(name);
}

}  // namespace lc::util
