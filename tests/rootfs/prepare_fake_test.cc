// prepare/switchRoot/finalize against the recording fake: the exact privileged calls.
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fake_syscalls.h"
#include "rootfs/idmap.h"
#include "rootfs/rootfs.h"
#include "rootfs_test_util.h"

using namespace lc;
using namespace lc::rootfs;
using lc::test::FakeSyscalls;
using lc::test::TempDir;

namespace {

// A temp tree: <t>/rootfs and <t>/host (bind sources, fake cgroup hierarchies).
struct Fixture {
    TempDir t;
    std::string rootfs = t / "rootfs";
    std::string host = t / "host";
    FakeSyscalls fake{rootfs};
    spec::Spec sp;
    Config cfg;

    Fixture() {
        test::mkdirs(rootfs);
        test::mkdirs(host);
        cfg.rootfs = rootfs;
        cfg.bundle = t.path();
        cfg.sys = &fake;
        cfg.host.resolved = true;
        cfg.host.rootfsParentMount = "/";
        cfg.host.rootfsParentShared = true;
        cfg.spec = &sp;
    }
};

std::string readLink(const std::string& p) {
    char buf[4096];
    ssize_t n = ::readlink(p.c_str(), buf, sizeof buf);
    return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

}  // namespace

TEST_CASE("prepare: the mount sequence of a docker-like spec", "[rootfs]") {
    Fixture f;
    const std::string& H = f.host;
    for (auto name : {"resolv.conf", "hostname", "hosts"}) test::writeFile(H + "/" + name, "x\n");
    for (auto h : {"cpu,cpuacct", "memory", "systemd", "unified"}) test::mkdirs(H + "/cg/" + h + "/ctr");
    f.sp = test::dockerLikeSpec(H);
    f.cfg.host.cgroupV1 = {{H + "/cg/cpu,cpuacct", {"cpu", "cpuacct"}},
                           {H + "/cg/memory", {"memory"}},
                           {H + "/cg/systemd", {"name=systemd"}}};
    f.cfg.host.cgroupUnified = H + "/cg/unified";
    f.cfg.host.hasKcore = true;
    f.cfg.cgroupPaths = {{"cpu", H + "/cg/cpu,cpuacct/ctr"},
                         {"cpuacct", H + "/cg/cpu,cpuacct/ctr"},
                         {"memory", H + "/cg/memory/ctr"},
                         {"name=systemd", H + "/cg/systemd/ctr"},
                         {"", H + "/cg/unified/ctr"}};

    auto r = prepare(f.cfg);
    INFO((r ? std::string("ok") : r.error().message()));
    REQUIRE(r);

    const std::string ro = "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND";
    std::vector<std::string> want = {
        "mount \"\" / - MS_REC|MS_SLAVE -",
        "mount $ROOTFS $ROOTFS bind MS_BIND|MS_REC -",
        "mount proc $ROOTFS/proc proc MS_NOSUID|MS_NODEV|MS_NOEXEC -",
        "mount tmpfs $ROOTFS/dev tmpfs MS_NOSUID|MS_STRICTATIME mode=755,size=65536k",
        "mount devpts $ROOTFS/dev/pts devpts MS_NOSUID|MS_NOEXEC newinstance,ptmxmode=0666,mode=0620,gid=5",
        "mount sysfs $ROOTFS/sys sysfs MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC -",
        "mount tmpfs $ROOTFS/sys/fs/cgroup tmpfs MS_NOSUID|MS_NODEV|MS_NOEXEC mode=755",
        "mount " + H + "/cg/cpu,cpuacct/ctr $ROOTFS/sys/fs/cgroup/cpu,cpuacct - MS_BIND|MS_REC -",
        "mount \"\" $ROOTFS/sys/fs/cgroup/cpu,cpuacct - " + ro + " -",
        "mount " + H + "/cg/memory/ctr $ROOTFS/sys/fs/cgroup/memory - MS_BIND|MS_REC -",
        "mount \"\" $ROOTFS/sys/fs/cgroup/memory - " + ro + " -",
        "mount " + H + "/cg/systemd/ctr $ROOTFS/sys/fs/cgroup/systemd - MS_BIND|MS_REC -",
        "mount \"\" $ROOTFS/sys/fs/cgroup/systemd - " + ro + " -",
        "mount " + H + "/cg/unified/ctr $ROOTFS/sys/fs/cgroup/unified - MS_BIND|MS_REC -",
        "mount \"\" $ROOTFS/sys/fs/cgroup/unified - " + ro + " -",
        "mount \"\" $ROOTFS/sys/fs/cgroup - " + ro + " -",
        "mount mqueue $ROOTFS/dev/mqueue mqueue MS_NOSUID|MS_NODEV|MS_NOEXEC -",
        "mount shm $ROOTFS/dev/shm tmpfs MS_NOSUID|MS_NODEV|MS_NOEXEC mode=1777,size=67108864",
        "mount " + H + "/resolv.conf $ROOTFS/etc/resolv.conf - MS_BIND|MS_REC -",
        "mount \"\" $ROOTFS/etc/resolv.conf - MS_REC|MS_PRIVATE -",
        "mount " + H + "/hostname $ROOTFS/etc/hostname - MS_BIND|MS_REC -",
        "mount \"\" $ROOTFS/etc/hostname - MS_REC|MS_PRIVATE -",
        "mount " + H + "/hosts $ROOTFS/etc/hosts - MS_BIND|MS_REC -",
        "mount \"\" $ROOTFS/etc/hosts - MS_REC|MS_PRIVATE -",
    };
    CHECK(f.fake.mountLog() == want);

    // Devices: umask 0, mknod + chown each, umask restored.
    std::vector<std::string> rest(f.fake.log.begin() + static_cast<long>(want.size()), f.fake.log.end());
    CHECK(rest == std::vector<std::string>{
                      "umask 0000",
                      "mknod $ROOTFS/dev/null c 1:3 0666", "chown $ROOTFS/dev/null 0:0",
                      "mknod $ROOTFS/dev/random c 1:8 0666", "chown $ROOTFS/dev/random 0:0",
                      "mknod $ROOTFS/dev/full c 1:7 0666", "chown $ROOTFS/dev/full 0:0",
                      "mknod $ROOTFS/dev/tty c 5:0 0666", "chown $ROOTFS/dev/tty 0:0",
                      "mknod $ROOTFS/dev/zero c 1:5 0666", "chown $ROOTFS/dev/zero 0:0",
                      "mknod $ROOTFS/dev/urandom c 1:9 0666", "chown $ROOTFS/dev/urandom 0:0",
                      "umask 0022",
                  });

    // What the fake let really happen in the tree.
    CHECK(readLink(f.rootfs + "/dev/ptmx") == "pts/ptmx");
    CHECK(readLink(f.rootfs + "/dev/fd") == "/proc/self/fd");
    CHECK(readLink(f.rootfs + "/dev/stdin") == "/proc/self/fd/0");
    CHECK(readLink(f.rootfs + "/dev/stdout") == "/proc/self/fd/1");
    CHECK(readLink(f.rootfs + "/dev/stderr") == "/proc/self/fd/2");
    CHECK(readLink(f.rootfs + "/dev/core") == "/proc/kcore");
    CHECK(readLink(f.rootfs + "/sys/fs/cgroup/cpu") == "cpu,cpuacct");
    CHECK(readLink(f.rootfs + "/sys/fs/cgroup/cpuacct") == "cpu,cpuacct");
    struct stat st {};
    REQUIRE(::stat((f.rootfs + "/etc/resolv.conf").c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));  // a file target for a file source
}

TEST_CASE("prepare: a shared parent mount is made private", "[rootfs]") {
    Fixture f;
    f.sp.linux = spec::Linux{};
    f.sp.linux->rootfsPropagation = "shared";
    f.cfg.host.rootfsParentMount = "/var";
    f.cfg.host.rootfsParentShared = true;
    REQUIRE(prepare(f.cfg));
    auto log = f.fake.mountLog();
    REQUIRE(log.size() >= 3);
    CHECK(log[0] == "mount \"\" / - MS_SHARED -");
    CHECK(log[1] == "mount \"\" /var - MS_PRIVATE -");
    CHECK(log[2] == "mount $ROOTFS $ROOTFS bind MS_BIND|MS_REC -");
}

TEST_CASE("prepare: a symlinked /proc or /sys is refused", "[rootfs]") {
    for (std::string name : {"proc", "sys"}) {
        Fixture f;
        ::symlink("/tmp", (f.rootfs + "/" + name).c_str());
        std::string type = name == "proc" ? "proc" : "sysfs";
        f.sp.mounts = {test::mnt("/" + name, type, type, {})};
        auto r = prepare(f.cfg);
        REQUIRE_FALSE(r);
        CHECK(r.error().message() == "mount " + type + " to /" + name + " (rootfs " + f.rootfs +
                                         "): mount destination /" + name + " is a symlink");
        CHECK(f.fake.mountLog().size() == 2);  // only / and the rootfs bind
    }
    // Even for a bind mount onto it.
    Fixture g;
    ::symlink("/tmp", (g.rootfs + "/proc").c_str());
    g.sp.mounts = {test::mnt("/proc", "bind", "/proc", {"rbind"})};
    auto r = prepare(g.cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("mount destination /proc is a symlink") != std::string::npos);
}

TEST_CASE("prepare: errors name the mount and the rootfs", "[rootfs]") {
    Fixture f;
    f.sp.mounts = {test::mnt("/proc", "proc", "proc", {})};
    f.fake.onMount = [](const test::MountCall& c) { return c.fstype == "proc" ? EPERM : 0; };
    auto r = prepare(f.cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum() == EPERM);
    CHECK(r.error().message() == "mount proc to /proc (rootfs " + f.rootfs + "): operation not permitted");
}

TEST_CASE("prepare: a symlinked destination stays inside the rootfs", "[rootfs]") {
    Fixture f;
    const std::string outside = f.host + "/outside";
    test::mkdirs(outside);
    test::writeFile(f.host + "/file", "data\n");
    ::symlink(outside.c_str(), (f.rootfs + "/evil").c_str());
    ::symlink("../../../../../../..", (f.rootfs + "/up").c_str());
    f.sp.mounts = {test::mnt("/evil", "tmpfs", "tmpfs", {}),
                   test::mnt("/up/evil2/file", "bind", f.host + "/file", {"bind"})};
    REQUIRE(prepare(f.cfg));
    auto log = f.fake.mountLog();
    REQUIRE(log.size() == 4);
    CHECK(log[2] == "mount tmpfs $ROOTFS" + outside + " tmpfs 0 -");
    CHECK(log[3] == "mount " + f.host + "/file $ROOTFS/evil2/file - MS_BIND -");
    CHECK(test::exists(f.rootfs + outside));
    CHECK_FALSE(test::exists(f.rootfs + "/../evil2"));
    CHECK(test::exists(f.rootfs + "/evil2/file"));
}

TEST_CASE("prepare: nothing is mounted over or inside /proc but procfs", "[rootfs]") {
    Fixture f;
    test::writeFile(f.host + "/file", "x\n");
    test::mkdirs(f.rootfs + "/proc/self");
    SECTION("inside /proc") {
        f.sp.mounts = {test::mnt("/proc/self/attr", "bind", f.host + "/file", {"bind"})};
        auto r = prepare(f.cfg);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("/proc/self/attr cannot be mounted because it is inside /proc") !=
              std::string::npos);
    }
    SECTION("through a symlink into /proc") {
        ::symlink("/proc/self", (f.rootfs + "/sneaky").c_str());
        f.sp.mounts = {test::mnt("/sneaky/attr", "bind", f.host + "/file", {"bind"})};
        auto r = prepare(f.cfg);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("inside /proc") != std::string::npos);
    }
    SECTION("over /proc") {
        f.sp.mounts = {test::mnt("/proc", "tmpfs", "tmpfs", {})};
        auto r = prepare(f.cfg);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("/proc cannot be mounted because it is not of type proc") !=
              std::string::npos);
    }
    SECTION("lxcfs-style files are allowed") {
        f.sp.mounts = {test::mnt("/proc/cpuinfo", "bind", f.host + "/file", {"bind"}),
                       test::mnt("/proc/meminfo", "bind", f.host + "/file", {"bind"})};
        CHECK(prepare(f.cfg));
    }
}

