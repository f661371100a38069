// Path helpers and path resolution confined to the container's root.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "sys/syscalls.h"

namespace lc::rootfs {

// Lexically cleans a path into an absolute one: "/a//b/../c/" -> "/a/c". A relative path is
// taken relative to "/" ("a" -> "/a"); ".." never climbs above "/".
std::string cleanPath(std::string_view path);

// Whether a clean absolute `path` equals `dir` or lies below it.
bool pathIsUnder(std::string_view path, std::string_view dir);

// Parent and last component of a clean absolute path: "/dev/net/tun" -> {"/dev/net", "tun"};
// "/x" -> {"/", "x"}.
std::pair<std::string, std::string> splitPath(std::string_view cleanAbs);

// "/proc/self/fd/<fd>": how a descriptor is named to calls that only take paths (mount(2)).
std::string procFdPath(int fd);

// Where a descriptor points to (readlink of /proc/self/fd/<fd>).
Result<std::string> fdPath(sys::Syscalls& sys, int fd);

enum class Create { None, Dir, File };

// Opens `path` as an O_PATH descriptor, resolving it inside the tree of `rootFd` as if that
// directory were "/": absolute symlinks and ".." never leave it (openat2 RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS, with a component-by-component walk as fallback).
//  - create == Dir: missing components are created as directories (0755);
//  - create == File: likewise, but the last component is created as an empty file (0644).
//  A dangling symlink on the way is followed and its target created inside the root.
//  - noFollow: a symlink as the last component is returned itself (O_NOFOLLOW).
Result<UniqueFd> openInRoot(sys::Syscalls& sys, int rootFd, std::string_view path,
                            Create create = Create::None, bool noFollow = false);

}  // namespace lc::rootfs
