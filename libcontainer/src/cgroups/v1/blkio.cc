#include <string>
#include <vector>

#include "cgroups/fs.h"
#include "cgroups/resources.h"
#include "cgroups/v1/v1.h"

namespace lc::cgroups::v1 {
namespace {

std::string devicePrefix(int64_t major, int64_t minor) {
    return std::to_string(major) + ":" + std::to_string(minor) + " ";
}

Result<void> setThrottle(const std::string& dir, const char* field, const char* file,
                         const std::vector<spec::ThrottleDevice>& list) {
    if (list.empty()) return {};
    std::vector<std::string> lines;
    lines.reserve(list.size());
    for (const auto& t : list) lines.push_back(devicePrefix(t.major, t.minor) + std::to_string(t.rate));
    return writeLines(field, dir, file, lines);
}

// blkio.bfq.* when BFQ provides them, else the CFQ-era names.
const char* weightFile(const std::string& dir, const char* bfqFile, const char* file) {
    return pathExists(joinPath(dir, bfqFile)) ? bfqFile : file;
}

}  // namespace

Result<void> setBlkio(const std::string& dir, const spec::BlockIO& b) {
    if (isSet(b.weight))
        LC_TRY(writeFile("linux.resources.blockIO.weight", dir,
                         weightFile(dir, "blkio.bfq.weight", "blkio.weight"), std::to_string(*b.weight)));
    if (isSet(b.leafWeight))
        LC_TRY(writeFile("linux.resources.blockIO.leafWeight", dir, "blkio.leaf_weight",
                         std::to_string(*b.leafWeight)));
    std::vector<std::string> weights, leafWeights;
    for (const auto& wd : b.weightDevice) {
        if (isSet(wd.weight)) weights.push_back(devicePrefix(wd.major, wd.minor) + std::to_string(*wd.weight));
        if (isSet(wd.leafWeight))
            leafWeights.push_back(devicePrefix(wd.major, wd.minor) + std::to_string(*wd.leafWeight));
    }
    if (!weights.empty())
        LC_TRY(writeLines("linux.resources.blockIO.weightDevice", dir,
                          weightFile(dir, "blkio.bfq.weight_device", "blkio.weight_device"), weights));
    if (!leafWeights.empty())
        LC_TRY(writeLines("linux.resources.blockIO.weightDevice.leafWeight", dir,
                          "blkio.leaf_weight_device", leafWeights));
    LC_TRY(setThrottle(dir, "linux.resources.blockIO.throttleReadBpsDevice",
                       "blkio.throttle.read_bps_device", b.throttleReadBpsDevice));
    LC_TRY(setThrottle(dir, "linux.resources.blockIO.throttleWriteBpsDevice",
                       "blkio.throttle.write_bps_device", b.throttleWriteBpsDevice));
    LC_TRY(setThrottle(dir, "linux.resources.blockIO.throttleReadIOPSDevice",
                       "blkio.throttle.read_iops_device", b.throttleReadIOPSDevice));
    LC_TRY(setThrottle(dir, "linux.resources.blockIO.throttleWriteIOPSDevice",
                       "blkio.throttle.write_iops_device", b.throttleWriteIOPSDevice));
    return {};
}

namespace {

// "8:0 Read 4096" lines (the "Total N" line is skipped).
void parseBlkio(std::string_view content, std::vector<Stats::BlkioEntry>& out) {
    while (!content.empty()) {
        size_t nl = content.find('\n');
        std::string_view line = content.substr(0, nl);
        content = nl == std::string_view::npos ? std::string_view{} : content.substr(nl + 1);
        auto f = splitFields(line);
        if (f.size() != 3) continue;
        size_t colon = f[0].find(':');
        if (colon == std::string_view::npos) continue;
        auto ma = parseUint(f[0].substr(0, colon));
        auto mi = parseUint(f[0].substr(colon + 1));
        auto v = parseUint(f[2]);
        if (!ma || !mi || !v) continue;
        out.push_back({*ma, *mi, std::string(f[1]), *v});
    }
}

Result<void> readBlkio(const std::string& dir, const char* name, std::vector<Stats::BlkioEntry>& out) {
    // The _recursive variant counts sub-cgroups too; older kernels only have the plain file.
    std::string base = std::string("blkio.throttle.") + name;
    auto content = readFile(dir, base + "_recursive");
    if (!content && content.error().errnum() == ENOENT) content = readFile(dir, base);
    if (!content) {
        if (content.error().errnum() == ENOENT) return {};
        return std::unexpected(content.error());
    }
    parseBlkio(*content, out);
    return {};
}

}  // namespace

Result<void> blkioStats(const std::string& dir, Stats& s) {
    LC_TRY(readBlkio(dir, "io_service_bytes", s.ioServiceBytes));
    LC_TRY(readBlkio(dir, "io_serviced", s.ioServiced));
    return {};
}

}  // namespace lc::cgroups::v1