TEST_CASE("prepare: proc must land on a proc filesystem", "[rootfs]") {
    Fixture f;
    f.sp.mounts = {test::mnt("/proc", "proc", "proc", {})};
    f.fake.trackFilesystems = false;  // mount() "succeeds", /proc stays a plain directory
    auto r = prepare(f.cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "mount proc to /proc (rootfs " + f.rootfs +
                                     "): mount destination /proc is not on a proc filesystem");
}

TEST_CASE("prepare: bind remount keeps locked flags on EPERM", "[rootfs]") {
    Fixture f;
    test::mkdirs(f.host + "/src");
    f.fake.statfsFlags["$ROOTFS/data"] = ST_NOSUID | ST_NODEV;
    // Like a user namespace: a remount that would clear nosuid is refused.
    f.fake.onMount = [](const test::MountCall& c) {
        return (c.flags & MS_REMOUNT) && !(c.flags & MS_NOSUID) ? EPERM : 0;
    };
    SECTION("retried with the locked flags") {
        f.sp.mounts = {test::mnt("/data", "bind", f.host + "/src", {"rbind", "ro"})};
        REQUIRE(prepare(f.cfg));
        auto log = f.fake.mountLog();
        REQUIRE(log.size() == 5);
        CHECK(log[2] == "mount " + f.host + "/src $ROOTFS/data - MS_BIND|MS_REC -");
        CHECK(log[3] == "mount \"\" $ROOTFS/data - MS_RDONLY|MS_REMOUNT|MS_BIND -");
        CHECK(log[4] == "mount \"\" $ROOTFS/data - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND -");
    }
    SECTION("an explicit request to clear a locked flag is an error") {
        f.sp.mounts = {test::mnt("/data", "bind", f.host + "/src", {"rbind", "ro", "suid"})};
        auto r = prepare(f.cfg);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("remount: cannot clear locked mount flags MS_NOSUID") !=
              std::string::npos);
    }
}

