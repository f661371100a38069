// The systemd cgroup driver's pure logic: cgroupsPath parsing and unit names, slice expansion,
// the resource -> property mapping, device rules, annotations and the helper's encoding.
#include <catch2/catch.hpp>

#include "cgroups/systemd/bus.h"
#include "cgroups/systemd/props.h"
#include "cgroups/systemd/unit.h"

using namespace lc;
using namespace lc::cgroups::systemd;
namespace dev = lc::cgroups::devices;

namespace {

const Property* find(const Properties& ps, const std::string& name) {
    const Property* found = nullptr;
    for (const auto& p : ps)
        if (p.name == name) found = &p;  // the last one wins, as in systemd
    return found;
}

uint64_t u64(const Properties& ps, const std::string& name) {
    const Property* p = find(ps, name);
    REQUIRE(p);
    REQUIRE(p->value.signature == "t");
    return std::get<uint64_t>(p->value.v);
}

bool noFile(const std::string&) { return false; }
bool anyFile(const std::string&) { return true; }

}  // namespace

TEST_CASE("systemd: cgroupsPath slice:prefix:name as runc reads it", "[cgroups][systemd]") {
    auto u = parseCgroupsPath("system.slice:docker:abc", "id");
    REQUIRE(u);
    CHECK(u->slice == "system.slice");
    CHECK(u->unit == "docker-abc.scope");
    CHECK(!u->isSlice());

    u = parseCgroupsPath("", "c1");
    REQUIRE(u);
    CHECK(u->slice == "system.slice");
    CHECK(u->unit == "runc-cpp-c1.scope");

    u = parseCgroupsPath(":libpod:x", "id");  // empty slice: system.slice
    REQUIRE(u);
    CHECK(u->slice == "system.slice");
    CHECK(u->unit == "libpod-x.scope");

    u = parseCgroupsPath("machine.slice:x:my.slice", "id");  // a slice unit
    REQUIRE(u);
    CHECK(u->unit == "my.slice");
    CHECK(u->isSlice());

    for (const char* bad : {"/plain/path", "a:b", "a:b:c:d"}) {
        auto r = parseCgroupsPath(bad, "id");
        REQUIRE(!r);
        CHECK(r.error().message().find("expected cgroupsPath to be of format \"slice:prefix:name\"") != std::string::npos);
    }
    for (const char* bad : {"system.slice:p:a/b", "system.slice:p:a b", "notaslice:p:n", "a--b.slice:p:n",
                            "../x.slice:p:n"}) {
        auto r = parseCgroupsPath(bad, "id");
        CHECK(!r);
        if (!r) CHECK(r.error().message().find("linux.cgroupsPath") != std::string::npos);
    }
}

TEST_CASE("systemd: slices nest by their dashes", "[cgroups][systemd]") {
    CHECK(*expandSlice("system.slice") == "/system.slice");
    CHECK(*expandSlice("a-b-c.slice") == "/a.slice/a-b.slice/a-b-c.slice");
    CHECK(*expandSlice("-.slice") == "/");
    for (const char* bad : {"a--b.slice", "-a.slice", "a-.slice", ".slice", "a.scope", "a/b.slice"})
        CHECK(!expandSlice(bad));
    auto p = unitCgroupPath("/sys/fs/cgroup/", {"rcpp-a.slice", "x-1.scope"});
    REQUIRE(p);
    CHECK(*p == "/sys/fs/cgroup/rcpp.slice/rcpp-a.slice/x-1.scope");
    CHECK(*unitCgroupPath("/sys/fs/cgroup", {"-.slice", "x.scope"}) == "/sys/fs/cgroup/x.scope");
}

