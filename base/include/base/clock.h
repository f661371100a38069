// Times and exit codes as the whole tree writes them: one helper for each.
#pragma once

#include <cstdint>
#include <string>

namespace lc {

// Nanoseconds since the epoch (CLOCK_REALTIME).
int64_t nowNs();
// RFC 3339 in UTC with nanoseconds ("2026-12-06T01:47:06.123456789Z"), as Go's
// time.RFC3339Nano with fixed digits, which runc's state and docker's logs carry.
std::string rfc3339Nano(int64_t ns);
inline std::string nowRfc3339() { return rfc3339Nano(nowNs()); }
// Whole seconds in UTC ("2026-12-06T01:47:06Z"), as logrus stamps runc's log lines.
std::string rfc3339Seconds(int64_t ns);

// A wait status as a shell and runc report it: the exit code, or 128 + the signal; 255 for
// anything else (a stopped or continued status).
int exitCodeOf(int waitStatus);

}  // namespace lc