TEST_CASE("prepare: in a user namespace, sysfs falls back and devices are bound", "[rootfs]") {
    Fixture f;
    f.cfg.inUserNs = true;
    f.sp.mounts = {test::mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"})};
    f.sp.linux = spec::Linux{};
    f.sp.linux->devices = {spec::Device{.type = "p", .path = "/dev/fifo0", .fileMode = 0600}};
    f.fake.onMount = [](const test::MountCall& c) { return c.fstype == "sysfs" ? EPERM : 0; };
    auto r = prepare(f.cfg);
    INFO((r ? std::string("ok") : r.error().message()));
    REQUIRE(r);
    auto log = f.fake.log;
    auto at = std::find(log.begin(), log.end(), "mount sysfs $ROOTFS/sys sysfs MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC -");
    REQUIRE(at != log.end());
    std::vector<std::string> next(at + 1, at + 4);
    CHECK(next == std::vector<std::string>{
                      "mount /sys $ROOTFS/sys - MS_BIND|MS_REC -",
                      "mount \"\" $ROOTFS/sys - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND -",
                      "mount_setattr $ROOTFS/sys set=0x1 clr=0 recursive",
                  });
    CHECK(std::count(log.begin(), log.end(), "mount /dev/null $ROOTFS/dev/null - MS_BIND -") == 1);
    CHECK(std::count(log.begin(), log.end(), "mount /dev/tty $ROOTFS/dev/tty - MS_BIND -") == 1);
    // A fifo needs no privilege: mknod even in a user namespace.
    CHECK(std::count(log.begin(), log.end(), "mknod $ROOTFS/dev/fifo0 p 0:0 0600") == 1);
}

TEST_CASE("prepare: tmpfs keeps the covered directory's mode, ro is applied after", "[rootfs]") {
    Fixture f;
    test::mkdirs(f.rootfs + "/tmp", 01777);
    f.sp.mounts = {test::mnt("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev", "ro"}),
                   test::mnt("/run", "tmpfs", "tmpfs", {"mode=700"})};
    REQUIRE(prepare(f.cfg));
    std::vector<std::string> want = {
        "mount \"\" / - MS_REC|MS_SLAVE -",
        "mount $ROOTFS $ROOTFS bind MS_BIND|MS_REC -",
        "mount tmpfs $ROOTFS/tmp tmpfs MS_NOSUID|MS_NODEV -",
        "chmod $ROOTFS/tmp 1777",
        "mount \"\" $ROOTFS/tmp - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND -",
        "mount tmpfs $ROOTFS/run tmpfs 0 mode=700",
    };
    std::vector<std::string> got(f.fake.log.begin(), f.fake.log.begin() + 6);
    CHECK(got == want);
}

