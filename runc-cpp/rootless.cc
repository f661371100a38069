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

lc::Result<bool> rootlessCgroups(const Globals& g) {
    const std::string& v = g.rootless;
    static constexpr std::array<const char*, 6> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
    static constexpr std::array<const char*, 6> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
    for (const char* t : kTrue)
        if (v == t) return true;
    for (const char* f : kFalse)
        if (v == f) return false;
    std::string lower = v;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lower.empty() && lower != "auto") return lc::fail(EINVAL, "strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
    // auto: any non-root euid; root in a user namespace too (runc's cgroupfs-driver answer;
    // with the systemd driver runc asks systemd for its owner uid, here the euid decides).
    if (::geteuid() != 0) return true;
    return lc::inNonInitialUserNs() && !g.systemdCgroup;
}

}  // namespace cli
