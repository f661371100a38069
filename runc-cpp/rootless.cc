#include "rootless.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>

#include "libcontainer/runtime.h"

namespace cli {

std::string defaultRoot() { return lc::defaultStateRoot("runc-cpp"); }

lc::Result<void> resolveRoot(Globals& g) {
    if (g.rootGiven || !lc::honorsXdgRuntimeDir()) return {};
    g.root = defaultRoot();
    // mkdir -p: the parents as 0700 too (only the last one is normally missing).
    for (size_t pos = 1; pos != std::string::npos;) {
        pos = g.root.find('/', pos + 1);
        std::string part = g.root.substr(0, pos);
        if (::mkdir(part.c_str(), 0700) < 0 && errno != EEXIST)
            return lc::errnoError("the path in $XDG_RUNTIME_DIR must be writable by the user: mkdir " + part);
    }
    if (::chmod(g.root.c_str(), 01700) < 0)
        return lc::errnoError("you should check permission of the path in $XDG_RUNTIME_DIR: chmod " + g.root);
    return {};
}

lc::Result<bool> rootlessCgroups(const std::string& v, const RootlessInputs& in) {
    static constexpr std::array<const char*, 6> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
    static constexpr std::array<const char*, 6> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
    for (const char* t : kTrue)
        if (v == t) return true;
    for (const char* f : kFalse)
        if (v == f) return false;
    std::string lower = v;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lower.empty() && lower != "auto") return lc::fail(EINVAL, "strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
    // auto: any non-root euid; root in the initial user namespace never.
    if (in.euid != 0) return true;
    if (!in.nonInitialUserNs) return false;
    // Root in a user namespace: with the cgroupfs driver always (runc cannot know whether the
    // cgroup is delegated); with systemd when the user's systemd belongs to a non-root uid.
    if (!in.systemdCgroup) return true;
    if (!in.ownerUid) return false;
    auto uid = in.ownerUid();
    return uid && *uid != 0;
}

lc::Result<bool> rootlessCgroups(const Globals& g, bool askSystemd) {
    RootlessInputs in;
    in.euid = ::geteuid();
    in.nonInitialUserNs = in.euid == 0 && lc::inNonInitialUserNs();  // a file read: only for root
    in.systemdCgroup = g.systemdCgroup;
    if (askSystemd) in.ownerUid = [] { return lc::systemdUserOwnerUid(); };
    return rootlessCgroups(g.rootless, in);
}

}  // namespace cli
