// Networks on disk, and a container's attachment: its namespace, CNI ADD/DEL, /etc files.
#include "network.h"

#include "base/file.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <filesystem>
#include <regex>

#include "cni.h"
#include "json.h"

namespace mgr {
namespace {

std::string conflistPath(const Store& store, const std::string& name) {
    return store.root() + "/networks/" + name + ".conflist";
}
std::string netnsDir(const Store& store) { return store.root() + "/netns"; }
std::string netnsPath(const Store& store, const std::string& id) { return netnsDir(store) + "/" + id; }
std::string attachPath(const Store& store, const std::string& id) { return store.dir(id) + "/network.json"; }
std::string resultPath(const Store& store, const std::string& id) { return store.dir(id) + "/cni-result.json"; }
std::string etcDir(const Store& store, const std::string& id) { return store.dir(id) + "/etc"; }

lc::Result<void> mkdirPrivate(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST) return lc::errnoError("mkdir " + path);
    return {};
}

// Written with its final mode from the start (0600 for state, 0644 for the /etc files a
// container user reads; they sit in the 0700 container dir).
lc::Result<void> writeNew(const std::string& path, const std::string& text, mode_t mode) {
    LC_TRY(lc::util::writeFileAtomic(path, text, mode));
    // exactly `mode`, whatever the umask: a container user reads the /etc files (the file sits
    // in the 0700 container dir, so nobody sees it before this)
    if (::chmod(path.c_str(), mode) < 0) return lc::errnoError("chmod " + path);
    return {};
}

// A new network namespace, kept by a bind mount of its nsfs file at `path` (created here).
lc::Result<void> makeNetns(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return lc::errnoError("create " + path);
    ::close(fd);
    pid_t pid = ::fork();
    if (pid < 0) {
        ::unlink(path.c_str());
        return lc::errnoError("fork");
    }
    if (pid == 0) {
        if (::unshare(CLONE_NEWNET) < 0) ::_exit(1);
        if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) < 0) ::_exit(2);
        ::_exit(0);
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        ::unlink(path.c_str());
        return lc::fail(EPERM, std::string("cannot make a network namespace at ") + path + ": " +
                                   (WIFEXITED(st) && WEXITSTATUS(st) == 1 ? "unshare failed" : "bind mount failed"));
    }
    return {};
}

void removeNetns(const std::string& path) {
    ::umount2(path.c_str(), MNT_DETACH);
    ::unlink(path.c_str());
}

std::string loopbackConfig() {
    return json::Obj().str("cniVersion", kCniVersion).str("name", "lo").str("type", "loopback").done();
}

std::string typeOf(const std::string& body) {
    auto d = json::Doc::parse("{" + body + "}");
    return d ? d->str({"type"}) : std::string();
}

// DEL in reverse order, as the spec asks; errors do not stop the rest.
void cniDelChain(const NetworkConfig& n, const std::string& id, const std::string& netns,
                 const std::vector<PortMapping>& ports, const std::string& prevResult) {
    auto bodies = pluginBodies(n);
    for (auto it = bodies.rbegin(); it != bodies.rend(); ++it) {
        cni::Invocation inv{"DEL", id, netns, "eth0", pluginConfig(n, *it, ports, prevResult)};
        if (auto r = cni::exec(typeOf(*it), inv); !r) std::fprintf(stderr, "warning: %s\n", r.error().message().c_str());
    }
}

bool portsClash(const PortMapping& a, const PortMapping& b) {
    return a.hostPort == b.hostPort && a.proto == b.proto && (a.hostIp.empty() || b.hostIp.empty() || a.hostIp == b.hostIp);
}

