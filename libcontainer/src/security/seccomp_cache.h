// A cache of compiled seccomp filters.
//
// Compiling a long profile (Docker's default: ~370 syscall names) with libseccomp costs a few
// milliseconds on every create and exec, and the same profile is compiled again and again by
// the same binary on the same kernel. compileSeccompCached() keeps the classic BPF that
// compileSeccomp() produced in a file keyed by everything the result depends on:
//   - the profile itself (linux.seccomp rendered as JSON),
//   - the build of the code that compiles it and of libseccomp (their ELF build ids) and
//     libseccomp's version and API level,
//   - the kernel (uname release, version, machine).
// The whole key is stored in the file and compared byte for byte: the file name (a hash) only
// finds the candidate. Anything unexpected (a missing build id, a file that is not a regular
// file owned by us and writable only by us, a short or malformed file, a directory that others
// may write) means "compile", never an error: the cache can make a launch faster, never fail it.
//
// Where: /run/runc-cpp-cache/seccomp for root, $XDG_RUNTIME_DIR/runc-cpp-cache/seccomp for
// other users (no cache when it is unset). It is kept outside any state root: it belongs to no
// container. RUNC_CPP_SECCOMP_CACHE=0 turns it off; an absolute path there moves it. At most
// kSeccompCacheMax filters are kept; a full directory is emptied before the next one is added.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "security/security.h"
#include "spec/spec.h"

namespace lc::security {

inline constexpr size_t kSeccompCacheMax = 256;

// The cache directory for this process ("" = no cache), from the environment and the euid.
std::string defaultSeccompCacheDir();

// The full cache key of `sc`; nullopt when the build ids cannot be read (then nothing is
// cached).
std::optional<std::string> seccompCacheKey(const spec::Seccomp& sc);

// compileSeccomp() through the cache in `dir` ("" = no cache). Errors are compileSeccomp's.
Result<SeccompProgram> compileSeccompCached(const spec::Seccomp& sc, const std::string& dir);

}  // namespace lc::security
