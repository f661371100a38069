#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../cli.h"
#include "spec/defaults.h"
#include "spec/json.h"

namespace cli {

int runSpec(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    auto p = parseArgs(ctx, "spec", args, &rc);
    if (!p) return rc;
    const auto& [bundle, rootless] = std::get<SpecFlags>(p->flags);
    std::string path = (bundle.empty() ? std::string(".") : bundle) + "/config.json";
    if (::access(path.c_str(), F_OK) == 0) return failWith(ctx, "File " + path + " exists. Remove it first");
    std::string json = spec::toJson(spec::defaultSpec(rootless), true);
    if (json.empty() || json.back() != '\n') json += '\n';
    lc::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (!fd) return failWith(ctx, "open " + path + ": " + std::strerror(errno));
    for (size_t off = 0; off < json.size();) {
        ssize_t n = ::write(fd.get(), json.data() + off, json.size() - off);
        if (n < 0) return failWith(ctx, "write " + path + ": " + std::strerror(errno));
        off += static_cast<size_t>(n);
    }
    return 0;
}

}  // namespace cli
