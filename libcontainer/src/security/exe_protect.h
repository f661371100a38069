// Keeps container processes from overwriting the runtime binary (CVE-2019-5736 class).
//
// runc-cpp clones the container init (and exec'd processes) straight from the runtime, so
// until their execve those processes run the runtime's own image, and a container binary
// with `#!/proc/self/exe` makes the kernel run the runtime's file again inside the container.
// A container process that reaches /proc/<pid>/exe of such a process gets the host file; if
// it may open that file for writing it replaces the runtime for the next caller.
//
// The defence: before doing anything for a container, the runtime re-executes itself from a
// copy that cannot be written through any path a container can reach:
//   1. a detached, read-only bind mount of its own file (open_tree + mount_setattr; needs
//      CAP_SYS_ADMIN, kernel >= 5.12; nothing appears in any mount table), else
//   2. a sealed memfd copy (F_SEAL_WRITE|SHRINK|GROW|SEAL; works everywhere, costs a copy).
// Opening /proc/<pid>/exe for writing then fails with EROFS (1) or writes fail with EPERM (2).
#pragma once

#include <string>

#include "libcontainer/error.h"

namespace lc::security {

// How the running executable is protected (for tests and `--debug`).
enum class ExeProtection { None, ReadOnlyMount, SealedMemfd };

// Inspects the file behind /proc/self/exe.
ExeProtection currentExeProtection();

// Makes sure the running binary is protected: returns at once when it already is (or when the
// re-executed copy is running), otherwise re-executes itself with the same argv and environment
// and does not return. Call it first thing in main() of commands that start container
// processes (create, run, exec), before any file or thread is opened.
// An error means no protected copy could be made; the caller must not start containers.
// `envp` is the process environment (environ); a marker variable guards against loops and is
// removed from the environment again by the re-executed process.
Result<void> protectRuntimeExe(char** argv, char** envp);

// The name of the marker variable (exported for tests).
inline constexpr const char* kExeProtectEnv = "_RUNC_CPP_EXE_PROTECTED";

}  // namespace lc::security
