#include <sys/mount.h>
#include <sys/stat.h>

#include <tuple>

#include <catch2/catch.hpp>

#include "rootfs/plan.h"
#include "rootfs_test_util.h"

using namespace lc;
using namespace lc::rootfs;

namespace {

constexpr unsigned long kDefaults = MS_NOSUID | MS_NODEV | MS_NOEXEC;

HostInfo hybridHost() {
    HostInfo h;
    h.resolved = true;
    h.cgroupV1 = {{"/sys/fs/cgroup/cpu,cpuacct", {"cpu", "cpuacct"}},
                  {"/sys/fs/cgroup/memory", {"memory"}},
                  {"/sys/fs/cgroup/pids", {"pids"}},
                  {"/sys/fs/cgroup/systemd", {"name=systemd"}}};
    h.cgroupUnified = "/sys/fs/cgroup/unified";
    h.hasKcore = true;
    return h;
}

std::map<std::string, std::string> hybridPaths() {
    return {{"cpu", "/sys/fs/cgroup/cpu,cpuacct/ctr"},
            {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct/ctr"},
            {"memory", "/sys/fs/cgroup/memory/ctr"},
            {"systemd", "/sys/fs/cgroup/systemd/ctr"},  // keyed without "name="
            {"", "/sys/fs/cgroup/unified/ctr"}};       // pids: none
}

// One line per step, for whole-plan comparisons.
std::vector<std::string> describe(const MountPlan& p) {
    std::vector<std::string> out;
    for (const auto& s : p.steps) {
        std::string line;
        switch (s.kind) {
            case StepKind::Mount: line = "mount " + s.fstype + " " + s.source; break;
            case StepKind::Bind: line = "bind " + s.source; break;
            case StepKind::Remount: line = "remount"; break;
            case StepKind::Symlink: line = "symlink " + s.source; break;
        }
        line += " -> " + s.destination;
        if (!s.data.empty()) line += " [" + s.data + "]";
        if (!s.fallbackBind.empty()) line += " fallback " + s.fallbackBind;
        out.push_back(line);
    }
    return out;
}

Config configFor(const spec::Spec& sp) {
    Config c;
    c.spec = &sp;
    c.rootfs = "/var/lib/x/rootfs";
    c.bundle = "/var/lib/x";
    return c;
}

}  // namespace

TEST_CASE("plan for a docker-like spec on a hybrid cgroup host", "[rootfs]") {
    spec::Spec sp = test::dockerLikeSpec("/host");
    Config cfg = configFor(sp);
    cfg.cgroupPaths = hybridPaths();
    auto plan = planMounts(cfg, hybridHost());
    REQUIRE(plan);
    CHECK(plan->rootPropagation == (MS_SLAVE | MS_REC));
    CHECK(describe(*plan) == std::vector<std::string>{
                                 "mount proc proc -> /proc",
                                 "mount tmpfs tmpfs -> /dev [mode=755,size=65536k]",
                                 "mount devpts devpts -> /dev/pts [newinstance,ptmxmode=0666,mode=0620,gid=5]",
                                 "mount sysfs sysfs -> /sys",
                                 "mount tmpfs tmpfs -> /sys/fs/cgroup [mode=755]",
                                 "bind /sys/fs/cgroup/cpu,cpuacct/ctr -> /sys/fs/cgroup/cpu,cpuacct",
                                 "bind /sys/fs/cgroup/memory/ctr -> /sys/fs/cgroup/memory",
                                 "bind /sys/fs/cgroup/systemd/ctr -> /sys/fs/cgroup/systemd",
                                 "bind /sys/fs/cgroup/unified/ctr -> /sys/fs/cgroup/unified",
                                 "symlink cpu,cpuacct -> /sys/fs/cgroup/cpu",
                                 "symlink cpu,cpuacct -> /sys/fs/cgroup/cpuacct",
                                 "remount -> /sys/fs/cgroup",
                                 "mount mqueue mqueue -> /dev/mqueue",
                                 "mount tmpfs shm -> /dev/shm [mode=1777,size=67108864]",
                                 "bind /host/resolv.conf -> /etc/resolv.conf",
                                 "bind /host/hostname -> /etc/hostname",
                                 "bind /host/hosts -> /etc/hosts",
                             });
    const auto& s = plan->steps;
    CHECK(s[0].flags == kDefaults);
    CHECK(s[1].flags == (MS_NOSUID | MS_STRICTATIME));
    CHECK(s[3].flags == (kDefaults | MS_RDONLY));
    CHECK(s[4].flags == kDefaults);
    CHECK(s[5].flags == (MS_BIND | MS_REC | MS_RDONLY | kDefaults));
    CHECK(s[11].flags == (kDefaults | MS_RDONLY));
    CHECK(s[14].flags == (MS_BIND | MS_REC));
    CHECK(s[14].propagation == std::vector<unsigned long>{MS_PRIVATE | MS_REC});
    CHECK(s[3].fallbackBind.empty());  // not in a user namespace

    CHECK(plan->setupDev);
    CHECK(plan->ptmx);
    REQUIRE(plan->devices.size() == 6);
    CHECK(plan->devices[0].path == "/dev/null");
    CHECK(plan->devices[0].type == S_IFCHR);
    CHECK(plan->devices[0].mode == 0666);
    CHECK(plan->devices[0].major == 1);
    CHECK(plan->devices[0].minor == 3);
    CHECK(plan->devices[3].path == "/dev/tty");
    CHECK(plan->devSymlinks.back() == std::pair<std::string, std::string>{"/proc/kcore", "/dev/core"});
}

TEST_CASE("cgroup mount on a cgroup v2 host", "[rootfs]") {
    spec::Spec sp;
    sp.mounts = {test::mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"})};
    Config cfg = configFor(sp);
    cfg.cgroupV2Only = true;
    cfg.cgroupPaths = {{"", "/sys/fs/cgroup/system.slice/ctr.scope"}};
    auto plan = planMounts(cfg, HostInfo{.resolved = true});
    REQUIRE(plan);
    CHECK(describe(*plan) == std::vector<std::string>{
                                 "mount cgroup2 cgroup -> /sys/fs/cgroup fallback /sys/fs/cgroup"});
    CHECK(plan->steps[0].flags == (kDefaults | MS_RDONLY));

    cfg.newCgroupNs = true;
    plan = planMounts(cfg, HostInfo{.resolved = true});
    REQUIRE(plan);
    CHECK(plan->steps[0].fallbackBind == "/sys/fs/cgroup/system.slice/ctr.scope");
}

TEST_CASE("cgroup v1 with a cgroup namespace mounts the hierarchies", "[rootfs]") {
    spec::Spec sp;
    sp.mounts = {test::mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev"})};
    Config cfg = configFor(sp);
    cfg.newCgroupNs = true;
    auto plan = planMounts(cfg, hybridHost());
    REQUIRE(plan);
    CHECK(describe(*plan) == std::vector<std::string>{
                                 "mount tmpfs tmpfs -> /sys/fs/cgroup [mode=755]",
                                 "mount cgroup cgroup -> /sys/fs/cgroup/cpu,cpuacct [cpu,cpuacct]",
                                 "mount cgroup cgroup -> /sys/fs/cgroup/memory [memory]",
                                 "mount cgroup cgroup -> /sys/fs/cgroup/pids [pids]",
                                 "mount cgroup systemd -> /sys/fs/cgroup/systemd [name=systemd]",
                                 "mount cgroup2 cgroup2 -> /sys/fs/cgroup/unified",
                                 "symlink cpu,cpuacct -> /sys/fs/cgroup/cpu",
                                 "symlink cpu,cpuacct -> /sys/fs/cgroup/cpuacct",
                             });
}

TEST_CASE("bind sources are resolved against the bundle", "[rootfs]") {
    spec::Spec sp;
    sp.mounts = {test::mnt("/data", "none", "data/dir", {"bind", "ro"}),
                 test::mnt("/abs", "bind", "/srv/../srv/x", {})};
    Config cfg = configFor(sp);
    auto plan = planMounts(cfg, HostInfo{.resolved = true});
    REQUIRE(plan);
    REQUIRE(plan->steps.size() == 2);
    CHECK(plan->steps[0].kind == StepKind::Bind);
    CHECK(plan->steps[0].source == "/var/lib/x/data/dir");
    CHECK(plan->steps[0].flags == (MS_BIND | MS_RDONLY));
    CHECK(plan->steps[1].kind == StepKind::Bind);  // type "bind" alone means bind
    CHECK(plan->steps[1].source == "/srv/x");
    CHECK(plan->steps[1].flags == MS_BIND);
}

TEST_CASE("a bind-mounted /dev disables device setup", "[rootfs]") {
    spec::Spec sp;
    sp.mounts = {test::mnt("/dev", "bind", "/dev", {"rbind"}),
                 test::mnt("/dev/pts", "devpts", "devpts", {})};
    auto plan = planMounts(configFor(sp), HostInfo{.resolved = true});
    REQUIRE(plan);
    CHECK_FALSE(plan->setupDev);
    CHECK_FALSE(plan->ptmx);
    CHECK(plan->devices.empty());
}

TEST_CASE("spec devices", "[rootfs]") {
    spec::Spec sp;
    spec::Linux lx;
    spec::Device fuse{.type = "c", .path = "/dev/fuse", .major = 10, .minor = 229, .fileMode = 0600,
                      .uid = 1000, .gid = 1001};
    spec::Device null{.type = "u", .path = "/dev/null", .major = 1, .minor = 3, .fileMode = 020640};
    spec::Device fifo{.type = "p", .path = "/dev/pipes/p0"};
    spec::Device disk{.type = "b", .path = "/dev/vda", .major = 254, .minor = 0};
    lx.devices = {fuse, null, fifo, disk};
    sp.linux = lx;
    auto plan = planMounts(configFor(sp), HostInfo{.resolved = true});
    REQUIRE(plan);
    std::vector<std::string> paths;
    for (const auto& d : plan->devices) paths.push_back(d.path);
    // /dev/null is the spec's; defaults keep their order.
    CHECK(paths == std::vector<std::string>{"/dev/random", "/dev/full", "/dev/tty", "/dev/zero",
                                            "/dev/urandom", "/dev/fuse", "/dev/null",
                                            "/dev/pipes/p0", "/dev/vda"});
    const auto& f = plan->devices[5];
    CHECK(f.type == S_IFCHR);
    CHECK(f.mode == 0600);
    CHECK(f.uid == 1000);
    CHECK(f.gid == 1001);
    CHECK(plan->devices[6].mode == 0640);  // type bits in fileMode dropped
    CHECK(plan->devices[6].type == S_IFCHR);
    CHECK(plan->devices[7].type == S_IFIFO);
    CHECK(plan->devices[7].mode == 0666);
    CHECK(plan->devices[8].type == S_IFBLK);
    CHECK_FALSE(plan->ptmx);  // no /dev/pts mount
    CHECK(plan->devSymlinks.size() == 4);  // no /proc/kcore on this "host"
}

TEST_CASE("invalid devices are refused", "[rootfs]") {
    spec::Spec sp;
    spec::Linux lx;
    SECTION("outside /dev") {
        lx.devices = {spec::Device{.type = "c", .path = "/etc/evil", .major = 1, .minor = 3}};
        sp.linux = lx;
        auto plan = planMounts(configFor(sp), HostInfo{.resolved = true});
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message().find("not under /dev") != std::string::npos);
    }
    SECTION("climbing out of /dev") {
        lx.devices = {spec::Device{.type = "c", .path = "/dev/../etc/evil", .major = 1, .minor = 3}};
        sp.linux = lx;
        CHECK_FALSE(planMounts(configFor(sp), HostInfo{.resolved = true}));
    }
    SECTION("unknown type") {
        lx.devices = {spec::Device{.type = "x", .path = "/dev/x"}};
        sp.linux = lx;
        auto plan = planMounts(configFor(sp), HostInfo{.resolved = true});
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() == "invalid device type \"x\" for device /dev/x");
    }
}

TEST_CASE("idmapped binds are marked with their mount index; only binds may be idmapped", "[rootfs]") {
    spec::Spec sp;
    sp.mounts = {test::mnt("/tmp", "tmpfs", "tmpfs", {}),
                 test::mnt("/data", "bind", "/srv/data", {"rbind", "idmap"}),
                 test::mnt("/rdata", "none", "/srv/r", {"rbind", "ridmap"}),
                 test::mnt("/plain", "bind", "/srv/p", {"bind"}),
                 test::mnt("/own", "bind", "/srv/o", {"bind"})};
    sp.mounts[4].uidMappings = {spec::IdMapping{0, 1000, 1}};
    sp.mounts[4].gidMappings = {spec::IdMapping{0, 1000, 1}};
    auto plan = planMounts(configFor(sp), HostInfo{.resolved = true});
    REQUIRE(plan);
    std::vector<std::tuple<std::string, long, bool>> got;
    for (const auto& s : plan->steps)
        if (s.kind == StepKind::Bind) got.emplace_back(s.destination, s.idmapMount, s.idmapRecursive);
    CHECK(got == std::vector<std::tuple<std::string, long, bool>>{
                     {"/data", 1, false}, {"/rdata", 2, true}, {"/plain", -1, false}, {"/own", 4, false}});

    sp.mounts = {test::mnt("/t", "tmpfs", "tmpfs", {"idmap"})};
    auto bad = planMounts(configFor(sp), HostInfo{.resolved = true});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().errnum() == EINVAL);
    CHECK(bad.error().message() == "mount tmpfs to /t: idmapped mounts must be bind mounts");
}

