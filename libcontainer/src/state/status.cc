#include "state/status.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <string>

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

bool holdsFile(pid_t pid, int dirfd, const char* name) {
    struct stat want;
    if (::fstatat(dirfd, name, &want, AT_SYMLINK_NOFOLLOW) < 0) return false;
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(dir.c_str());
    // Not ours to look at (a rootless init already switched to a subordinate uid): the fifo
    // alone decides, as in runc.
    if (!d) return errno == EACCES || errno == EPERM;
    bool found = false;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        struct stat st;
        if (::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev) {
            found = true;
            break;
        }
    }
    ::closedir(d);
    return found;
}

bool initAlive(const Record& r) {
    if (r.pid <= 0) return false;
    auto st = util::readProcStat(r.pid);
    if (!st) return false;
    if (st->state == 'Z' || st->state == 'X') return false;
    return r.initStartTime == 0 || st->startTime == r.initStartTime;
}

}  // namespace lc::state
