// Reading the host mount table (/proc/self/mountinfo) into the facts the child needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"
#include "rootfs/rootfs.h"

namespace lc::rootfs {

// One line of /proc/<pid>/mountinfo (see proc(5)); octal escapes (\040) decoded.
struct MountInfoEntry {
    int id = 0;
    int parent = 0;
    std::string root;          // the root of the mount within its filesystem
    std::string mountpoint;
    std::string options;       // per-mount options ("rw,nosuid,relatime")
    std::string optional;      // optional fields ("shared:1 master:2"), space separated
    std::string fstype;
    std::string source;
    std::string superOptions;  // per-superblock options ("rw,cpu,cpuacct")
};

// Parses the whole file; malformed lines are skipped.
std::vector<MountInfoEntry> parseMountInfo(std::string_view text);

// The HostInfo for a container whose (canonical) rootfs is `rootfs`, from a parsed table.
// Pure; hasKcore is left false.
HostInfo hostInfoFrom(const std::vector<MountInfoEntry>& mounts, const std::string& rootfs);

// Reads /proc/self/mountinfo and /proc/kcore through `sys` into a HostInfo.
Result<HostInfo> readHostInfo(sys::Syscalls& sys, const std::string& rootfs);

}  // namespace lc::rootfs
