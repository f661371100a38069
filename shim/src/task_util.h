// Small helpers shared by the Task service's files (task.cc, task_exit.cc).
#pragma once

#include <sys/wait.h>

#include <cstdint>
#include <ctime>

#include "base/clock.h"
#include "wkt_timestamp.pb.h"

namespace shim {

// How long an exited process's TaskExit may wait for the rest of its output (a process left
// in the container can keep the pipe or pty open forever).
inline constexpr long kOutputGraceMs = 1000;
inline constexpr long kOutputPollMs = 2;

inline timespec now() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

inline void setTime(rcpp::wkt::Timestamp* out, const timespec& ts) {
    out->set_seconds(ts.tv_sec);
    out->set_nanos(static_cast<int32_t>(ts.tv_nsec));
}

inline uint32_t exitCodeOf(int status) { return static_cast<uint32_t>(lc::exitCodeOf(status)); }

}  // namespace shim
