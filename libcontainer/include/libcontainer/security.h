// Process-wide security helpers for programs that start containers with libcontainer.
#pragma once

#include <string>

#include "libcontainer/error.h"

namespace lc {

// Makes sure the running executable cannot be written through /proc/<pid>/exe by a container
// process (CVE-2019-5736 class): when it is not already protected, re-executes the program
// from a read-only detached mount of its own file (or a sealed memfd copy) with the same
// argv/envp and does not return. Call it at the start of main(), before opening files or
// starting threads, in programs that create containers or exec into them: until their execve
// the container processes run this program's image. Returns an error when no protected copy
// could be made.
Result<void> protectRuntimeExe(char** argv, char** envp);

// What this build and host support, as the JSON document of `runc features` (pretty-printed,
// runc's shape). `runtimeVersion` goes into the annotations.
std::string featuresJson(const std::string& runtimeVersion);

}  // namespace lc
