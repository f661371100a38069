#include <unistd.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "rootfs/host.h"
#include "sys/syscalls.h"
#include "rootfs_test_util.h"

using namespace lc::rootfs;

namespace {

// A hybrid host (systemd with legacy hierarchies + unified), the rootfs on a shared /var.
constexpr const char* kHybrid =
    "22 27 0:21 / /proc rw,relatime shared:5 - proc proc rw\n"
    "23 27 0:22 / /sys rw,relatime shared:6 - sysfs sysfs rw\n"
    "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "28 27 254:1 / /var rw,relatime shared:2 - ext4 /dev/vdb rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime shared:7 - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:8 - cgroup cgroup rw,cpu,cpuacct\n"
    "33 31 0:30 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
    "34 31 0:31 / /sys/fs/cgroup/systemd rw,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd\n"
    "35 31 0:32 / /sys/fs/cgroup/unified rw,relatime shared:11 - cgroup2 cgroup2 rw,nsdelegate\n"
    "36 28 0:33 / /var/lib/x/ctr/rootfs rw - overlay overlay rw,lowerdir=/a,upperdir=/b\n"
    "37 28 0:21 / /var/lib/x/ctr/rootfs/proc rw - proc proc rw\n"
    "38 27 0:40 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"
    "39 31 0:30 /docker /var/lib/other/memory rw - cgroup cgroup rw,memory\n";

}  // namespace

TEST_CASE("mountinfo lines are parsed", "[rootfs]") {
    auto m = parseMountInfo(kHybrid);
    REQUIRE(m.size() == 13);
    CHECK(m[0].id == 22);
    CHECK(m[0].parent == 27);
    CHECK(m[0].mountpoint == "/proc");
    CHECK(m[0].fstype == "proc");
    CHECK(m[0].optional == "shared:5");
    CHECK(m[5].superOptions == "rw,cpu,cpuacct");
    CHECK(m[11].mountpoint == "/mnt/with space");
    CHECK(m[12].root == "/docker");
    CHECK(parseMountInfo("garbage\n\n1 2 3\n").empty());
}

TEST_CASE("host info: cgroup hierarchies, parent mount, pseudo filesystems", "[rootfs]") {
    auto h = hostInfoFrom(parseMountInfo(kHybrid), "/var/lib/x/ctr/rootfs");
    CHECK(h.resolved);
    REQUIRE(h.cgroupV1.size() == 3);  // the second memory mount is the same hierarchy
    CHECK(h.cgroupV1[0].mountpoint == "/sys/fs/cgroup/cpu,cpuacct");
    CHECK(h.cgroupV1[0].subsystems == std::vector<std::string>{"cpu", "cpuacct"});
    CHECK(h.cgroupV1[1].mountpoint == "/sys/fs/cgroup/memory");
    CHECK(h.cgroupV1[2].subsystems == std::vector<std::string>{"name=systemd"});
    CHECK(h.cgroupUnified == "/sys/fs/cgroup/unified");
    // The rootfs is itself a mount point: that mount is its "parent".
    CHECK(h.rootfsParentMount == "/var/lib/x/ctr/rootfs");
    CHECK_FALSE(h.rootfsParentShared);
    // /proc and /sys of the host; not the proc inside the rootfs.
    CHECK(h.pseudoMounts == std::vector<std::string>{"/proc", "/sys"});

    auto plain = hostInfoFrom(parseMountInfo(kHybrid), "/var/lib/y/rootfs");
    CHECK(plain.rootfsParentMount == "/var");
    CHECK(plain.rootfsParentShared);
}

TEST_CASE("host info on a cgroup v2 host", "[rootfs]") {
    auto h = hostInfoFrom(parseMountInfo("1 0 0:1 / / rw shared:1 - ext4 /dev/sda rw\n"
                                         "2 1 0:2 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"),
                          "/srv/rootfs");
    CHECK(h.cgroupV1.empty());
    CHECK(h.cgroupUnified.empty());
    CHECK(h.rootfsParentMount == "/");
    CHECK(h.rootfsParentShared);
}

TEST_CASE("resolve canonicalises the rootfs and reads this host's mount table", "[rootfs]") {
    lc::test::TempDir t;
    lc::test::mkdirs(t / "real/rootfs");
    ::symlink((t / "real").c_str(), (t / "link").c_str());
    Config cfg;
    cfg.rootfs = t / "link/rootfs/";
    cfg.sys = &lc::sys::real();
    auto r = resolve(cfg);
    REQUIRE(r);
    CHECK(cfg.rootfs == t / "real/rootfs");
    CHECK(cfg.host.resolved);
    CHECK_FALSE(cfg.host.rootfsParentMount.empty());
    CHECK(std::find(cfg.host.pseudoMounts.begin(), cfg.host.pseudoMounts.end(), "/proc") !=
          cfg.host.pseudoMounts.end());

    Config missing;
    missing.rootfs = t / "nope";
    missing.sys = &lc::sys::real();
    auto bad = resolve(missing);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().errnum() == ENOENT);
}
