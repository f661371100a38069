#include "security/sysctl.h"

#include <sys/stat.h>

#include <array>
#include <string_view>

namespace lc::security {
namespace detail {

SysctlClass classifySysctl(const std::string& key) {
    static constexpr std::array<std::string_view, 8> kIpc = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",  "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };
    const std::string_view k = key;
    for (std::string_view n : kIpc)
        if (k == n) return SysctlClass::Ipc;
    if (k.starts_with("fs.mqueue.") && k.size() > 10) return SysctlClass::Ipc;
    if (k.starts_with("net.") && k.size() > 4) return SysctlClass::Net;
    if (k == "kernel.domainname") return SysctlClass::Domainname;
    if (k == "kernel.hostname") return SysctlClass::Hostname;
    return SysctlClass::Other;
}

}  // namespace detail

namespace {

// Whether `path` names the network namespace the runtime itself is in.
Result<bool> isOwnNetNs(const std::string& path) {
    struct stat theirs, ours;
    if (::stat(path.c_str(), &theirs) < 0) return errnoError("stat network namespace " + path);
    if (::stat("/proc/self/ns/net", &ours) < 0) return errnoError("stat /proc/self/ns/net");
    return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

}  // namespace

Result<void> validateSysctls(const spec::Spec& spec) { return validateSysctlsWith(spec, isOwnNetNs); }

}  // namespace lc::security
