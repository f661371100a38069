// Facts about processes from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "libcontainer/error.h"

namespace lc::util {

struct ProcStat {
    char state = '?';         // R S D Z T t X ...
    uint64_t startTime = 0;   // field 22, clock ticks since boot
};

// Parses the text of /proc/<pid>/stat (the comm field may hold spaces and parentheses).
Result<ProcStat> parseProcStat(const char* text);
// Reads /proc/<pid>/stat. ENOENT when the process is gone.
Result<ProcStat> readProcStat(pid_t pid);

}  // namespace lc::util
