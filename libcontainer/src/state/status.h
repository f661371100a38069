// Container status, derived from facts on every call (never trusted from a file).
#pragma once

#include <string_view>

#include "state/record.h"

namespace lc::state {

enum class Status { Creating, Created, Running, Paused, Stopped };

std::string_view statusName(Status s);

struct Facts {
    bool hasRecord = false;   // state.json exists (the create finished)
    bool createLocked = false;// no record, and a create still holds the lock
    bool initAlive = false;   // pid exists, is not a zombie, and has the recorded start time
    bool fifoExists = false;  // exec.fifo still there: start has not run
    bool frozen = false;      // the cgroup is frozen
};

Status derive(const Facts& f);

// Whether the init described by `r` is still the live process it was (pid reuse aware).
bool initAlive(const Record& r);
// Whether process `pid` has an fd open on the file `name` in directory `dirfd` (the init
// holds exec.fifo until start releases it; a fifo nobody holds is left over from a start
// that died after the release).
bool holdsFile(pid_t pid, int dirfd, const char* name);

}  // namespace lc::state
