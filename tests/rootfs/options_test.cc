#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "rootfs/options.h"

using namespace lc::rootfs;

namespace {

MountOptions parse(std::vector<std::string> opts) { return parseMountOptions(opts); }

}  // namespace

TEST_CASE("each flag option sets or clears its flag", "[rootfs]") {
    struct Row {
        const char* option;
        unsigned long set;
        unsigned long cleared;
    };
    const Row rows[] = {
        {"defaults", 0, 0},
        {"ro", MS_RDONLY, 0},
        {"rw", 0, MS_RDONLY},
        {"suid", 0, MS_NOSUID},
        {"nosuid", MS_NOSUID, 0},
        {"dev", 0, MS_NODEV},
        {"nodev", MS_NODEV, 0},
        {"exec", 0, MS_NOEXEC},
        {"noexec", MS_NOEXEC, 0},
        {"sync", MS_SYNCHRONOUS, 0},
        {"async", 0, MS_SYNCHRONOUS},
        {"dirsync", MS_DIRSYNC, 0},
        {"remount", MS_REMOUNT, 0},
        {"mand", MS_MANDLOCK, 0},
        {"nomand", 0, MS_MANDLOCK},
        {"atime", 0, MS_NOATIME},
        {"noatime", MS_NOATIME, 0},
        {"diratime", 0, MS_NODIRATIME},
        {"nodiratime", MS_NODIRATIME, 0},
        {"bind", MS_BIND, 0},
        {"rbind", MS_BIND | MS_REC, 0},
        {"relatime", MS_RELATIME, 0},
        {"norelatime", 0, MS_RELATIME},
        {"strictatime", MS_STRICTATIME, 0},
        {"nostrictatime", 0, MS_STRICTATIME},
        {"lazytime", MS_LAZYTIME, 0},
        {"nolazytime", 0, MS_LAZYTIME},
        {"silent", MS_SILENT, 0},
        {"loud", 0, MS_SILENT},
        {"iversion", MS_I_VERSION, 0},
        {"noiversion", 0, MS_I_VERSION},
        {"nosymfollow", MS_NOSYMFOLLOW, 0},
        {"symfollow", 0, MS_NOSYMFOLLOW},
    };
    for (const auto& r : rows) {
        INFO(r.option);
        auto o = parse({r.option});
        CHECK(o.flags == r.set);
        CHECK(o.clearedFlags == r.cleared);
        CHECK(o.data.empty());
        CHECK(o.propagation.empty());
    }
}

TEST_CASE("propagation options are collected in order", "[rootfs]") {
    auto o = parse({"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable",
                    "runbindable"});
    CHECK(o.flags == 0);
    CHECK(o.propagation == std::vector<unsigned long>{
                               MS_PRIVATE, MS_PRIVATE | MS_REC, MS_SHARED, MS_SHARED | MS_REC,
                               MS_SLAVE, MS_SLAVE | MS_REC, MS_UNBINDABLE, MS_UNBINDABLE | MS_REC});
}

TEST_CASE("unknown options become the data string", "[rootfs]") {
    auto o = parse({"nosuid", "strictatime", "mode=755", "size=65536k"});
    CHECK(o.flags == (MS_NOSUID | MS_STRICTATIME));
    CHECK(o.data == "mode=755,size=65536k");
    auto pts = parse({"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
    CHECK(pts.flags == (MS_NOSUID | MS_NOEXEC));
    CHECK(pts.data == "newinstance,ptmxmode=0666,mode=0620,gid=5");
}

TEST_CASE("later options win over earlier ones", "[rootfs]") {
    auto o = parse({"ro", "rw"});
    CHECK(o.flags == 0);
    CHECK(o.clearedFlags == MS_RDONLY);
    auto p = parse({"rw", "ro"});
    CHECK(p.flags == MS_RDONLY);
    CHECK(p.clearedFlags == 0);
    auto q = parse({"rbind", "ro", "nosuid", "rprivate"});
    CHECK(q.flags == (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID));
    CHECK(q.propagation == std::vector<unsigned long>{MS_PRIVATE | MS_REC});
}

TEST_CASE("tmpcopyup and idmap are recognised, not passed as data", "[rootfs]") {
    auto o = parse({"tmpcopyup", "mode=1777"});
    CHECK(o.tmpcopyup);
    CHECK(o.data == "mode=1777");
    auto i = parse({"rbind", "idmap"});
    CHECK(i.idmap);
    CHECK_FALSE(i.recursiveIdmap);
    CHECK(i.data.empty());
    auto r = parse({"ridmap"});
    CHECK(r.idmap);
    CHECK(r.recursiveIdmap);
}

TEST_CASE("recursive attribute options map to mount_setattr attributes", "[rootfs]") {
    auto o = parse({"rbind", "rro", "rnosuid", "rnodev", "rnoexec"});
    CHECK(o.recAttrSet == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
    CHECK(o.recAttrClr == 0);
    CHECK(o.flags == (MS_BIND | MS_REC));
    auto a = parse({"rnoatime"});
    CHECK(a.recAttrSet == MOUNT_ATTR_NOATIME);
    CHECK(a.recAttrClr == MOUNT_ATTR__ATIME);
    auto b = parse({"rro", "rrw"});
    CHECK(b.recAttrSet == 0);
    CHECK(b.recAttrClr == MOUNT_ATTR_RDONLY);
}

TEST_CASE("rootfsPropagation values", "[rootfs]") {
    CHECK(parseRootfsPropagation("").value() == 0);
    CHECK(parseRootfsPropagation("shared").value() == MS_SHARED);
    CHECK(parseRootfsPropagation("rslave").value() == (MS_SLAVE | MS_REC));
    CHECK(parseRootfsPropagation("runbindable").value() == (MS_UNBINDABLE | MS_REC));
    auto bad = parseRootfsPropagation("sideways");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message().find("sideways") != std::string::npos);
}

TEST_CASE("mount flags print symbolically", "[rootfs]") {
    CHECK(mountFlagsString(0) == "0");
    CHECK(mountFlagsString(MS_RDONLY | MS_NOSUID) == "MS_RDONLY|MS_NOSUID");
    CHECK(mountFlagsString(MS_SLAVE | MS_REC) == "MS_REC|MS_SLAVE");
}
