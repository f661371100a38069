// The flags checkpoint and restore share (runc's criuOptions) -> lc::CriuCommonOptions.
#pragma once

#include <sched.h>
#include <unistd.h>

#include <map>

#include "../cli.h"
#include "libcontainer/checkpoint.h"

namespace cli {

// Fills `o` from `f`; an unknown --manage-cgroups-mode or --empty-ns value is an error in
// runc's words. The image path defaults to ./checkpoint, as runc's.
inline lc::Result<void> toCriuOptions(const Context& ctx, const CriuFlags& f, lc::CriuCommonOptions& o) {
    o.imagePath = f.imagePath;
    if (o.imagePath.empty()) {
        char cwd[4096];
        if (!::getcwd(cwd, sizeof cwd)) return lc::errnoError("getwd");
        o.imagePath = std::string(cwd) + "/checkpoint";
    }
    o.workPath = f.workPath;
    o.tcpEstablished = f.tcpEstablished, o.extUnixSk = f.extUnixSk, o.shellJob = f.shellJob;
    o.fileLocks = f.fileLocks, o.autoDedup = f.autoDedup, o.lazyPages = f.lazyPages;
    if (!f.manageCgroupsMode.empty() && !lc::parseCriuCgroupsMode(f.manageCgroupsMode, &o.cgroupsMode))
        return lc::fail(EINVAL, "Invalid manage cgroups mode");
    static const std::map<std::string, uint32_t> kNs = {
        {"mount", CLONE_NEWNS}, {"network", CLONE_NEWNET}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
        {"pid", CLONE_NEWPID}, {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}};
    for (const auto& n : f.emptyNs) {
        auto it = kNs.find(n);
        if (it == kNs.end()) return lc::fail(EINVAL, "namespace \"" + n + "\" is not supported");
        o.emptyNs |= it->second;
    }
    if (!ctx.globals.criu.empty()) o.criuPath = ctx.globals.criu;
    return {};
}

}  // namespace cli
