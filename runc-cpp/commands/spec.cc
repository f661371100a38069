#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../cli.h"
#include "spec/defaults.h"
#include "spec/json.h"

namespace cli {

int runSpec(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    std::string bundle;
    bool rootless = false;
    desc.add_options()
        ("bundle,b", po::value(&bundle), "path to the root of the bundle directory")
        ("rootless", po::bool_switch(&rootless), "generate a configuration for a rootless container");
    po::positional_options_description pos;
    po::variables_map vm;
    int rc = 0;
    if (!parseArgs(ctx, "spec", "[command options]", args, desc, pos, vm, &rc)) return rc;
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
