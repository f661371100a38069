#include "cgroups/systemd/unit.h"

#include <vector>

namespace lc::cgroups::systemd {
namespace {

constexpr std::string_view kSliceSuffix = ".slice";

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool unitChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
           c == '.' || c == '\\' || c == '-' || c == '@';
}

std::unexpected<Error> badPath(std::string_view path, const std::string& why) {
    return fail(EINVAL, "linux.cgroupsPath: \"" + std::string(path) + "\": " + why);
}

}  // namespace

bool UnitName::isSlice() const { return endsWith(unit, kSliceSuffix); }

bool validUnitName(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    for (char c : name)
        if (!unitChar(c)) return false;
    size_t dot = name.rfind('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < name.size();
}

Result<std::string> expandSlice(std::string_view slice) {
    auto bad = [&] { return fail(EINVAL, "invalid slice name: " + std::string(slice)); };
    if (slice.size() < kSliceSuffix.size() || !endsWith(slice, kSliceSuffix)) return bad();
    if (slice.find('/') != std::string_view::npos) return bad();
    std::string_view base = slice.substr(0, slice.size() - kSliceSuffix.size());
    if (base == "-") return std::string("/");
    std::string path, prefix;
    size_t start = 0;
    for (;;) {
        size_t dash = base.find('-', start);
        std::string_view part = base.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
        if (part.empty()) return bad();
        path += "/" + prefix + std::string(part) + std::string(kSliceSuffix);
        prefix += std::string(part) + "-";
        if (dash == std::string_view::npos) break;
        start = dash + 1;
    }
    return path;
}

Result<UnitName> parseCgroupsPath(std::string_view cgroupsPath, std::string_view containerId,
                                  std::string_view defaultSlice) {
    UnitName u;
    if (cgroupsPath.empty()) {
        u.slice = defaultSlice;
        u.unit = std::string(kDefaultPrefix) + "-" + std::string(containerId) + ".scope";
    } else {
        std::vector<std::string_view> parts;
        size_t start = 0;
        for (;;) {
            size_t colon = cgroupsPath.find(':', start);
            parts.push_back(cgroupsPath.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
            if (colon == std::string_view::npos) break;
            start = colon + 1;
        }
        if (parts.size() != 3)
            return fail(EINVAL, "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"" +
                                    std::string(cgroupsPath) + "\" instead");
        u.slice = parts[0].empty() ? std::string(defaultSlice) : std::string(parts[0]);
        if (endsWith(parts[2], kSliceSuffix)) u.unit = std::string(parts[2]);
        else u.unit = std::string(parts[1]) + "-" + std::string(parts[2]) + ".scope";
    }
    if (!validUnitName(u.unit)) return badPath(cgroupsPath, "\"" + u.unit + "\" is not a valid systemd unit name");
    if (!validUnitName(u.slice) || !endsWith(u.slice, kSliceSuffix))
        return badPath(cgroupsPath, "\"" + u.slice + "\" is not a valid slice name");
    if (auto e = expandSlice(u.slice); !e) return badPath(cgroupsPath, e.error().message());
    return u;
}

Result<std::string> unitCgroupPath(std::string_view mountRoot, const UnitName& u, std::string_view managerCgroup) {
    auto slice = expandSlice(u.slice);
    if (!slice) return std::unexpected(slice.error());
    std::string root(mountRoot);
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    std::string manager;
    if (!managerCgroup.empty()) {
        if (managerCgroup[0] != '/') return fail(EINVAL, "the systemd manager's cgroup \"" + std::string(managerCgroup) + "\" is not absolute");
        size_t start = 1;
        while (start <= managerCgroup.size()) {
            size_t slash = managerCgroup.find('/', start);
            std::string_view part = managerCgroup.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
            if (part == "." || part == "..")
                return fail(EINVAL, "the systemd manager's cgroup \"" + std::string(managerCgroup) + "\" has a \"" + std::string(part) + "\" component");
            if (!part.empty()) manager += "/" + std::string(part);
            if (slash == std::string_view::npos) break;
            start = slash + 1;
        }
    }
    std::string dir = *slice == "/" ? std::string() : *slice;
    return root + manager + dir + "/" + u.unit;
}

}  // namespace lc::cgroups::systemd
