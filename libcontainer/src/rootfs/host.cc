#include "rootfs/host.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "libcontainer/unique_fd.h"
#include "rootfs/idmap.h"
#include "rootfs/options.h"
#include "rootfs/paths.h"
#include "rootfs/plan.h"
#include "sys/syscalls.h"

namespace lc::rootfs {
namespace {

constexpr std::string_view kCgroupRoot = "/sys/fs/cgroup";

std::string unescape(std::string_view s) {
    auto oct = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
            continue;
        }
        out += s[i];
    }
    return out;
}

std::vector<std::string_view> splitOn(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find(sep, i);
        if (j == std::string_view::npos) j = s.size();
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// Super options of a v1 cgroup mount that are not controllers.
bool isCgroupFlagOption(std::string_view opt) {
    static constexpr std::array kFlags = {
        std::string_view("rw"),           std::string_view("ro"),
        std::string_view("xattr"),        std::string_view("noprefix"),
        std::string_view("clone_children"), std::string_view("cpuset_v2_mode"),
        std::string_view("favordynmods"), std::string_view("nsdelegate"),
    };
    if (std::find(kFlags.begin(), kFlags.end(), opt) != kFlags.end()) return true;
    return opt.find('=') != std::string_view::npos && !opt.starts_with("name=");
}

std::vector<std::string> cgroupSubsystems(std::string_view superOptions) {
    std::vector<std::string> out;
    for (auto opt : splitOn(superOptions, ','))
        if (!isCgroupFlagOption(opt)) out.emplace_back(opt);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::vector<MountInfoEntry> parseMountInfo(std::string_view text) {
    std::vector<MountInfoEntry> out;
    for (auto line : splitOn(text, '\n')) {
        // id parent major:minor root mountpoint options [optional...] - fstype source super
        auto fields = splitOn(line, ' ');
        auto dash = std::find(fields.begin(), fields.end(), std::string_view("-"));
        if (fields.size() < 10 || dash == fields.end() || dash - fields.begin() < 6 ||
            fields.end() - dash < 4)
            continue;
        MountInfoEntry e;
        auto toInt = [](std::string_view s, int& v) {
            return std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc();
        };
        if (!toInt(fields[0], e.id) || !toInt(fields[1], e.parent)) continue;
        e.root = unescape(fields[3]);
        e.mountpoint = unescape(fields[4]);
        e.options = std::string(fields[5]);
        for (auto it = fields.begin() + 6; it != dash; ++it) {
            if (!e.optional.empty()) e.optional += ' ';
            e.optional += *it;
        }
        e.fstype = unescape(dash[1]);
        e.source = unescape(dash[2]);
        e.superOptions = unescape(dash[3]);
        out.push_back(std::move(e));
    }
    return out;
}

HostInfo hostInfoFrom(const std::vector<MountInfoEntry>& mounts, const std::string& rootfs) {
    HostInfo h;
    h.resolved = true;

    // cgroup v1 hierarchies: those under /sys/fs/cgroup first, one entry per hierarchy.
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& m : mounts) {
            if (m.fstype != "cgroup") continue;
            bool standard = pathIsUnder(m.mountpoint, kCgroupRoot);
            if ((pass == 0) != standard) continue;
            auto subsystems = cgroupSubsystems(m.superOptions);
            if (subsystems.empty()) continue;
            bool seen = std::any_of(h.cgroupV1.begin(), h.cgroupV1.end(),
                                    [&](const CgroupHierarchy& c) { return c.subsystems == subsystems; });
            if (!seen) h.cgroupV1.push_back({m.mountpoint, std::move(subsystems)});
        }
    }
    for (const auto& m : mounts) {
        if (m.fstype == "cgroup2" && pathIsUnder(m.mountpoint, kCgroupRoot) &&
            m.mountpoint != kCgroupRoot) {
            h.cgroupUnified = m.mountpoint;
            break;
        }
    }

    // The mount the rootfs lives on: the longest mountpoint containing it (the last one
    // listed when several are stacked on the same point).
    size_t best = 0;
    for (const auto& m : mounts) {
        if (!pathIsUnder(rootfs, m.mountpoint) || m.mountpoint.size() < best) continue;
        best = m.mountpoint.size();
        h.rootfsParentMount = m.mountpoint;
        h.rootfsParentShared = m.optional.find("shared:") != std::string::npos;
    }

    for (const auto& m : mounts) {
        if ((m.fstype == "proc" || m.fstype == "sysfs") && m.root == "/" &&
            !pathIsUnder(m.mountpoint, rootfs) && m.mountpoint != "/")
            h.pseudoMounts.push_back(m.mountpoint);
    }
    return h;
}

Result<HostInfo> readHostInfo(sys::Syscalls& sys, const std::string& rootfs) {
    UniqueFd fd(sys.openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC, 0));
    if (!fd) return errnoError("open /proc/self/mountinfo");
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("read /proc/self/mountinfo");
        }
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    HostInfo h = hostInfoFrom(parseMountInfo(text), rootfs);
    struct stat st {};
    h.hasKcore = sys.fstatat(AT_FDCWD, "/proc/kcore", &st, 0) == 0;
    return h;
}

Result<void> resolve(Config& cfg) {
    if (cfg.rootfs.empty()) return fail(EINVAL, "rootfs path is empty");
    char real[PATH_MAX];
    if (!::realpath(cfg.rootfs.c_str(), real)) return errnoError("resolve rootfs " + cfg.rootfs);
    cfg.rootfs = real;
    if (!cfg.sys) return fail(EINVAL, "rootfs: no syscall seam given (Config::sys)");
    sys::Syscalls& sys = *cfg.sys;
    auto h = readHostInfo(sys, cfg.rootfs);
    if (!h) return std::unexpected(h.error());
    cfg.host = std::move(*h);
    if (!cfg.spec) return {};
    // Idmapped mounts are made here, in the parent (idmap.h); the plan says which.
    const bool anyIdmap = std::any_of(cfg.spec->mounts.begin(), cfg.spec->mounts.end(), [](const spec::Mount& m) {
        return !m.uidMappings.empty() || !m.gidMappings.empty() || parseMountOptions(m.options).idmap;
    });
    if (!anyIdmap) return {};
    auto plan = planMounts(cfg, cfg.host);
    if (!plan) return std::unexpected(plan.error());
    auto idmapped = makeIdmappedMounts(sys, cfg, *plan);
    if (!idmapped) return std::unexpected(idmapped.error());
    cfg.idmapped = std::move(*idmapped);
    return {};
}

}  // namespace lc::rootfs
