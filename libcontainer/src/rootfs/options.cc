#include "rootfs/options.h"

#include <sys/mount.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace lc::rootfs {
namespace {

// A flag option: sets (clear = false) or clears (clear = true) one MS_* flag.
struct FlagOption {
    std::string_view name;
    bool clear;
    unsigned long flag;
};

constexpr std::array kFlagOptions = {
    FlagOption{"defaults", false, 0},
    FlagOption{"ro", false, MS_RDONLY},
    FlagOption{"rw", true, MS_RDONLY},
    FlagOption{"suid", true, MS_NOSUID},
    FlagOption{"nosuid", false, MS_NOSUID},
    FlagOption{"dev", true, MS_NODEV},
    FlagOption{"nodev", false, MS_NODEV},
    FlagOption{"exec", true, MS_NOEXEC},
    FlagOption{"noexec", false, MS_NOEXEC},
    FlagOption{"sync", false, MS_SYNCHRONOUS},
    FlagOption{"async", true, MS_SYNCHRONOUS},
    FlagOption{"dirsync", false, MS_DIRSYNC},
    FlagOption{"remount", false, MS_REMOUNT},
    FlagOption{"mand", false, MS_MANDLOCK},
    FlagOption{"nomand", true, MS_MANDLOCK},
    FlagOption{"atime", true, MS_NOATIME},
    FlagOption{"noatime", false, MS_NOATIME},
    FlagOption{"diratime", true, MS_NODIRATIME},
    FlagOption{"nodiratime", false, MS_NODIRATIME},
    FlagOption{"bind", false, MS_BIND},
    FlagOption{"rbind", false, MS_BIND | MS_REC},
    FlagOption{"relatime", false, MS_RELATIME},
    FlagOption{"norelatime", true, MS_RELATIME},
    FlagOption{"strictatime", false, MS_STRICTATIME},
    FlagOption{"nostrictatime", true, MS_STRICTATIME},
    FlagOption{"lazytime", false, MS_LAZYTIME},
    FlagOption{"nolazytime", true, MS_LAZYTIME},
    FlagOption{"silent", false, MS_SILENT},
    FlagOption{"loud", true, MS_SILENT},
    FlagOption{"iversion", false, MS_I_VERSION},
    FlagOption{"noiversion", true, MS_I_VERSION},
    FlagOption{"nosymfollow", false, MS_NOSYMFOLLOW},
    FlagOption{"symfollow", true, MS_NOSYMFOLLOW},
};

struct PropagationOption {
    std::string_view name;
    unsigned long flags;
};

constexpr std::array kPropagationOptions = {
    PropagationOption{"private", MS_PRIVATE},
    PropagationOption{"rprivate", MS_PRIVATE | MS_REC},
    PropagationOption{"shared", MS_SHARED},
    PropagationOption{"rshared", MS_SHARED | MS_REC},
    PropagationOption{"slave", MS_SLAVE},
    PropagationOption{"rslave", MS_SLAVE | MS_REC},
    PropagationOption{"unbindable", MS_UNBINDABLE},
    PropagationOption{"runbindable", MS_UNBINDABLE | MS_REC},
};

// Recursive mount attributes, applied with mount_setattr(AT_RECURSIVE). For the atime
// family the kernel wants the whole MOUNT_ATTR__ATIME mask cleared and one mode set.
struct RecAttrOption {
    std::string_view name;
    uint64_t set;
    uint64_t clr;
};

constexpr std::array kRecAttrOptions = {
    RecAttrOption{"rro", MOUNT_ATTR_RDONLY, 0},
    RecAttrOption{"rrw", 0, MOUNT_ATTR_RDONLY},
    RecAttrOption{"rnosuid", MOUNT_ATTR_NOSUID, 0},
    RecAttrOption{"rsuid", 0, MOUNT_ATTR_NOSUID},
    RecAttrOption{"rnodev", MOUNT_ATTR_NODEV, 0},
    RecAttrOption{"rdev", 0, MOUNT_ATTR_NODEV},
    RecAttrOption{"rnoexec", MOUNT_ATTR_NOEXEC, 0},
    RecAttrOption{"rexec", 0, MOUNT_ATTR_NOEXEC},
    RecAttrOption{"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
    RecAttrOption{"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    RecAttrOption{"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    RecAttrOption{"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    RecAttrOption{"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    RecAttrOption{"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    RecAttrOption{"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    RecAttrOption{"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    RecAttrOption{"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    RecAttrOption{"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
};

struct FlagName {
    unsigned long flag;
    std::string_view name;
};

constexpr std::array kFlagNames = {
    FlagName{MS_RDONLY, "MS_RDONLY"},         FlagName{MS_NOSUID, "MS_NOSUID"},
    FlagName{MS_NODEV, "MS_NODEV"},           FlagName{MS_NOEXEC, "MS_NOEXEC"},
    FlagName{MS_SYNCHRONOUS, "MS_SYNCHRONOUS"}, FlagName{MS_REMOUNT, "MS_REMOUNT"},
    FlagName{MS_MANDLOCK, "MS_MANDLOCK"},     FlagName{MS_DIRSYNC, "MS_DIRSYNC"},
    FlagName{MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"}, FlagName{MS_NOATIME, "MS_NOATIME"},
    FlagName{MS_NODIRATIME, "MS_NODIRATIME"}, FlagName{MS_BIND, "MS_BIND"},
    FlagName{MS_MOVE, "MS_MOVE"},             FlagName{MS_REC, "MS_REC"},
    FlagName{MS_SILENT, "MS_SILENT"},         FlagName{MS_UNBINDABLE, "MS_UNBINDABLE"},
    FlagName{MS_PRIVATE, "MS_PRIVATE"},       FlagName{MS_SLAVE, "MS_SLAVE"},
    FlagName{MS_SHARED, "MS_SHARED"},         FlagName{MS_RELATIME, "MS_RELATIME"},
    FlagName{MS_I_VERSION, "MS_I_VERSION"},   FlagName{MS_STRICTATIME, "MS_STRICTATIME"},
    FlagName{MS_LAZYTIME, "MS_LAZYTIME"},
};

}  // namespace

unsigned long propagationFlag(std::string_view option) {
    for (const auto& p : kPropagationOptions)
        if (p.name == option) return p.flags;
    return 0;
}

MountOptions parseMountOptions(std::span<const std::string> options) {
    MountOptions out;
    for (const std::string& opt : options) {
        bool known = false;
        for (const auto& f : kFlagOptions) {
            if (f.name != opt) continue;
            if (f.clear) {
                out.flags &= ~f.flag;
                out.clearedFlags |= f.flag;
            } else {
                out.flags |= f.flag;
                out.clearedFlags &= ~f.flag;
            }
            known = true;
            break;
        }
        if (known) continue;
        if (unsigned long p = propagationFlag(opt)) {
            out.propagation.push_back(p);
            continue;
        }
        for (const auto& r : kRecAttrOptions) {
            if (r.name != opt) continue;
            // A later option overrides an earlier one on the same attribute.
            uint64_t touched = r.set | r.clr;
            if (r.clr & MOUNT_ATTR__ATIME) touched |= MOUNT_ATTR__ATIME;
            out.recAttrSet &= ~touched;
            out.recAttrClr &= ~touched;
            out.recAttrSet |= r.set;
            out.recAttrClr |= r.clr;
            known = true;
            break;
        }
        if (known) continue;
        if (opt == "tmpcopyup") {
            out.tmpcopyup = true;
        } else if (opt == "notmpcopyup") {
            out.tmpcopyup = false;
        } else if (opt == "idmap" || opt == "ridmap") {
            out.idmap = true;
            out.recursiveIdmap = out.recursiveIdmap || opt == "ridmap";
        } else {
            if (!out.data.empty()) out.data += ',';
            out.data += opt;
        }
    }
    return out;
}

Result<unsigned long> parseRootfsPropagation(std::string_view value) {
    if (value.empty()) return 0UL;
    if (unsigned long p = propagationFlag(value)) return p;
    return fail(EINVAL, "invalid linux.rootfsPropagation " + std::string(value));
}

std::string mountFlagsString(unsigned long flags) {
    std::string out;
    for (const auto& n : kFlagNames) {
        if (!(flags & n.flag)) continue;
        if (!out.empty()) out += '|';
        out += n.name;
        flags &= ~n.flag;
    }
    if (flags) {
        if (!out.empty()) out += '|';
        char buf[32];
        std::snprintf(buf, sizeof buf, "%#lx", flags);
        out += buf;
    }
    return out.empty() ? "0" : out;
}

std::vector<std::string> knownMountOptions() {
    std::vector<std::string> out;
    for (const auto& o : kFlagOptions) out.emplace_back(o.name);
    for (const auto& o : kPropagationOptions) out.emplace_back(o.name);
    for (const auto& o : kRecAttrOptions) out.emplace_back(o.name);
    out.emplace_back("tmpcopyup");
    out.emplace_back("idmap");
    out.emplace_back("ridmap");
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace lc::rootfs