TEST_CASE("systemd: a user's manager - user.slice by default, the unit's cgroup below the manager's", "[cgroups][systemd]") {
    auto u = parseCgroupsPath("", "c1", kUserDefaultSlice);
    REQUIRE(u);
    CHECK(u->slice == "user.slice");
    CHECK(u->unit == "runc-cpp-c1.scope");
    u = parseCgroupsPath("user.slice:libpod:abc", "id", kUserDefaultSlice);  // rootless Podman's
    REQUIRE(u);
    CHECK(u->slice == "user.slice");
    CHECK(u->unit == "libpod-abc.scope");
    u = parseCgroupsPath(":p:x", "id", kUserDefaultSlice);
    REQUIRE(u);
    CHECK(u->slice == "user.slice");
    const std::string mgr = "/user.slice/user-1000.slice/user@1000.service";
    auto p = unitCgroupPath("/sys/fs/cgroup", {"user.slice", "libpod-abc.scope"}, mgr);
    REQUIRE(p);
    CHECK(*p == "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-abc.scope");
    p = unitCgroupPath("/sys/fs/cgroup/", {"app-x.slice", "s.scope"}, mgr + "/");
    REQUIRE(p);
    CHECK(*p == "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/app-x.slice/s.scope");
    CHECK(*unitCgroupPath("/sys/fs/cgroup", {"system.slice", "a.scope"}, "/") == "/sys/fs/cgroup/system.slice/a.scope");
    for (const char* bad : {"relative/x", "/a/../b", "/a/./b", "/.."}) {
        auto r = unitCgroupPath("/sys/fs/cgroup", {"user.slice", "a.scope"}, bad);
        REQUIRE(!r);
        CHECK(r.error().message().find("the systemd manager's cgroup") != std::string::npos);
    }
}

namespace {
bool privateOnly(const std::string& p) { return p == "/run/user/1000/systemd/private"; }
bool busOnly(const std::string& p) { return p == "/run/user/1000/bus"; }
}  // namespace

TEST_CASE("systemd: which endpoint reaches the user's manager", "[cgroups][systemd]") {
    // $DBUS_SESSION_BUS_ADDRESS wins (runc's first choice), as given
    auto e = userEndpoint("unix:path=/x/bus,guid=1", "/run/user/1000", anyFile);
    REQUIRE(e);
    CHECK(e->kind == Endpoint::Kind::Bus);
    CHECK(e->address == "unix:path=/x/bus,guid=1");
    // else the manager's own socket, then the session bus
    e = userEndpoint(nullptr, "/run/user/1000/", anyFile);
    REQUIRE(e);
    CHECK(e->kind == Endpoint::Kind::Direct);
    CHECK(e->address == "unix:path=/run/user/1000/systemd/private");
    e = userEndpoint("", "/run/user/1000", privateOnly);
    REQUIRE(e);
    CHECK(e->kind == Endpoint::Kind::Direct);
    e = userEndpoint(nullptr, "/run/user/1000", busOnly);
    REQUIRE(e);
    CHECK(e->kind == Endpoint::Kind::Bus);
    CHECK(e->address == "unix:path=/run/user/1000/bus");
    CHECK(e->user());
    // a path with characters D-Bus addresses escape
    e = userEndpoint(nullptr, "/tmp/a b,c", anyFile);
    REQUIRE(e);
    CHECK(e->address == "unix:path=/tmp/a%20b%2cc/systemd/private");
    // nothing to reach: errors that say what is missing
    auto r = userEndpoint(nullptr, nullptr, anyFile);
    REQUIRE(!r);
    CHECK(r.error().message().find("neither $DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR is set") != std::string::npos);
    r = userEndpoint(nullptr, "/run/user/1000", noFile);
    REQUIRE(!r);
    CHECK(r.error().message().find("neither /run/user/1000/systemd/private nor /run/user/1000/bus exists") != std::string::npos);
    r = userEndpoint(nullptr, "run/user", anyFile);
    REQUIRE(!r);
    CHECK(r.error().message().find("not an absolute path") != std::string::npos);
    CHECK(!Endpoint{}.user());
}

