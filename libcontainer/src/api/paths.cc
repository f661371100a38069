#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "libcontainer/runtime.h"

namespace lc {

bool inNonInitialUserNs() {
    std::ifstream in("/proc/self/uid_map");
    unsigned long long inside = 0, outside = 0, count = 0;
    if (!(in >> inside >> outside >> count)) return false;  // no /proc: assume the initial one
    std::string more;
    if (in >> more) return true;                             // more than one line
    return !(inside == 0 && outside == 0 && count == 4294967295ULL);
}

bool honorsXdgRuntimeDir(uid_t euid, bool nonInitialUserNs, const char* xdgRuntimeDir, const char* user) {
    if (!xdgRuntimeDir || !*xdgRuntimeDir) return false;
    if (euid != 0) return true;
    if (!nonInitialUserNs) return false;
    return !user || std::string(user) != "root";
}

bool honorsXdgRuntimeDir() {
    const uid_t euid = ::geteuid();
    // the user namespace is only looked at for root (a file read)
    return honorsXdgRuntimeDir(euid, euid == 0 && inNonInitialUserNs(), std::getenv("XDG_RUNTIME_DIR"),
                               std::getenv("USER"));
}

std::string defaultStateRoot(const std::string& program) {
    return (honorsXdgRuntimeDir() ? std::string(std::getenv("XDG_RUNTIME_DIR")) : std::string("/run")) + "/" + program;
}

}  // namespace lc
