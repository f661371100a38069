// network: create, ls, rm, inspect the CNI networks of the manager (network.h).
#include <algorithm>
#include <array>
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "json.h"
#include "network.h"

namespace mgr {

int cmdNetwork(const Store& store, const Argv& argv) {
    const char* usage =
        "Usage: runccpp-manager network COMMAND\n\n"
        "  create [--subnet CIDR] NAME  a bridge network (bridge rccppN; default subnet 10.89.N.0/24)\n"
        "  ls [-q]                      list networks (bridge, the default: rccpp0, 10.89.0.0/24)\n"
        "  rm NAME...                   remove networks no container uses\n"
        "  inspect NAME...              JSON: name, bridge, subnet, gateway, containers\n";
    if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
        std::fputs(usage, argv.empty() ? stderr : stdout);
        return argv.empty() ? 125 : 0;
    }
    const std::string& sub = argv[0];
    Argv rest(argv.begin() + 1, argv.end());
    auto a = Args::parse(rest, {{0, "subnet", true}, {'q', "quiet", false}, {'f', "force", false}, {'h', "help", false}});
    if (!a) return errorOut(a.error().message() + "\n" + usage, 125);
    if (a->has("help")) {
        std::fputs(usage, stdout);
        return 0;
    }
    Networks nets(store);
    if (sub == "create") {
        if (a->positional.size() != 1) return errorOut(std::string("network create needs one name\n") + usage, 125);
        auto n = nets.create(a->positional[0], a->value("subnet"));
        if (!n) return errorOut(n.error().message(), 125);
        std::printf("%s\n", n->name.c_str());
        return 0;
    }
    if (sub == "ls" || sub == "list") {
        auto all = nets.list();
        if (!all) return errorOut(all.error().message(), 125);
        if (!a->has("quiet")) std::printf("%-20s %-10s %-9s %s\n", "NAME", "DRIVER", "BRIDGE", "SUBNET");
        // none and host are modes, not networks with a config; listed as docker lists them
        std::vector<std::array<std::string, 4>> rows;
        for (const auto& n : *all) rows.push_back({n.name, "bridge", n.bridge, n.subnet.str()});
        rows.push_back({"host", "host", "-", "-"});
        rows.push_back({"none", "null", "-", "-"});
        std::sort(rows.begin(), rows.end());
        for (const auto& r : rows) {
            if (a->has("quiet")) std::printf("%s\n", r[0].c_str());
            else std::printf("%-20s %-10s %-9s %s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str());
        }
        return 0;
    }
    if (sub == "rm" || sub == "remove") {
        if (a->positional.empty()) return errorOut(std::string("network rm needs a name\n") + usage, 125);
        int rc = 0;
        for (const auto& n : a->positional) {
            if (auto r = nets.remove(n); !r) rc = errorOut(r.error().message(), 1);
            else std::printf("%s\n", n.c_str());
        }
        return rc;
    }
    if (sub == "inspect") {
        if (a->positional.empty()) return errorOut(std::string("network inspect needs a name\n") + usage, 125);
        std::string out = "[";
        int rc = 0;
        for (const auto& name : a->positional) {
            auto n = nets.get(name);
            if (!n) {
                rc = errorOut(n.error().message(), 1);
                continue;
            }
            out += std::string(out.size() > 1 ? "," : "") +
                   json::Obj().str("Name", n->name).str("Driver", "bridge").str("Bridge", n->bridge)
                       .str("Subnet", n->subnet.str()).str("Gateway", n->subnet.gateway())
                       .strs("Containers", nets.users(n->name)).done();
        }
        std::printf("%s]\n", out.c_str());
        return rc;
    }
    return errorOut("unknown network command \"" + sub + "\"\n" + usage, 125);
}

}  // namespace mgr
