// Fault injection for crash-consistency tests: when the environment variable
// RUNC_CPP_FAULT names a point, the process kills itself with SIGKILL on reaching it.
// Costs one getenv per point when unset.
#pragma once

namespace lc::util {

void faultPoint(const char* name);

}  // namespace lc::util