TEST_CASE("systemd: resources become the properties runc sets", "[cgroups][systemd]") {
    spec::Resources r;
    r.memory.emplace();
    r.memory->limit = 100 << 20;
    r.memory->reservation = 50 << 20;
    r.memory->swap = 200 << 20;
    r.cpu.emplace();
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->cpus = "0-1,9";
    r.pids.emplace();
    r.pids->limit = 100;
    r.blockIO.emplace();
    r.blockIO->weight = 500;
    auto ps = resourceProperties(r, 0);
    REQUIRE(ps);
    CHECK(u64(*ps, "MemoryMax") == 100u << 20);
    CHECK(u64(*ps, "MemoryLow") == 50u << 20);
    CHECK(u64(*ps, "MemorySwapMax") == 100u << 20);  // swap is memory+swap in OCI
    CHECK(u64(*ps, "CPUWeight") == 39);               // 1 + (1022 * 9999) / 262142
    CHECK(u64(*ps, "CPUQuotaPeriodUSec") == 100000);
    CHECK(u64(*ps, "CPUQuotaPerSecUSec") == 500000);
    CHECK(u64(*ps, "TasksMax") == 100);
    CHECK(u64(*ps, "IOWeight") == 1 + (490 * 9999) / 990);
    const Property* cpus = find(*ps, "AllowedCPUs");
    REQUIRE(cpus);
    CHECK(std::get<std::vector<uint8_t>>(cpus->value.v) == std::vector<uint8_t>{0x03, 0x02});

    // Old managers: no period, no AllowedCPUs (cgroupfs gets them).
    ps = resourceProperties(r, 241);
    REQUIRE(ps);
    CHECK(!find(*ps, "CPUQuotaPeriodUSec"));
    CHECK(!find(*ps, "AllowedCPUs"));

    spec::Resources unlimited;
    unlimited.memory.emplace();
    unlimited.memory->limit = -1;
    unlimited.pids.emplace();
    unlimited.pids->limit = -1;
    ps = resourceProperties(unlimited, 0);
    REQUIRE(ps);
    CHECK(u64(*ps, "MemoryMax") == kInfinity);
    CHECK(u64(*ps, "MemorySwapMax") == kInfinity);
    CHECK(u64(*ps, "TasksMax") == kInfinity);

    spec::Resources none;
    none.pids.emplace();  // limit 0: Docker's "unchanged"
    ps = resourceProperties(none, 0);
    REQUIRE(ps);
    CHECK(ps->empty());
}

TEST_CASE("systemd: CPU quota rounds up to whole percents; ranges to little-endian bits", "[cgroups][systemd]") {
    CHECK(cpuQuotaPerSecUSec(50000, 100000) == 500000);
    CHECK(cpuQuotaPerSecUSec(12345, 100000) == 130000);
    CHECK(cpuQuotaPerSecUSec(10000, 0) == 100000);
    CHECK(cpuQuotaPerSecUSec(-1, 100000) == kInfinity);
    CHECK(*rangeToBits("0") == std::vector<uint8_t>{1});
    CHECK(*rangeToBits("8-9, 15") == std::vector<uint8_t>{0, 0x83});
    CHECK(!rangeToBits(""));
    CHECK(!rangeToBits("3-1"));
    CHECK(!rangeToBits("x"));
}

TEST_CASE("systemd: unified keys systemd knows become properties", "[cgroups][systemd]") {
    spec::Resources r;
    r.unified = {{"memory.high", "max"}, {"cpu.max", "20000 50000"}, {"pids.max", "7"}, {"io.max", "8:0 rbps=1"}};
    auto ps = resourceProperties(r, 0);
    REQUIRE(ps);
    CHECK(u64(*ps, "MemoryHigh") == kInfinity);
    CHECK(u64(*ps, "CPUQuotaPerSecUSec") == 400000);
    CHECK(u64(*ps, "CPUQuotaPeriodUSec") == 50000);
    CHECK(u64(*ps, "TasksMax") == 7);
    r.unified = {{"memory.max", "lots"}};
    auto bad = resourceProperties(r, 0);
    REQUIRE(!bad);
    CHECK(bad.error().message().find("memory.max") != std::string::npos);
}