// A host process that holds the port (the DNAT rules would hide it from the container's users).
lc::Result<void> hostPortFree(const PortMapping& p) {
    int fd = ::socket(AF_INET, (p.proto == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return lc::errnoError("socket");
    lc::UniqueFd s(fd);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // TIME_WAIT is no owner
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(p.hostPort));
    if (!p.hostIp.empty()) ::inet_pton(AF_INET, p.hostIp.c_str(), &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return {};
    if (errno == EADDRINUSE)
        return lc::fail(EADDRINUSE, "Bind for " + (p.hostIp.empty() ? "0.0.0.0" : p.hostIp) + ":" +
                                        std::to_string(p.hostPort) + " failed: port is already in use by a host process");
    if (errno == EADDRNOTAVAIL) return lc::fail(EADDRNOTAVAIL, "host IP " + p.hostIp + " is not an address of this host");
    return {};
}

void deleteBridge(const std::string& name) {
    if (name.size() >= IFNAMSIZ || ::if_nametoindex(name.c_str()) == 0) return;
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    lc::UniqueFd s(fd);
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.c_str(), name.size());
    if (::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags & ~IFF_UP);
        ::ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    char br[IFNAMSIZ] = {};
    std::memcpy(br, name.c_str(), name.size());
    ::ioctl(fd, SIOCBRDELBR, br);
}

std::string attachmentJson(const Attachment& a) {
    std::string ports = "[";
    for (const auto& p : a.ports) {
        if (ports.size() > 1) ports += ",";
        ports += json::Obj().str("hostIp", p.hostIp).num("hostPort", p.hostPort).num("containerPort", p.containerPort)
                     .str("proto", p.proto).done();
    }
    ports += "]";
    const char* mode = a.mode.kind == NetworkMode::Host ? "host" : a.mode.kind == NetworkMode::None ? "none" : "bridge";
    return json::Obj().str("mode", mode).str("network", a.mode.network).str("netns", a.netns).str("ip", a.ip)
               .num("prefixLen", a.prefixLen).str("gateway", a.gateway).str("mac", a.mac).raw("ports", ports).done() + "\n";
}

}  // namespace

// ---- networks ----

lc::Result<void> Networks::ensureDefault() const {
    // init() on an existing root would tighten a --root the caller owns once it has .lock
    if (::access(store_.root().c_str(), F_OK) != 0) {
        LC_TRY(store_.init());
    }
    LC_TRY(mkdirPrivate(dir()));
    std::string path = conflistPath(store_, kDefaultNetwork);
    if (::access(path.c_str(), F_OK) == 0) return {};
    NetworkConfig n{kDefaultNetwork, kDefaultBridge, *parseSubnet(kDefaultSubnet)};
    return writeNew(path, conflistJson(n), 0600);
}

