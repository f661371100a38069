// --restart: docker's restart policies, kept by the container's supervisor (supervisor.cc).
// The policy is in meta.json; the supervisor restarts the container in place (same id, name,
// log, rootfs) after each exit the policy covers, with docker's back-off. The CLI marks a
// container stopped by the user (stop, rm -f, kill with KILL or TERM) in <id>/manual-stop,
// which ends the restarts; `start` and `restart` clear it.
#pragma once

#include <cstdint>
#include <string>

#include "libcontainer/error.h"

namespace mgr {

class Store;

struct RestartPolicy {
    enum class Kind { No, OnFailure, Always, UnlessStopped } kind = Kind::No;
    int64_t maxRetries = 0;  // on-failure:N (0: no limit)
    [[nodiscard]] std::string name() const;  // "no", "on-failure", "always", "unless-stopped"
};

// docker's parsing and validation, with its messages.
lc::Result<RestartPolicy> parseRestartPolicy(const std::string& s);

// Whether an exit with `code` after `restarts` restarts (the user's stop ends them all).
bool shouldRestart(const RestartPolicy& p, int code, int64_t restarts, bool manuallyStopped);

// docker's back-off: the first delay is 100 ms, each next one doubles, up to a minute; a run
// of 10 s or more starts over at 100 ms.
int64_t nextBackoffMs(int64_t previousMs, int64_t ranMs);

// The files the CLI and the supervisor share.
void markManualStop(const Store& store, const std::string& id);
void clearManualStop(const Store& store, const std::string& id);
bool manuallyStopped(const Store& store, const std::string& id);
int64_t restartCount(const Store& store, const std::string& id);
void writeRestartCount(const Store& store, const std::string& id, int64_t n);
// <id>/restarting exists while the supervisor waits to restart (status "restarting").
void setRestarting(const Store& store, const std::string& id, bool on);
bool isRestarting(const Store& store, const std::string& id);

}  // namespace mgr
