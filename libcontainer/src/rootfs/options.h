// Mount options (the "options" array of an OCI mount) -> mount(2) flags, propagation
// changes, recursive mount attributes and the filesystem data string. Pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"

namespace lc::rootfs {

struct MountOptions {
    unsigned long flags = 0;         // MS_* to set
    unsigned long clearedFlags = 0;  // MS_* explicitly cleared ("rw", "suid", "dev", ...)
    std::vector<unsigned long> propagation;  // MS_PRIVATE etc. (| MS_REC), applied in order
    uint64_t recAttrSet = 0;         // MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) ("rro", ...)
    uint64_t recAttrClr = 0;
    std::string data;                // everything else, comma-joined ("mode=755,size=65536k")
    bool tmpcopyup = false;          // tmpfs: copy the directory's contents into the new tmpfs
    bool idmap = false;              // "idmap" / "ridmap" seen (an idmapped bind mount)
    bool recursiveIdmap = false;     // "ridmap"
};

// Parses options in order (later ones win: "ro,rw" is rw). Never fails: unknown options are
// filesystem data.
MountOptions parseMountOptions(std::span<const std::string> options);

// A propagation keyword ("private", "rslave", ...) -> MS_* flags; 0 when not one.
unsigned long propagationFlag(std::string_view option);

// linux.rootfsPropagation -> MS_* flags; "" -> 0; an unknown value is an error.
Result<unsigned long> parseRootfsPropagation(std::string_view value);

// Every option keyword this parser gives a meaning to (flags, propagation, recursive
// attributes, "tmpcopyup", "idmap", "ridmap"), sorted: `features` "mountOptions".
std::vector<std::string> knownMountOptions();

// "MS_RDONLY|MS_NOSUID" (for messages and tests); "0" for none.
std::string mountFlagsString(unsigned long flags);

}  // namespace lc::rootfs
