// linux.sysctl validation, as runc validates it: a container may only set sysctls that belong
// to a namespace of its own, so that it never changes the host's kernel settings.
//
//   kernel.msgmax kernel.msgmnb kernel.msgmni kernel.sem kernel.shmall kernel.shmmax
//   kernel.shmmni kernel.shm_rmid_forced fs.mqueue.*   -> an ipc namespace in linux.namespaces
//   net.*                                              -> a network namespace that is not the
//                                                         runtime's own (new, or a path to
//                                                         another one)
//   kernel.domainname                                  -> a uts namespace
//   kernel.hostname                                    -> refused: process.hostname sets it
//   anything else                                      -> refused
// Errors name the key. Call it in the parent before anything is created (create and run).
#pragma once

#include <string>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc::security {

Result<void> validateSysctls(const spec::Spec& spec);

// The same with the "is this namespace path the runtime's own network namespace" test
// replaced (unit tests). `isHostNetNs(path)` returns true for the runtime's own namespace.
template <typename F>
Result<void> validateSysctlsWith(const spec::Spec& spec, F&& isHostNetNs);

namespace detail {
enum class SysctlClass { Ipc, Net, Domainname, Hostname, Other };
SysctlClass classifySysctl(const std::string& key);
}  // namespace detail

template <typename F>
Result<void> validateSysctlsWith(const spec::Spec& spec, F&& isHostNetNs) {
    using detail::SysctlClass;
    if (!spec.linux || spec.linux->sysctl.empty()) return {};
    const spec::Linux& lx = *spec.linux;
    const spec::Namespace* ipc = nullptr;
    const spec::Namespace* net = nullptr;
    const spec::Namespace* uts = nullptr;
    for (const auto& n : lx.namespaces) {
        if (n.type == "ipc") ipc = &n;
        else if (n.type == "network") net = &n;
        else if (n.type == "uts") uts = &n;
    }
    for (const auto& [key, value] : lx.sysctl) {
        const std::string what = "linux.sysctl: \"" + key + "\"";
        switch (detail::classifySysctl(key)) {
            case SysctlClass::Ipc:
                if (!ipc) return fail(EINVAL, what + " needs an ipc namespace: it would change the host's ipc settings");
                break;
            case SysctlClass::Net: {
                if (!net)
                    return fail(EINVAL, what + " needs a network namespace: it would change the host's network settings");
                if (!net->path.empty()) {
                    Result<bool> host = isHostNetNs(net->path);
                    if (!host) return std::unexpected(host.error().wrap(what));
                    if (*host)
                        return fail(EINVAL, what + " is not allowed in the host's network namespace (" + net->path + ")");
                }
                break;
            }
            case SysctlClass::Domainname:
                if (!uts) return fail(EINVAL, what + " needs a uts namespace: it would change the host's domain name");
                break;
            case SysctlClass::Hostname:
                return fail(EINVAL, what + " is not allowed: set the hostname with the \"hostname\" field");
            case SysctlClass::Other:
                return fail(EINVAL, what + " is not allowed: it does not belong to a namespace of the container");
        }
    }
    return {};
}

}  // namespace lc::security
