// -u/--user and an image's User: "uid[:gid]" or "name[:group]", names looked up in the
// container's own /etc/passwd and /etc/group (opened inside the rootfs, never through a path
// the rootfs could point out of).
#pragma once

#include <cstdint>
#include <string>

#include "libcontainer/error.h"

namespace mgr {

struct UserIds {
    uint32_t uid = 0, gid = 0;
};

lc::Result<UserIds> resolveUser(const std::string& rootfs, const std::string& spec);

}  // namespace mgr