TEST_CASE("systemd: device rules become DevicePolicy and DeviceAllow", "[cgroups][systemd]") {
    const std::string procDevices = "Character devices:\n  1 mem\n136 pts\n\nBlock devices:\n  8 sd\n";
    std::vector<dev::Rule> rules = {
        {'a', dev::kWildcard, dev::kWildcard, dev::kAllAccess, false},
        {'c', dev::kWildcard, dev::kWildcard, dev::kMknod, true},
        {'c', 1, 3, dev::kAllAccess, true},
        {'c', 136, dev::kWildcard, dev::kRead | dev::kWrite, true},
        {'c', dev::kWildcard, 5, dev::kRead, true},  // "*:5": systemd cannot say it
        {'b', 8, 0, dev::kRead, true},
        {'b', 8, 0, dev::kRead, false},  // taken back
    };
    auto ps = deviceProperties(rules, procDevices, anyFile);
    REQUIRE(find(ps, "DevicePolicy"));
    CHECK(std::get<std::string>(find(ps, "DevicePolicy")->value.v) == "strict");
    auto list = std::get<DeviceAllowList>(find(ps, "DeviceAllow")->value.v);
    CHECK(list == DeviceAllowList{{"char-*", "m"}, {"/dev/char/1:3", "rwm"}, {"char-pts", "rw"}});

    // A concrete device whose /dev/char and /sys/dev/char paths do not exist is left out.
    list = std::get<DeviceAllowList>(find(deviceProperties(rules, procDevices, noFile), "DeviceAllow")->value.v);
    CHECK(list == DeviceAllowList{{"char-*", "m"}, {"char-pts", "rw"}});

    std::vector<dev::Rule> all = {{'a', dev::kWildcard, dev::kWildcard, dev::kAllAccess, true}};
    ps = deviceProperties(all, procDevices, anyFile);
    CHECK(std::get<std::string>(find(ps, "DevicePolicy")->value.v) == "auto");
    CHECK(std::get<DeviceAllowList>(find(ps, "DeviceAllow")->value.v).empty());
}

TEST_CASE("systemd: org.systemd.property annotations, GVariant text and Sec -> USec", "[cgroups][systemd]") {
    auto ps = annotationProperties({{"org.systemd.property.TimeoutStopSec", "uint64 123"},
                                    {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
                                    {"org.systemd.property.Delegate", "true"},
                                    {"org.systemd.property.CPUWeight", "@t 42"},
                                    {"org.systemd.property.Environment", "['A=1', \"B=2\"]"},
                                    {"other.annotation", "ignored"}});
    REQUIRE(ps);
    REQUIRE(ps->size() == 5);
    CHECK(u64(*ps, "TimeoutStopUSec") == 123000000);
    CHECK(std::get<std::string>(find(*ps, "CollectMode")->value.v) == "inactive-or-failed");
    CHECK(std::get<bool>(find(*ps, "Delegate")->value.v));
    CHECK(u64(*ps, "CPUWeight") == 42);
    CHECK(std::get<std::vector<std::string>>(find(*ps, "Environment")->value.v) ==
          std::vector<std::string>{"A=1", "B=2"});

    auto v = parseGVariantText("17");
    REQUIRE(v);
    CHECK(v->signature == "i");
    CHECK(parseGVariantText("1.5")->signature == "d");
    CHECK(!parseGVariantText("int32 99999999999"));
    CHECK(!parseGVariantText("'open"));

    for (const auto& [k, why] : std::vector<std::pair<std::string, std::string>>{
             {"org.systemd.property.Ab", "too short"}, {"org.systemd.property.Bad1", "non-alphabetic"}}) {
        auto r = annotationProperties({{k, "true"}});
        REQUIRE(!r);
        CHECK(r.error().message().find(k) != std::string::npos);
        CHECK(r.error().message().find(why) != std::string::npos);
    }
    auto r = annotationProperties({{"org.systemd.property.TimeoutStopSec", "'soon'"}});
    REQUIRE(!r);
    CHECK(r.error().message().find("value parse error") != std::string::npos);
}

TEST_CASE("systemd: properties encode for the helper, control characters refused", "[cgroups][systemd]") {
    Properties ps = {boolProp("Delegate", true), u64Prop("MemoryMax", 5), strProp("Slice", "system.slice"),
                     {"PIDs", {"au", std::vector<uint32_t>{7, 8}}},
                     {"AllowedCPUs", {"ay", std::vector<uint8_t>{0x03, 0xa0}}},
                     {"DeviceAllow", {"a(ss)", DeviceAllowList{{"char-pts", "rw"}, {"/dev/null", "rwm"}}}}};
    auto enc = encodeProperties(ps);
    REQUIRE(enc);
    CHECK(*enc == std::vector<std::string>{"Delegate", "b", "1", "MemoryMax", "t", "5", "Slice", "s", "system.slice",
                                           "PIDs", "au", "7\x1f" "8", "AllowedCPUs", "ay", "03a0", "DeviceAllow",
                                           "a(ss)", "char-pts\x1erw\x1f/dev/null\x1erwm"});
    CHECK(!encodeProperties({strProp("Description", "a\x1f" "b")}));
}
