// The pure parts of networking: flags, subnets, the CNI configs and the /etc files.
#include <arpa/inet.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "json.h"
#include "network.h"

namespace mgr {
namespace {

// 1..65535, digits only
std::optional<int> portNumber(const std::string& s) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    int v = std::stoi(s);
    if (v < 1 || v > 65535) return std::nullopt;
    return v;
}

std::optional<uint32_t> ipv4(const std::string& s) {
    in_addr a{};
    if (::inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

}  // namespace

lc::Result<PortMapping> parsePortFlag(const std::string& s) {
    auto bad = [&](const std::string& why) { return lc::fail(EINVAL, "invalid port mapping \"" + s + "\": " + why); };
    PortMapping p;
    std::string spec = s;
    if (auto slash = spec.rfind('/'); slash != std::string::npos) {
        p.proto = spec.substr(slash + 1);
        spec.resize(slash);
        if (p.proto != "tcp" && p.proto != "udp") return bad("protocol must be tcp or udp, not \"" + p.proto + "\"");
    }
    std::vector<std::string> parts;
    std::stringstream ss(spec);
    for (std::string x; std::getline(ss, x, ':');) parts.push_back(x);
    if (!spec.empty() && spec.back() == ':') parts.push_back("");
    if (parts.size() <= 1) return bad("give HOST:CONTAINER (a container port alone is not published)");
    if (parts.size() > 3) return bad("expected [IP:]HOST:CONTAINER[/tcp|udp]");
    if (parts.size() == 3) {
        if (!ipv4(parts[0])) return bad("host IP \"" + parts[0] + "\" is not an IPv4 address");
        p.hostIp = parts[0];
        if (p.hostIp == "0.0.0.0") p.hostIp.clear();
    }
    const std::string& host = parts[parts.size() - 2];
    const std::string& ctr = parts.back();
    auto h = portNumber(host);
    if (!h) return bad("host port \"" + host + "\" is not a number in 1-65535");
    auto c = portNumber(ctr);
    if (!c) return bad("container port \"" + ctr + "\" is not a number in 1-65535");
    p.hostPort = *h;
    p.containerPort = *c;
    return p;
}

std::string portString(const PortMapping& p) {
    return (p.hostIp.empty() ? "0.0.0.0" : p.hostIp) + ":" + std::to_string(p.hostPort) + "->" +
           std::to_string(p.containerPort) + "/" + p.proto;
}

lc::Result<NetworkMode> parseNetworkFlag(const std::string& s) {
    NetworkMode m;
    if (s == "none") m.kind = NetworkMode::None;
    else if (s == "host") m.kind = NetworkMode::Host;
    else if (s == "bridge" || s.empty()) m.network = kDefaultNetwork;
    else if (std::regex_match(s, std::regex("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}"))) m.network = s;
    else return lc::fail(EINVAL, "invalid network name \"" + s + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    return m;
}

std::string ipString(uint32_t addr) {
    in_addr a{htonl(addr)};
    char buf[INET_ADDRSTRLEN];
    return ::inet_ntop(AF_INET, &a, buf, sizeof buf);
}

std::string Subnet::str() const { return ipString(addr) + "/" + std::to_string(prefix); }
std::string Subnet::gateway() const { return ipString(addr + 1); }

lc::Result<Subnet> parseSubnet(const std::string& s) {
    auto bad = [&](const std::string& why) { return lc::fail(EINVAL, "invalid subnet \"" + s + "\": " + why); };
    auto slash = s.find('/');
    if (slash == std::string::npos) return bad("expected an IPv4 CIDR such as 10.89.5.0/24");
    auto a = ipv4(s.substr(0, slash));
    if (!a) return bad("\"" + s.substr(0, slash) + "\" is not an IPv4 address");
    std::string pl = s.substr(slash + 1);
    if (pl.empty() || pl.size() > 2 || pl.find_first_not_of("0123456789") != std::string::npos) return bad("bad prefix length");
    int prefix = std::stoi(pl);
    if (prefix < 8 || prefix > 30) return bad("the prefix length must be 8..30");
    uint32_t mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
    if (*a & ~mask) return bad("host bits are set (the network address is " + ipString(*a & mask) + "/" + pl + ")");
    return Subnet{*a, prefix};
}

bool overlaps(const Subnet& x, const Subnet& y) {
    int p = std::min(x.prefix, y.prefix);
    uint32_t mask = ~0u << (32 - p);
    return (x.addr & mask) == (y.addr & mask);
}

std::vector<std::string> pluginBodies(const NetworkConfig& n) {
    json::Obj ipam;
    ipam.str("type", "host-local")
        .str("subnet", n.subnet.str())
        .str("gateway", n.subnet.gateway())
        .raw("routes", "[{\"dst\":\"0.0.0.0/0\"}]")
        // host-wide per bridge: every root that uses the bridge shares its leases
        .str("dataDir", "/var/lib/cni/networks/runccpp-" + n.bridge);
    auto body = [](const json::Obj& o) {
        std::string s = o.done();
        return s.substr(1, s.size() - 2);
    };
    json::Obj bridge;
    bridge.str("type", "bridge").str("bridge", n.bridge).boolean("isGateway", true).boolean("ipMasq", true)
        .boolean("hairpinMode", true).raw("ipam", ipam.done());
    json::Obj portmap;
    portmap.str("type", "portmap").raw("capabilities", "{\"portMappings\":true}").boolean("snat", true);
    return {body(bridge), body(portmap)};
}

std::string conflistJson(const NetworkConfig& n) {
    std::string plugins = "[";
    for (const auto& b : pluginBodies(n)) plugins += (plugins.size() > 1 ? ",{" : "{") + b + "}";
    plugins += "]";
    return json::Obj().str("cniVersion", kCniVersion).str("name", n.name).raw("plugins", plugins).done() + "\n";
}

std::string pluginConfig(const NetworkConfig& n, const std::string& body, const std::vector<PortMapping>& ports,
                         const std::string& prevResult) {
    std::string s = json::Obj().str("cniVersion", kCniVersion).str("name", n.name).done();
    s.pop_back();
    s += "," + body;
    if (body.find("\"portMappings\":true") != std::string::npos) {
        std::string maps = "[";
        for (const auto& p : ports) {
            if (maps.size() > 1) maps += ",";
            maps += json::Obj().num("hostPort", p.hostPort).num("containerPort", p.containerPort)
                        .str("protocol", p.proto).str("hostIP", p.hostIp).done();
        }
        s += ",\"runtimeConfig\":{\"portMappings\":" + maps + "]}";
    }
    if (!prevResult.empty()) s += ",\"prevResult\":" + prevResult;
    return s + "}";
}

lc::Result<NetworkConfig> parseConflist(const std::string& text) {
    auto d = json::Doc::parse(text);
    if (!d) return std::unexpected(d.error());
    NetworkConfig n;
    n.name = d->str({"name"});
    for (const auto& p : d->objs({"plugins"})) {
        if (p.str({"type"}) != "bridge") continue;
        n.bridge = p.str({"bridge"});
        auto s = parseSubnet(p.str({"ipam", "subnet"}));
        if (!s) return std::unexpected(s.error());
        n.subnet = *s;
    }
    if (n.name.empty() || n.bridge.empty()) return lc::fail(EINVAL, "not a network of the manager (no name or bridge plugin)");
    return n;
}

std::string containerResolvConf(const std::string& host) {
    std::stringstream in(host);
    std::string out;
    bool any = false;
    for (std::string line; std::getline(in, line);) {
        std::stringstream ls(line);
        std::string key, value;
        ls >> key >> value;
        if (key == "nameserver") {
            // loopback resolvers (127.0.0.0/8, ::1) are the host's, not the container's
            if (value.starts_with("127.") || value == "::1") continue;
            any = true;
        }
        out += line + "\n";
    }
    if (!any) out += "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
    return out;
}

std::string containerHosts(const std::string& hostname, const std::string& ip) {
    std::string s = "127.0.0.1\tlocalhost\n"
                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
                    "fe00::0\tip6-localnet\n"
                    "ff00::0\tip6-mcastprefix\n"
                    "ff02::1\tip6-allnodes\n"
                    "ff02::2\tip6-allrouters\n";
    if (!ip.empty() && !hostname.empty()) s += ip + "\t" + hostname + "\n";
    return s;
}

}  // namespace mgr
