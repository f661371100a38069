#include "state/status.h"

#include "util/proc.h"

namespace lc::state {

std::string_view statusName(Status s) {
    switch (s) {
        case Status::Creating: return "creating";
        case Status::Created: return "created";
        case Status::Running: return "running";
        case Status::Paused: return "paused";
        case Status::Stopped: return "stopped";
    }
    return "unknown";
}

Status derive(const Facts& f) {
    if (!f.hasRecord) return f.createLocked ? Status::Creating : Status::Stopped;
    if (!f.initAlive) return Status::Stopped;
    if (f.frozen) return Status::Paused;
    if (f.fifoExists) return Status::Created;
    return Status::Running;
}

bool initAlive(const Record& r) {
    if (r.pid <= 0) return false;
    auto st = util::readProcStat(r.pid);
    if (!st) return false;
    if (st->state == 'Z' || st->state == 'X') return false;
    return r.initStartTime == 0 || st->startTime == r.initStartTime;
}

}  // namespace lc::state
