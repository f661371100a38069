// Networking's pure parts: -p, --network, subnets, the CNI configs, /etc/resolv.conf, /etc/hosts.
#include <catch2/catch.hpp>

#include "../json.h"
#include "../network.h"

using namespace mgr;

TEST_CASE("-p HOST:CONTAINER[/proto] and IP:HOST:CONTAINER") {
    auto p = parsePortFlag("8080:80");
    REQUIRE(p);
    CHECK(p->hostIp.empty());
    CHECK(p->hostPort == 8080);
    CHECK(p->containerPort == 80);
    CHECK(p->proto == "tcp");
    CHECK(portString(*p) == "0.0.0.0:8080->80/tcp");
    p = parsePortFlag("127.0.0.1:5353:53/udp");
    REQUIRE(p);
    CHECK(p->hostIp == "127.0.0.1");
    CHECK(p->proto == "udp");
    CHECK(portString(*p) == "127.0.0.1:5353->53/udp");
    p = parsePortFlag("0.0.0.0:1:65535");
    REQUIRE(p);
    CHECK(p->hostIp.empty());
    CHECK(p->containerPort == 65535);
}

TEST_CASE("-p refuses what is not a port mapping") {
    for (const char* bad : {"abc", "80", "0:80", "80:0", "65536:80", "80:65536", "8080:abc", ":80", "80:", "8080:80/sctp",
                            "1.2.3:8080:80", "a:b:c:d", "-1:80", "99999999999:80", "8080-8090:80", ""}) {
        INFO(bad);
        auto p = parsePortFlag(bad);
        REQUIRE_FALSE(p);
        CHECK(p.error().message().find(std::string("\"") + bad + "\"") != std::string::npos);
    }
    CHECK(parsePortFlag("0:80").error().message().find("host port \"0\"") != std::string::npos);
    CHECK(parsePortFlag("80:70000").error().message().find("container port \"70000\"") != std::string::npos);
}

TEST_CASE("--network") {
    CHECK(parseNetworkFlag("bridge")->kind == NetworkMode::Bridge);
    CHECK(parseNetworkFlag("bridge")->network == "bridge");
    CHECK(parseNetworkFlag("none")->kind == NetworkMode::None);
    CHECK(parseNetworkFlag("host")->kind == NetworkMode::Host);
    CHECK(parseNetworkFlag("my-net_1.x")->network == "my-net_1.x");
    CHECK_FALSE(parseNetworkFlag("../etc"));
    CHECK_FALSE(parseNetworkFlag("-x"));
    CHECK_FALSE(parseNetworkFlag("a/b"));
}

TEST_CASE("subnets") {
    auto s = parseSubnet("10.89.0.0/24");
    REQUIRE(s);
    CHECK(s->str() == "10.89.0.0/24");
    CHECK(s->gateway() == "10.89.0.1");
    CHECK(parseSubnet("192.168.128.0/17")->gateway() == "192.168.128.1");
    for (const char* bad : {"10.89.0.1/24", "10.89.0.0", "10.89.0.0/", "10.89.0.0/31", "10.0.0.0/7", "10.89.0.0/x",
                            "10.89.0/24", "fd00::/64", "10.89.0.0/024"}) {
        INFO(bad);
        CHECK_FALSE(parseSubnet(bad));
    }
    CHECK(parseSubnet("10.89.0.1/24").error().message().find("10.89.0.0/24") != std::string::npos);
    CHECK(overlaps(*parseSubnet("10.89.0.0/16"), *parseSubnet("10.89.5.0/24")));
    CHECK_FALSE(overlaps(*parseSubnet("10.89.0.0/24"), *parseSubnet("10.89.1.0/24")));
}

TEST_CASE("the conflist and each plugin's config") {
    NetworkConfig n{"bridge", "rccpp0", *parseSubnet("10.89.0.0/24")};
    std::string text = conflistJson(n);
    auto d = json::Doc::parse(text);
    REQUIRE(d);
    CHECK(d->str({"cniVersion"}) == "1.0.0");
    CHECK(d->str({"name"}) == "bridge");
    auto plugins = d->objs({"plugins"});
    REQUIRE(plugins.size() == 2);
    CHECK(plugins[0].str({"type"}) == "bridge");
    CHECK(plugins[0].str({"bridge"}) == "rccpp0");
    CHECK(plugins[0].boolean({"isGateway"}));
    CHECK(plugins[0].str({"ipam", "type"}) == "host-local");
    CHECK(plugins[0].str({"ipam", "subnet"}) == "10.89.0.0/24");
    CHECK(plugins[0].str({"ipam", "gateway"}) == "10.89.0.1");
    CHECK(plugins[0].str({"ipam", "dataDir"}) == "/var/lib/cni/networks/runccpp-rccpp0");
    CHECK(plugins[1].str({"type"}) == "portmap");
    CHECK(plugins[1].boolean({"capabilities", "portMappings"}));
    auto back = parseConflist(text);
    REQUIRE(back);
    CHECK(back->name == "bridge");
    CHECK(back->bridge == "rccpp0");
    CHECK(back->subnet.str() == "10.89.0.0/24");
    CHECK_FALSE(parseConflist("{\"name\":\"x\",\"plugins\":[{\"type\":\"ptp\"}]}"));

    auto bodies = pluginBodies(n);
    // the bridge gets no runtimeConfig; portmap gets the mappings and the previous result
    auto b = json::Doc::parse(pluginConfig(n, bodies[0], {*parsePortFlag("8080:80")}, ""));
    REQUIRE(b);
    CHECK(b->str({"name"}) == "bridge");
    CHECK(b->str({"cniVersion"}) == "1.0.0");
    CHECK_FALSE(b->has({"runtimeConfig"}));
    CHECK_FALSE(b->has({"prevResult"}));
    auto pm = json::Doc::parse(pluginConfig(n, bodies[1], {*parsePortFlag("127.0.0.1:8080:80/udp")},
                                            "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.89.0.2/24\"}]}"));
    REQUIRE(pm);
    auto maps = pm->objs({"runtimeConfig", "portMappings"});
    REQUIRE(maps.size() == 1);
    CHECK(maps[0].num({"hostPort"}) == 8080);
    CHECK(maps[0].num({"containerPort"}) == 80);
    CHECK(maps[0].str({"protocol"}) == "udp");
    CHECK(maps[0].str({"hostIP"}) == "127.0.0.1");
    CHECK(pm->objs({"prevResult", "ips"})[0].str({"address"}) == "10.89.0.2/24");
}

TEST_CASE("resolv.conf drops loopback nameservers, hosts names the container") {
    CHECK(containerResolvConf("search example.org\nnameserver 127.0.0.53\nnameserver 192.0.2.1\noptions edns0\n") ==
          "search example.org\nnameserver 192.0.2.1\noptions edns0\n");
    CHECK(containerResolvConf("nameserver 127.0.0.1\nnameserver ::1\n") == "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    CHECK(containerResolvConf("") == "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    std::string h = containerHosts("abc123", "10.89.0.7");
    CHECK(h.starts_with("127.0.0.1\tlocalhost\n"));
    CHECK(h.ends_with("10.89.0.7\tabc123\n"));
    CHECK(containerHosts("abc", "").find("abc") == std::string::npos);
}
