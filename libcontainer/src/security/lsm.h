// The LSM fields of the spec: process.apparmorProfile, process.selinuxLabel, linux.mountLabel.
// This build applies neither AppArmor profiles nor SELinux labels (`features` says so), so a
// config that asks for one is refused instead of running the container unconfined. On a host
// without that LSM this is also what runc 1.1 does (checked on this machine with 1.1.5):
//   selinuxLabel    -> "selinux label is specified in config, but selinux is disabled or not
//                      supported" (validation)
//   mountLabel      -> mounts fail (runc passes context= to the mount, EINVAL)
//   apparmorProfile -> "apparmor failed to apply profile: write /proc/self/attr/exec: invalid
//                      argument" (in the init)
#pragma once

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::security {

// Whether the host runs AppArmor (/sys/module/apparmor/parameters/enabled is "Y") or SELinux
// (selinuxfs at /sys/fs/selinux).
bool apparmorEnabled();
bool selinuxEnabled();

// Refuses LSM settings this build cannot apply; the message names the field and says whether
// the host has the LSM at all. Call it with the container's spec (create/run) and with the
// process of an exec (`process` may be the spec's own).
Result<void> validateLsm(const spec::Spec& spec);
Result<void> validateLsm(const spec::Process& process);

}  // namespace lc::security
