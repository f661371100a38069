// What runc tells CRIU about a container, built from its spec: the external mounts (bind
// mounts, masked files, devices, the cgroup mount), the namespaces joined by path, the
// common switches, and the stdio descriptors saved next to the images (descriptors.json).
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "criu/rpc.pb.h"
#include "libcontainer/checkpoint.h"
#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::criu {

inline constexpr const char* kDescriptorsFile = "descriptors.json";

using ExtMount = std::pair<std::string, std::string>;  // key (path in the container), value

// Whether a spec mount is a bind mount (type "bind", or a bind/rbind option).
bool isBindMount(const spec::Mount& m);

// A mount destination as the kernel sees it in the container: symlinks in `rootfs` resolved
// inside it (a bind mount whose destination is a symlink is mounted on the target). Lexically
// cleaned when it cannot be opened.
std::string resolvedDestination(const std::string& rootfs, const std::string& dest);

// External mounts for a dump: bind mounts and devices (key = value = the path in the
// container), masked files (value /dev/null); `isDir(path)` tells a masked directory (a
// tmpfs, which CRIU dumps) from a file. cgroupV1Binds: v1 hosts without a cgroup namespace
// bind the host's controller directories, also external.
std::vector<ExtMount> dumpExtMounts(const spec::Spec& sp, const std::string& rootfs,
                                    bool (*isDir)(const std::string& containerPath, const void* ctx),
                                    const void* ctx, const std::vector<std::string>& cgroupV1Binds);
// External mounts for a restore: key = the path in the container, value = the host source.
std::vector<ExtMount> restoreExtMounts(const spec::Spec& sp, const std::string& rootfs, bool cgroupV2);

// The switches both operations share (log level, the CriuCommonOptions flags, cgroup mode).
void setCommon(criu_opts& o, const CriuCommonOptions& c);

// The namespace of `type` ("network", "pid") the spec joins by path, or "".
std::string joinedNsPath(const spec::Spec& sp, const std::string& type);

// descriptors.json: the targets of the init's fds 0, 1 and 2 as a JSON array of strings.
std::string encodeDescriptors(const std::vector<std::string>& targets);
Result<std::vector<std::string>> decodeDescriptors(const std::string& json);

// Checks --parent-path as runc does: relative, and a directory under the image path.
Result<void> checkParentPath(const std::string& imagePath, const std::string& parentPath);

// "ADDRESS:PORT" of --page-server.
Result<std::pair<std::string, int>> parsePageServer(const std::string& s);

}  // namespace lc::criu
