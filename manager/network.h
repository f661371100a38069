// Container networking through CNI (issue 17 part 2). Under the root:
//   networks/<name>.conflist  a network: a CNI conflist the manager writes (bridge with
//                             host-local IPAM, then portmap); the file is the record
//   netns/<id>                the container's network namespace (an nsfs bind mount)
//   <id>/network.json         the container's attachment: mode, network, ports, CNI result
//   <id>/hosts, resolv.conf, hostname   bind-mounted over the container's /etc files
// A container's network lives from `run` to `rm` (not to its exit): the namespace, the IP
// lease and the port mappings are kept while the container exists, so a restarted container
// finds them unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"
#include "store.h"

namespace mgr {

// -p [[IP:]HOST:]CONTAINER[/tcp|udp] (a container port alone is not published here: there
// is no random host port).
struct PortMapping {
    std::string hostIp;  // empty: every address
    int hostPort = 0;
    int containerPort = 0;
    std::string proto = "tcp";
};
lc::Result<PortMapping> parsePortFlag(const std::string& s);
// docker's form: 0.0.0.0:8080->80/tcp
std::string portString(const PortMapping& p);

// --network bridge|none|host|NAME
struct NetworkMode {
    enum Kind { Bridge, None, Host } kind = Bridge;
    std::string network;  // the network of Bridge ("bridge" is the default one)
};
lc::Result<NetworkMode> parseNetworkFlag(const std::string& s);

// An IPv4 subnet: "10.89.0.0/24". The address must be the network's (no host bits), the
// prefix 8..30 (room for a gateway and at least one container).
struct Subnet {
    uint32_t addr = 0;  // host byte order
    int prefix = 0;
    [[nodiscard]] std::string str() const;
    [[nodiscard]] std::string gateway() const;  // the first address
};
lc::Result<Subnet> parseSubnet(const std::string& s);
std::string ipString(uint32_t addr);
bool overlaps(const Subnet& x, const Subnet& y);

struct NetworkConfig {
    std::string name, bridge;
    Subnet subnet;
};
inline constexpr const char* kDefaultNetwork = "bridge";
inline constexpr const char* kDefaultBridge = "rccpp0";
inline constexpr const char* kDefaultSubnet = "10.89.0.0/24";
inline constexpr const char* kCniVersion = "1.0.0";

// The plugins of a network, each as the members of its JSON object (no braces), in order.
std::vector<std::string> pluginBodies(const NetworkConfig& n);
// The whole conflist file.
std::string conflistJson(const NetworkConfig& n);
// One plugin's stdin: cniVersion, name, the body, runtimeConfig (port mappings, for a
// plugin with the portMappings capability) and prevResult (JSON, may be empty).
std::string pluginConfig(const NetworkConfig& n, const std::string& body, const std::vector<PortMapping>& ports,
                         const std::string& prevResult);
lc::Result<NetworkConfig> parseConflist(const std::string& text);

// /etc/resolv.conf for a container with its own network namespace: the host's, without
// nameservers on loopback (unreachable from the container); when none remain, docker's
// defaults (8.8.8.8, 8.8.4.4).
std::string containerResolvConf(const std::string& host);
std::string containerHosts(const std::string& hostname, const std::string& ip);

class Networks {
public:
    explicit Networks(const Store& store) : store_(store) {}
    [[nodiscard]] std::string dir() const { return store_.root() + "/networks"; }
    // Every network, the default one included (written on first use), sorted by name.
    lc::Result<std::vector<NetworkConfig>> list() const;
    lc::Result<NetworkConfig> get(const std::string& name) const;
    // subnet empty: 10.89.N.0/24 with the bridge rccppN, N the first free index.
    lc::Result<NetworkConfig> create(const std::string& name, const std::string& subnet) const;
    // Refused while a container names it; the default network cannot be removed.
    lc::Result<void> remove(const std::string& name) const;
    // Ids of the containers attached to `name`.
    [[nodiscard]] std::vector<std::string> users(const std::string& name) const;

private:
    lc::Result<void> ensureDefault() const;
    const Store& store_;
};

// What `run` asks for and what a container got.
struct Attachment {
    NetworkMode mode;
    std::vector<PortMapping> ports;
    std::string netns;               // empty for host
    std::string ip, gateway, mac;    // ip without the prefix
    int prefixLen = 0;
    std::string cniResult;           // the chain's last result, for DEL's prevResult
};

// Sets up the container's network before it is created: the namespace, CNI ADD (loopback,
// then the network's plugins), /etc files in <id>/. Anything partly done is undone on failure.
// Refuses a host port another container of this root publishes, or one a host process holds.
lc::Result<Attachment> attachNetwork(const Store& store, const std::string& id, const std::string& hostname,
                                     const NetworkMode& mode, const std::vector<PortMapping>& ports);
// Points the spec at the attachment: network namespace path (none for host), the /etc files
// bind-mounted, and docker's ping_group_range sysctl for a namespace of its own.
void applyNetwork(const Store& store, const std::string& id, const Attachment& a, spec::Spec& sp);
// CNI DEL, the namespace unmounted and removed, network.json removed. Idempotent; every
// teardown path calls it (rm, --rm, a failed run).
void detachNetwork(const Store& store, const std::string& id);
std::optional<Attachment> readAttachment(const Store& store, const std::string& id);

// For inspect: docker's NetworkSettings object; for ps: the PORTS column.
std::string networkSettingsJson(const Store& store, const std::string& id);
std::string portsColumn(const Store& store, const std::string& id);

}  // namespace mgr