TEST_CASE("prepare: recursive attributes and propagation on binds", "[rootfs]") {
    Fixture f;
    test::mkdirs(f.host + "/src");
    f.sp.mounts = {test::mnt("/data", "bind", f.host + "/src", {"rbind", "rro", "rslave"})};
    REQUIRE(prepare(f.cfg));
    std::vector<std::string> got(f.fake.log.begin() + 2, f.fake.log.begin() + 5);
    CHECK(got == std::vector<std::string>{
                     "mount " + f.host + "/src $ROOTFS/data - MS_BIND|MS_REC -",
                     "mount \"\" $ROOTFS/data - MS_REC|MS_SLAVE -",
                     "mount_setattr $ROOTFS/data set=0x1 clr=0 recursive",
                 });
}

TEST_CASE("prepare: an idmapped bind is the parent's detached mount, moved onto the resolved target", "[rootfs]") {
    Fixture f;
    test::mkdirs(f.host + "/src");
    test::mkdirs(f.rootfs + "/real");
    REQUIRE(::symlink("/real", (f.rootfs + "/data").c_str()) == 0);  // resolved inside the rootfs
    f.sp.mounts = {test::mnt("/data", "bind", f.host + "/src", {"rbind", "ro", "ridmap"})};

    SECTION("moved, then remounted with the mount's flags") {
        auto detached = std::make_shared<DetachedMounts>();
        detached->add(0, UniqueFd(::open(f.host.c_str(), O_PATH | O_CLOEXEC)));
        f.cfg.idmapped = detached;
        REQUIRE(prepare(f.cfg));
        std::vector<std::string> got(f.fake.log.begin() + 2, f.fake.log.begin() + 4);
        CHECK(got == std::vector<std::string>{
                         "move_mount " + f.host + " $ROOTFS/real",
                         "mount \"\" $ROOTFS/real - MS_RDONLY|MS_REMOUNT|MS_BIND -",
                     });
        for (const auto& l : f.fake.log) CHECK_FALSE(l.starts_with("mount " + f.host));
    }
    SECTION("not prepared by resolve(): an error, nothing mounted") {
        auto r = prepare(f.cfg);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("idmapped mount was not prepared") != std::string::npos);
        for (const auto& l : f.fake.log) CHECK_FALSE(l.starts_with("move_mount"));
    }
}

