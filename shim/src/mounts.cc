#include "mounts.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

namespace shim {

MountArgs parseMountOptions(const std::vector<std::string>& options) {
    struct Flag { const char* name; bool clear; unsigned long bit; };
    static const Flag kFlags[] = {
        {"ro", false, MS_RDONLY}, {"rw", true, MS_RDONLY}, {"nosuid", false, MS_NOSUID},
        {"suid", true, MS_NOSUID}, {"nodev", false, MS_NODEV}, {"dev", true, MS_NODEV},
        {"noexec", false, MS_NOEXEC}, {"exec", true, MS_NOEXEC}, {"sync", false, MS_SYNCHRONOUS},
        {"async", true, MS_SYNCHRONOUS}, {"noatime", false, MS_NOATIME}, {"atime", true, MS_NOATIME},
        {"nodiratime", false, MS_NODIRATIME}, {"relatime", false, MS_RELATIME},
        {"strictatime", false, MS_STRICTATIME}, {"bind", false, MS_BIND}, {"rbind", false, MS_BIND | MS_REC},
        {"remount", false, MS_REMOUNT}, {"defaults", false, 0},
    };
    struct Prop { const char* name; unsigned long bit; };
    static const Prop kProps[] = {
        {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
        {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE}, {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    MountArgs a;
    for (const auto& o : options) {
        bool known = false;
        for (const auto& f : kFlags) {
            if (o == f.name) {
                a.flags = f.clear ? (a.flags & ~f.bit) : (a.flags | f.bit);
                known = true;
                break;
            }
        }
        for (const auto& p : kProps) {
            if (!known && o == p.name) {
                a.propagation |= p.bit;
                known = true;
            }
        }
        if (known) continue;
        if (!a.data.empty()) a.data += ',';
        a.data += o;
    }
    return a;
}

lc::Result<void> mountAll(const std::vector<MountSpec>& mounts, const std::string& target) {
    if (mounts.empty()) return {};
    if (::mkdir(target.c_str(), 0711) < 0 && errno != EEXIST) return lc::errnoError("mkdir " + target);
    for (const auto& m : mounts) {
        MountArgs a = parseMountOptions(m.options);
        std::string type = m.type == "bind" ? "none" : m.type;
        if (m.type == "bind") a.flags |= MS_BIND;
        if (::mount(m.source.c_str(), target.c_str(), type.c_str(), a.flags & ~MS_RDONLY,
                    a.data.empty() ? nullptr : a.data.c_str()) < 0) {
            int e = errno;
            (void)unmountAll(target);
            return lc::errnoError("mount " + m.source + " on " + target + " (" + m.type + ")", e);
        }
        if ((a.flags & MS_BIND) && (a.flags & MS_RDONLY))
            ::mount("", target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr);
        else if (a.flags & MS_RDONLY)
            ::mount("", target.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr);
        if (a.propagation) ::mount("", target.c_str(), nullptr, a.propagation, nullptr);
    }
    return {};
}

lc::Result<void> unmountAll(const std::string& target) {
    std::ifstream mi("/proc/self/mountinfo");
    std::vector<std::string> points;
    std::string line;
    while (std::getline(mi, line)) {
        std::istringstream ss(line);
        std::string id, parent, dev, root, point;
        ss >> id >> parent >> dev >> root >> point;
        // octal escapes (\040) are left as they are: bundle paths containerd makes have none
        if (point == target || point.starts_with(target + "/")) points.push_back(point);
    }
    std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& p : points) {
        if (::umount2(p.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
            return lc::errnoError("unmount " + p);
    }
    return {};
}

}  // namespace shim
