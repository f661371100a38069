// What the state store keeps about one container (state.json in its directory).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "libcontainer/error.h"

namespace lc::state {

struct Record {
    std::string id;
    pid_t pid = 0;                // host pid of the init
    uint64_t initStartTime = 0;   // /proc/<pid>/stat field 22: tells a reused pid apart
    std::string bundle;
    std::string rootfs;
    std::string created;          // RFC 3339, UTC, nanoseconds
    std::string ociVersion;
    std::string owner;
    bool ownPidNs = true;         // false: the init shares a pid namespace (kill --all matters)
    std::map<std::string, std::string> annotations;
    std::map<std::string, std::string> cgroupPaths;  // controller ("" = unified) -> dir
};

std::string encodeRecord(const Record& r);
Result<Record> decodeRecord(std::string_view json);

}  // namespace lc::state