TEST_CASE("switchRoot: pivot_root(\".\", \".\") and detach the old root", "[rootfs]") {
    Fixture f;
    REQUIRE(switchRoot(f.cfg));
    CHECK(f.fake.log == std::vector<std::string>{
                            "fchdir $ROOTFS",
                            "pivot_root . .",
                            "fchdir /",
                            "mount \"\" . - MS_REC|MS_SLAVE -",
                            "umount2 . MNT_DETACH",
                            "chdir /",
                        });
}

TEST_CASE("switchRoot: --no-pivot hides host proc/sysfs, moves and chroots", "[rootfs]") {
    Fixture f;
    f.cfg.noPivot = true;
    f.cfg.host.pseudoMounts = {"/proc", "/sys"};
    REQUIRE(switchRoot(f.cfg));
    CHECK(f.fake.log == std::vector<std::string>{
                            "mount \"\" /proc - MS_REC|MS_SLAVE -",
                            "umount2 /proc MNT_DETACH",
                            "mount \"\" /sys - MS_REC|MS_SLAVE -",
                            "umount2 /sys MNT_DETACH",
                            "chdir $ROOTFS",
                            "mount $ROOTFS / - MS_MOVE -",
                            "chroot .",
                            "chdir /",
                        });
}

TEST_CASE("finalize: propagation, readonly and masked paths, ro /dev and root", "[rootfs]") {
    Fixture f;
    test::writeFile(f.rootfs + "/proc/kcore", "");
    test::mkdirs(f.rootfs + "/proc/acpi");
    test::mkdirs(f.rootfs + "/proc/sys");
    test::writeFile(f.rootfs + "/dev/null", "");
    f.sp = test::dockerLikeSpec(f.host);
    f.sp.root->readonly = true;
    f.sp.mounts[1].options.push_back("ro");  // /dev
    f.sp.linux->rootfsPropagation = "shared";
    // (a masked file needs the real null device as its source: root_test and the bats suite)
    f.sp.linux->maskedPaths = {"/proc/acpi", "/proc/keys"};
    f.sp.linux->readonlyPaths = {"/proc/sys", "/proc/nope"};
    f.fake.statfsFlags["/proc/sys"] = ST_NOSUID | ST_NODEV | ST_NOEXEC;
    f.fake.chrooted = true;  // as after switchRoot
    auto r = finalize(f.cfg);
    INFO((r ? std::string("ok") : r.error().message()));
    REQUIRE(r);
    CHECK(f.fake.mountLog() == std::vector<std::string>{
                                   "mount \"\" / - MS_SHARED -",
                                   "mount /proc/sys /proc/sys - MS_BIND|MS_REC -",
                                   "mount \"\" /proc/sys - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND -",
                                   "mount /proc/nope /proc/nope - MS_BIND|MS_REC -",
                                   "mount tmpfs /proc/acpi tmpfs MS_RDONLY -",
                                   "mount \"\" /dev - MS_RDONLY|MS_NOSUID|MS_REMOUNT|MS_BIND|MS_STRICTATIME -",
                                   "mount \"\" / - MS_RDONLY|MS_REMOUNT|MS_BIND -",
                               });
}

