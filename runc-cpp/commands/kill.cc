#include <signal.h>

#include "../cli.h"

namespace cli {

int runKill(Context& ctx, const std::vector<std::string>& args) {
    po::options_description desc;
    bool all = false;
    desc.add_options()("all,a", po::bool_switch(&all), "send the specified signal to all processes inside the container");
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    if (!parseArgs(ctx, "kill", "[command options] <container-id> [signal]", args, desc, pos, vm, &rc)) return rc;
    std::vector<std::string> a;
    if (vm.count("args")) a = vm["args"].as<std::vector<std::string>>();
    if (a.empty() || a.size() > 2) return failWith(ctx, "kill: \"kill\" requires a minimum of 1 and a maximum of 2 arguments");
    int sig = SIGTERM;
    if (a.size() == 2) {
        sig = parseSignal(a[1]);
        if (sig < 0) return failWith(ctx, "unknown signal \"" + a[1] + "\"");
    }
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(a[0]);
    if (!c) return failWith(ctx, c.error());
    if (auto r = c->kill(sig, all); !r) return failWith(ctx, r.error());
    return 0;
}

}  // namespace cli
