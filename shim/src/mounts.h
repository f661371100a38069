// The rootfs mounts containerd sends in CreateTaskRequest (overlay, bind), mounted onto
// <bundle>/rootfs before the container is created and unmounted at delete.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/error.h"

namespace shim {

struct MountSpec {
    std::string type, source;
    std::vector<std::string> options;
};

// Splits fstab-style options into mount(2) flags and the data string (pure; unit-tested).
struct MountArgs {
    unsigned long flags = 0;
    unsigned long propagation = 0;  // MS_PRIVATE etc., applied by a second mount call
    std::string data;
};
MountArgs parseMountOptions(const std::vector<std::string>& options);

lc::Result<void> mountAll(const std::vector<MountSpec>& mounts, const std::string& target);
// Unmounts everything at or below target (deepest first); missing target is fine.
lc::Result<void> unmountAll(const std::string& target);

}  // namespace shim