lc::Result<std::vector<NetworkConfig>> Networks::list() const {
    LC_TRY(ensureDefault());
    std::vector<NetworkConfig> out;
    DIR* d = ::opendir(dir().c_str());
    if (!d) return lc::errnoError("open " + dir());
    while (dirent* e = ::readdir(d)) {
        std::string f = e->d_name;
        if (!f.ends_with(".conflist")) continue;
        auto n = get(f.substr(0, f.size() - 9));
        if (n) out.push_back(*n);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
    return out;
}

lc::Result<NetworkConfig> Networks::get(const std::string& name) const {
    if (name == kDefaultNetwork) {
        LC_TRY(ensureDefault());
    }
    if (!std::regex_match(name, std::regex("[a-zA-Z0-9][a-zA-Z0-9_.-]*"))) return lc::fail(ENOENT, "network " + name + " not found");
    std::string text = readFile(conflistPath(store_, name));
    if (text.empty()) return lc::fail(ENOENT, "network " + name + " not found");
    auto n = parseConflist(text);
    if (!n) return std::unexpected(n.error().wrap(conflistPath(store_, name)));
    return n;
}

lc::Result<NetworkConfig> Networks::create(const std::string& name, const std::string& subnet) const {
    auto mode = parseNetworkFlag(name);
    if (!mode) return std::unexpected(mode.error());
    if (name == "none" || name == "host" || name == kDefaultNetwork)
        return lc::fail(EEXIST, "network with name " + name + " already exists");
    auto all = list();
    if (!all) return std::unexpected(all.error());
    std::optional<Subnet> want;
    if (!subnet.empty()) {
        auto s = parseSubnet(subnet);
        if (!s) return std::unexpected(s.error());
        want = *s;
    }
    auto lock = store_.lock();
    if (!lock) return std::unexpected(lock.error());
    if (::access(conflistPath(store_, name).c_str(), F_OK) == 0)
        return lc::fail(EEXIST, "network with name " + name + " already exists");
    for (const auto& o : *all)
        if (want && overlaps(*want, o.subnet))
            return lc::fail(EEXIST, "subnet " + want->str() + " overlaps with network " + o.name + " (" + o.subnet.str() + ")");
    // rccppN: not one of ours, not a host link; its default subnet 10.89.N.0/24 free too
    for (int i = 1; i < 255; ++i) {
        std::string br = "rccpp" + std::to_string(i);
        Subnet def{(10u << 24) | (89u << 16) | (static_cast<uint32_t>(i) << 8), 24};
        bool used = ::if_nametoindex(br.c_str()) != 0;
        for (const auto& o : *all) used = used || o.bridge == br || (!want && overlaps(def, o.subnet));
        if (used) continue;
        NetworkConfig n{name, br, want ? *want : def};
        LC_TRY(writeNew(conflistPath(store_, name), conflistJson(n), 0600));
        return n;
    }
    return lc::fail(ENOSPC, "no free bridge name rccpp1..rccpp254");
}

std::vector<std::string> Networks::users(const std::string& name) const {
    std::vector<std::string> ids;
    auto all = store_.list();
    if (!all) return ids;
    for (const auto& m : *all)
        if (auto a = readAttachment(store_, m.id); a && a->mode.kind == NetworkMode::Bridge && a->mode.network == name)
            ids.push_back(m.id);
    return ids;
}

lc::Result<void> Networks::remove(const std::string& name) const {
    if (name == kDefaultNetwork || name == "none" || name == "host")
        return lc::fail(EPERM, name + " is a pre-defined network and cannot be removed");
    auto n = get(name);
    if (!n) return std::unexpected(n.error());
    auto lock = store_.lock();
    if (!lock) return std::unexpected(lock.error());
    if (auto u = users(name); !u.empty())
        return lc::fail(EBUSY, "network " + name + " is in use by container " + u.front().substr(0, 12));
    if (::unlink(conflistPath(store_, name).c_str()) < 0) return lc::errnoError("remove " + conflistPath(store_, name));
    deleteBridge(n->bridge);
    std::error_code ec;
    std::filesystem::remove_all("/var/lib/cni/networks/runccpp-" + n->bridge, ec);
    return {};
}

// ---- a container's attachment ----

std::optional<Attachment> readAttachment(const Store& store, const std::string& id) {
    std::string text = readFile(attachPath(store, id));
    if (text.empty()) return std::nullopt;
    auto d = json::Doc::parse(text);
    if (!d) return std::nullopt;
    Attachment a;
    std::string mode = d->str({"mode"});
    a.mode.kind = mode == "host" ? NetworkMode::Host : mode == "none" ? NetworkMode::None : NetworkMode::Bridge;
    a.mode.network = d->str({"network"});
    a.netns = d->str({"netns"});
    a.ip = d->str({"ip"});
    a.prefixLen = static_cast<int>(d->num({"prefixLen"}));
    a.gateway = d->str({"gateway"});
    a.mac = d->str({"mac"});
    for (const auto& p : d->objs({"ports"}))
        a.ports.push_back({p.str({"hostIp"}), static_cast<int>(p.num({"hostPort"})), static_cast<int>(p.num({"containerPort"})),
                           p.str({"proto"}, "tcp")});
    a.cniResult = readFile(resultPath(store, id));
    return a;
}

lc::Result<Attachment> attachNetwork(const Store& store, const std::string& id, const std::string& hostname,
                                     const NetworkMode& mode, const std::vector<PortMapping>& ports) {
    Attachment a;
    a.mode = mode;
    a.ports = ports;
    if (mode.kind != NetworkMode::Bridge && !ports.empty())
        return lc::fail(EINVAL, std::string("published ports need a bridge network, not --network ") +
                                    (mode.kind == NetworkMode::Host ? "host" : "none"));
    std::optional<NetworkConfig> net;
    if (mode.kind == NetworkMode::Bridge) {
        auto n = Networks(store).get(mode.network);
        if (!n) return std::unexpected(n.error());
        net = *n;
    }
    for (size_t i = 0; i < ports.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (portsClash(ports[i], ports[j]))
                return lc::fail(EADDRINUSE, "Bind for " + portString(ports[i]).substr(0, portString(ports[i]).find("->")) +
                                                " failed: port is already allocated (published twice)");
    // The check and the rules are made under the root's lock: two runs cannot both get a port.
    auto lock = store.lock();
    if (!lock) return std::unexpected(lock.error());
    if (!ports.empty()) {
        auto all = store.list();
        if (!all) return std::unexpected(all.error());
        for (const auto& m : *all) {
            if (m.id == id) continue;
            auto o = readAttachment(store, m.id);
            if (!o) continue;
            for (const auto& p : ports)
                for (const auto& q : o->ports)
                    if (portsClash(p, q))
                        return lc::fail(EADDRINUSE, "Bind for " + (p.hostIp.empty() ? "0.0.0.0" : p.hostIp) + ":" +
                                                        std::to_string(p.hostPort) + " failed: port is already allocated (by container " +
                                                        m.name + ")");
        }
        for (const auto& p : ports) LC_TRY(hostPortFree(p));
    }

    std::string etc = etcDir(store, id);
    LC_TRY(mkdirPrivate(etc));
    if (mode.kind == NetworkMode::Host) {
        // the host's own files, as docker gives a container on the host's network
        std::string hosts = readFile("/etc/hosts");
        LC_TRY(writeNew(etc + "/resolv.conf", readFile("/etc/resolv.conf"), 0644));
        LC_TRY(writeNew(etc + "/hosts", hosts.empty() ? containerHosts("", "") : hosts, 0644));
        LC_TRY(writeNew(etc + "/hostname", hostname + "\n", 0644));
        LC_TRY(writeNew(attachPath(store, id), attachmentJson(a), 0600));
        return a;
    }

    LC_TRY(mkdirPrivate(netnsDir(store)));
    a.netns = netnsPath(store, id);
    LC_TRY(makeNetns(a.netns));
    // From here on a failure undoes what was done: DEL (every plugin, idempotent) and the netns.
    bool ok = false;
    std::string result;
    struct Undo {
        std::function<void()> f;
        ~Undo() { f(); }
    } undo{[&] {
        if (ok) return;
        if (net) cniDelChain(*net, id, a.netns, ports, result);
        (void)cni::exec("loopback", {"DEL", id, a.netns, "lo", loopbackConfig()});
        removeNetns(a.netns);
        ::unlink(resultPath(store, id).c_str());
        ::unlink(attachPath(store, id).c_str());
    }};
    auto lo = cni::exec("loopback", {"ADD", id, a.netns, "lo", loopbackConfig()});
    if (!lo) return std::unexpected(lo.error());
    if (net) {
        for (const auto& body : pluginBodies(*net)) {
            auto r = cni::exec(typeOf(body), {"ADD", id, a.netns, "eth0", pluginConfig(*net, body, ports, result)});
            if (!r) return std::unexpected(r.error());
            result = *r;
        }
        auto d = json::Doc::parse(result);
        if (!d) return std::unexpected(d.error().wrap("the CNI result"));
        auto ips = d->objs({"ips"});
        if (ips.empty()) return lc::fail(EIO, "the CNI result has no IP address");
        std::string addr = ips[0].str({"address"});
        auto slash = addr.find('/');
        a.ip = addr.substr(0, slash);
        a.prefixLen = slash == std::string::npos ? 32 : std::atoi(addr.c_str() + slash + 1);
        a.gateway = ips[0].str({"gateway"});
        for (const auto& i : d->objs({"interfaces"}))
            if (!i.str({"sandbox"}).empty()) a.mac = i.str({"mac"});
        a.cniResult = result;
        LC_TRY(writeNew(resultPath(store, id), result, 0600));
    }
    std::string host = readFile("/etc/resolv.conf");
    // systemd-resolved's stub (127.0.0.53) is unreachable: its upstream list is what it uses
    if (host.find("nameserver 127.0.0.53") != std::string::npos) {
        if (std::string up = readFile("/run/systemd/resolve/resolv.conf"); !up.empty()) host = up;
    }
    LC_TRY(writeNew(etc + "/resolv.conf", containerResolvConf(host), 0644));
    LC_TRY(writeNew(etc + "/hosts", containerHosts(hostname, a.ip), 0644));
    LC_TRY(writeNew(etc + "/hostname", hostname + "\n", 0644));
    LC_TRY(writeNew(attachPath(store, id), attachmentJson(a), 0600));
    ok = true;
    return a;
}

void applyNetwork(const Store& store, const std::string& id, const Attachment& a, spec::Spec& sp) {
    if (!sp.linux) sp.linux.emplace();
    auto& nss = sp.linux->namespaces;
    auto it = std::find_if(nss.begin(), nss.end(), [](const auto& n) { return n.type == "network"; });
    if (a.mode.kind == NetworkMode::Host) {
        if (it != nss.end()) nss.erase(it);
    } else {
        if (it == nss.end()) nss.push_back({"network", a.netns});
        else it->path = a.netns;
        // as docker: unprivileged ICMP echo sockets (ping) for every group
        sp.linux->sysctl.try_emplace("net.ipv4.ping_group_range", "0 2147483647");
    }
    for (const char* f : {"hosts", "hostname", "resolv.conf"}) {
        spec::Mount m;
        m.destination = std::string("/etc/") + f;
        m.type = "bind";
        m.source = etcDir(store, id) + "/" + f;
        m.options = {"rbind", "rprivate"};
        sp.mounts.push_back(m);
    }
}

void detachNetwork(const Store& store, const std::string& id) {
    auto a = readAttachment(store, id);
    std::string ns = netnsPath(store, id);
    if (a && a->mode.kind == NetworkMode::Bridge) {
        if (auto n = Networks(store).get(a->mode.network))
            cniDelChain(*n, id, ns, a->ports, a->cniResult);
    }
    if (::access(ns.c_str(), F_OK) == 0) {
        (void)cni::exec("loopback", {"DEL", id, ns, "lo", loopbackConfig()});
        removeNetns(ns);
    }
    ::unlink(resultPath(store, id).c_str());
    ::unlink(attachPath(store, id).c_str());
}

// ---- inspect, ps ----

std::string networkSettingsJson(const Store& store, const std::string& id) {
    auto a = readAttachment(store, id);
    std::string ports = "{";
    std::string nets = "{";
    json::Obj o;
    if (a) {
        for (const auto& p : a->ports) {
            if (ports.size() > 1) ports += ",";
            ports += json::quote(std::to_string(p.containerPort) + "/" + p.proto) + ":[" +
                     json::Obj().str("HostIp", p.hostIp.empty() ? "0.0.0.0" : p.hostIp).str("HostPort", std::to_string(p.hostPort)).done() + "]";
        }
        std::string name = a->mode.kind == NetworkMode::Host ? "host" : a->mode.kind == NetworkMode::None ? "none" : a->mode.network;
        nets += json::quote(name) + ":" +
                json::Obj().str("IPAddress", a->ip).num("IPPrefixLen", a->prefixLen).str("Gateway", a->gateway).str("MacAddress", a->mac).done();
        o.str("SandboxKey", a->netns);
    } else {
        o.str("SandboxKey", "");
    }
    return o.raw("Ports", ports + "}")
        .str("IPAddress", a ? a->ip : "")
        .num("IPPrefixLen", a ? a->prefixLen : 0)
        .str("Gateway", a ? a->gateway : "")
        .str("MacAddress", a ? a->mac : "")
        .raw("Networks", nets + "}")
        .done();
}

std::string portsColumn(const Store& store, const std::string& id) {
    auto a = readAttachment(store, id);
    std::string s;
    if (a)
        for (const auto& p : a->ports) s += (s.empty() ? "" : ", ") + portString(p);
    return s;
}

}  // namespace mgr
