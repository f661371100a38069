// OCI hooks: each runs with the container state JSON on stdin, its args and env, and an
// optional timeout after which it is killed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::hooks {

// Runs one hook and waits for it. A non-zero exit, a signal or a timeout is an error that
// names the hook and carries its output.
Result<void> run(const spec::Hook& hook, std::string_view stateJson);
// Runs hooks in order; stops at the first failure. `kind` ("prestart", ...) goes in errors.
Result<void> runAll(const std::vector<spec::Hook>& hooks, std::string_view stateJson,
                    const char* kind);

// Runs every hook even when some fail (poststop: the runtime-spec says log a warning and go
// on); each failure is appended to `warnings` (may be null) in runAll's wording.
void runAllWarn(const std::vector<spec::Hook>& hooks, std::string_view stateJson, const char* kind,
                std::vector<std::string>* warnings);

}  // namespace lc::hooks