TEST_CASE("sysfs in a user namespace falls back to binding /sys", "[rootfs]") {
    spec::Spec sp;
    sp.mounts = {test::mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"})};
    Config cfg = configFor(sp);
    cfg.inUserNs = true;
    auto plan = planMounts(cfg, HostInfo{.resolved = true});
    REQUIRE(plan);
    CHECK(plan->steps[0].fallbackBind == "/sys");
}

TEST_CASE("rootfsPropagation drives the propagation of /", "[rootfs]") {
    spec::Spec sp;
    sp.linux = spec::Linux{};
    sp.linux->rootfsPropagation = "rshared";
    auto plan = planMounts(configFor(sp), HostInfo{.resolved = true});
    REQUIRE(plan);
    CHECK(plan->rootPropagation == (MS_SHARED | MS_REC));
    auto fin = planFinal(configFor(sp));
    REQUIRE(fin);
    CHECK(fin->rootPropagation == (MS_SHARED | MS_REC));

    sp.linux->rootfsPropagation = "private";
    fin = planFinal(configFor(sp));
    REQUIRE(fin);
    CHECK(fin->rootPropagation == 0);  // private and slave need nothing after the switch

    sp.linux->rootfsPropagation = "bogus";
    CHECK_FALSE(planMounts(configFor(sp), HostInfo{.resolved = true}));
}

TEST_CASE("final plan: masked, readonly, /dev ro, readonly root", "[rootfs]") {
    spec::Spec sp = test::dockerLikeSpec("/host");
    sp.root->readonly = true;
    sp.mounts[1].options.push_back("ro");  // /dev
    sp.linux->maskedPaths.push_back("/proc/../proc/x/");
    auto fin = planFinal(configFor(sp));
    REQUIRE(fin);
    CHECK(fin->maskedPaths.size() == 11);
    CHECK(fin->maskedPaths.back() == "/proc/x");
    CHECK(fin->readonlyPaths == std::vector<std::string>{"/proc/bus", "/proc/fs", "/proc/irq",
                                                         "/proc/sys", "/proc/sysrq-trigger"});
    CHECK(fin->devReadonly);
    CHECK(fin->devFlags == (MS_NOSUID | MS_STRICTATIME));
    CHECK(fin->readonlyRoot);
}
