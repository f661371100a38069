// Internals shared by the api/ files.
#pragma once

#include <optional>

#include "base/clock.h"
#include "libcontainer/container.h"
#include "libcontainer/runtime.h"
#include "state/record.h"
#include "state/status.h"
#include "state/store.h"

namespace lc {

struct Container::Impl {
    RuntimeOptions opts;
    std::string id;
    state::Record rec;           // valid when hasRecord
    bool hasRecord = false;
    bool corruptRecord = false;  // state.json is there but is no record (see readRecordIfSound)
    bool isChild = false;        // created by this process: we can waitpid
    UniqueFd pidfd;
    UniqueFd console;
};

namespace api {

// Now as RFC 3339 with nanoseconds, UTC ("2026-11-26T10:00:00.123456789Z").
using lc::nowRfc3339;  // base/clock.h
// Status from facts; `dir` is the container directory, `locked` whether we hold its lock
// (then a missing state.json means a create that died, not one in progress).
state::Status deriveStatus(const Container::Impl& c, const state::ContainerDir& dir, bool locked);
// The state JSON given to hooks and printed by `state`.
spec::State toOciState(const Container::Impl& c, state::Status st);
std::string stateJsonFor(const state::Record& rec, std::string_view status);

// The spec's resources plus the device rules every container gets (create.cc); restore too.
spec::Resources effectiveResources(const spec::Linux& l);

// sd_notify (notify.cc): the folder in the container's state dir that holds notify.sock, and
// the spec changes runc makes for it (a read-only bind mount at /run/notify, NOTIFY_SOCKET).
inline constexpr const char* kNotifyDir = "notify";
void addNotifyMount(spec::Spec& spec, const std::string& root, const std::string& id);

}  // namespace api
}  // namespace lc
