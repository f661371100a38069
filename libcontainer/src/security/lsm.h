// The LSM fields of the spec: process.apparmorProfile, process.selinuxLabel, linux.mountLabel.
//
// AppArmor: the profile is applied on the process's next execve (change_onexec: "exec <name>"
// to /proc/thread-self/attr/apparmor/exec, or attr/exec on kernels without the per-LSM
// directory), for the init and for exec'd processes. SELinux: the label goes to
// /proc/thread-self/attr/exec (exec label) and attr/keycreate (the session keyring's label,
// set before the keyring is joined); linux.mountLabel becomes the context= option of the mounts
// runc labels (tmpfs, devpts and the other non-bind mounts but proc, sysfs, cgroup and mqueue).
//
// Asking for an LSM the host does not run is an error naming the field, before anything is made
// (runc 1.1.5 fails too, later: AppArmor in the init with "apparmor failed to apply profile:
// write /proc/self/attr/exec: invalid argument", SELinux in validation with "selinux label is
// specified in config, but selinux is disabled or not supported", a mount label at the mount).
#pragma once

#include <string>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::security {

// Whether the host runs AppArmor (/sys/module/apparmor/parameters/enabled is "Y" and
// /sys/kernel/security/apparmor exists) or SELinux (selinuxfs at /sys/fs/selinux).
bool apparmorEnabled();
bool selinuxEnabled();

// Refuses LSM settings the host cannot apply; the message names the field. Call it with the
// container's spec (create/run) and with the process of an exec.
Result<void> validateLsm(const spec::Spec& spec);
Result<void> validateLsm(const spec::Process& process);

// In the process that is about to execve (init or exec, inside the container): arms the
// AppArmor profile and the SELinux exec label for that execve. No-op when neither is set.
Result<void> applyExecLabels(const spec::Process& process);
// SELinux: label of the keyrings this process creates (call before joining the session
// keyring). No-op without a label.
Result<void> applyKeyringLabel(const spec::Process& process);

// `data` with context="<mountLabel>" added for a mount of `fstype` that runc labels; unchanged
// for the others or without a label.
std::string mountLabelData(const std::string& data, const std::string& fstype, const std::string& mountLabel);

}  // namespace lc::security