TEST_CASE("finalize: a masked file is refused when /dev/null is not the null device (CVE-2025-31133)", "[rootfs]") {
    for (bool symlink : {false, true}) {
        Fixture f;
        test::writeFile(f.rootfs + "/proc/kcore", "");
        test::writeFile(f.rootfs + "/proc/keys", "SECRET");
        test::mkdirs(f.rootfs + "/dev");
        if (symlink)
            REQUIRE(::symlink("/proc/keys", (f.rootfs + "/dev/null").c_str()) == 0);
        else
            test::writeFile(f.rootfs + "/dev/null", "");
        f.sp = test::dockerLikeSpec(f.host);
        f.sp.linux->maskedPaths = {"/proc/kcore"};
        f.sp.linux->readonlyPaths.clear();
        f.fake.chrooted = true;
        auto r = finalize(f.cfg);
        INFO("symlink " << symlink);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("/dev/null in the container is not the null device") != std::string::npos);
        CHECK(r.error().message().find("mask /proc/kcore") != std::string::npos);
        for (const auto& line : f.fake.log) CHECK(line.find("/proc/kcore") == std::string::npos);
    }
}

TEST_CASE("finalize: a read-only root keeps locked flags", "[rootfs]") {
    Fixture f;
    f.sp.root = spec::Root{"rootfs", true};
    f.fake.chrooted = true;
    f.fake.statfsFlags["/"] = ST_NOSUID | ST_NODEV | ST_RELATIME;
    f.fake.onMount = [](const test::MountCall& c) { return c.flags & MS_NODEV ? 0 : EPERM; };
    REQUIRE(finalize(f.cfg));
    CHECK(f.fake.mountLog() == std::vector<std::string>{
                                   "mount \"\" / - MS_RDONLY|MS_REMOUNT|MS_BIND -",
                                   "mount \"\" / - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND -",
                               });
}

TEST_CASE("prepare with deferProc: no proc mount (the init mounts it once in the pid namespace)", "[rootfs]") {
    Fixture f;
    f.sp.mounts = {test::mnt("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
                   test::mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"})};
    f.sp.linux = spec::Linux{};
    auto d = procDeferrable(f.cfg);
    REQUIRE(d);
    CHECK(*d);
    f.cfg.deferProc = true;
    auto r = prepare(f.cfg);
    INFO((r ? std::string("ok") : r.error().message()));
    REQUIRE(r);
    for (const auto& m : f.fake.mountLog()) CHECK(m.find(" proc ") == std::string::npos);
}

TEST_CASE("procDeferrable: not with a host bind mount under /proc, nor a proc mount elsewhere first", "[rootfs]") {
    Fixture f;
    test::writeFile(f.host + "/cpuinfo", "x\n");
    f.sp.linux = spec::Linux{};
    f.sp.mounts = {test::mnt("/proc", "proc", "proc", {}), test::mnt("/proc/cpuinfo", "bind", f.host + "/cpuinfo", {"bind"})};
    auto d = procDeferrable(f.cfg);
    REQUIRE(d);
    CHECK_FALSE(*d);
    f.sp.mounts = {test::mnt("/other", "proc", "proc", {}), test::mnt("/proc", "proc", "proc", {})};
    d = procDeferrable(f.cfg);
    REQUIRE(d);
    CHECK_FALSE(*d);
}
