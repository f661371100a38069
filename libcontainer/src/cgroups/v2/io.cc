#include <string>
#include <vector>

#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v2/v2.h"

namespace lc::cgroups::v2 {
namespace {

std::string device(int64_t major, int64_t minor) {
    return std::to_string(major) + ":" + std::to_string(minor);
}

void addThrottles(std::vector<std::string>& lines, const std::vector<spec::ThrottleDevice>& list,
                  const char* key) {
    for (const auto& t : list)
        lines.push_back(device(t.major, t.minor) + " " + key + "=" +
                        (t.rate == 0 ? std::string("max") : std::to_string(t.rate)));
}

}  // namespace

Result<void> setIo(const std::string& dir, const spec::BlockIO& b) {
    if (isSet(b.leafWeight))
        return fail(EOPNOTSUPP, "linux.resources.blockIO.leafWeight: not supported on cgroup v2");
    for (const auto& wd : b.weightDevice)
        if (isSet(wd.leafWeight))
            return fail(EOPNOTSUPP, "linux.resources.blockIO.weightDevice.leafWeight: not supported on cgroup v2");

    // BFQ's io.bfq.weight takes the blkio range as is; io.weight wants 1..10000.
    const bool bfq = (isSet(b.weight) || !b.weightDevice.empty()) && pathExists(joinPath(dir, "io.bfq.weight"));
    auto weightValue = [&](uint16_t w) { return std::to_string(bfq ? w : ioWeightFromBlkio(w)); };
    const char* weightFile = bfq ? "io.bfq.weight" : "io.weight";
    if (isSet(b.weight))
        LC_TRY(writeFile("linux.resources.blockIO.weight", dir, weightFile, weightValue(*b.weight)));
    std::vector<std::string> lines;
    for (const auto& wd : b.weightDevice)
        if (isSet(wd.weight)) lines.push_back(device(wd.major, wd.minor) + " " + weightValue(*wd.weight));
    LC_TRY(writeLines("linux.resources.blockIO.weightDevice", dir, weightFile, lines));

    lines.clear();
    addThrottles(lines, b.throttleReadBpsDevice, "rbps");
    addThrottles(lines, b.throttleWriteBpsDevice, "wbps");
    addThrottles(lines, b.throttleReadIOPSDevice, "riops");
    addThrottles(lines, b.throttleWriteIOPSDevice, "wiops");
    return writeLines("linux.resources.blockIO.throttle", dir, "io.max", lines);
}

Result<void> ioStats(const std::string& dir, Stats& s) {
    auto content = readFile(dir, "io.stat");
    if (!content) {
        if (content.error().errnum() == ENOENT) return {};
        return std::unexpected(content.error());
    }
    // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"
    std::string_view rest = *content;
    while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        auto f = splitFields(line);
        if (f.empty()) continue;
        size_t colon = f[0].find(':');
        if (colon == std::string_view::npos) continue;
        auto ma = parseUint(f[0].substr(0, colon));
        auto mi = parseUint(f[0].substr(colon + 1));
        if (!ma || !mi) continue;
        for (size_t i = 1; i < f.size(); ++i) {
            size_t eq = f[i].find('=');
            if (eq == std::string_view::npos) continue;
            auto key = f[i].substr(0, eq);
            auto v = parseUint(f[i].substr(eq + 1));
            if (!v) continue;
            if (key == "rbytes") s.ioServiceBytes.push_back({*ma, *mi, "Read", *v});
            else if (key == "wbytes") s.ioServiceBytes.push_back({*ma, *mi, "Write", *v});
            else if (key == "rios") s.ioServiced.push_back({*ma, *mi, "Read", *v});
            else if (key == "wios") s.ioServiced.push_back({*ma, *mi, "Write", *v});
        }
    }
    return {};
}

}  // namespace lc::cgroups::v2
