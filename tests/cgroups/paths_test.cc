// Layout detection, mount discovery, path resolution (make/load) on fixture trees.
#include <catch2/catch.hpp>

#include "cgroups/fs.h"
#include "cgroups/paths.h"
#include "fixture.h"

using namespace lc::cgroups;
using cgtest::put;

TEST_CASE("cleanCgroupPath normalises and rejects escapes", "[cgroups]") {
    CHECK(*cleanCgroupPath("/a//b/./c/") == "/a/b/c");
    CHECK(*cleanCgroupPath("a/b/../c") == "a/c");
    CHECK(*cleanCgroupPath("/a/..") == "/");
    CHECK(*cleanCgroupPath("docker/abc") == "docker/abc");
    CHECK_FALSE(cleanCgroupPath("../x").has_value());
    CHECK_FALSE(cleanCgroupPath("/../x").has_value());
    CHECK_FALSE(cleanCgroupPath("a/../../x").has_value());
}

TEST_CASE("parseV1Mountinfo finds the hierarchies under the mount root", "[cgroups]") {
    std::string mi =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:7 - cgroup cgroup rw,cpu,cpuacct\n"
        "33 31 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
        "50 22 0:30 /docker /other/place rw - cgroup cgroup rw,memory\n"
        "51 31 0:39 /sub /sys/fs/cgroup/with\\040space rw - cgroup cgroup rw,noprefix,release_agent=/x,pids\n";
    auto m = parseV1Mountinfo(mi, "/sys/fs/cgroup/");
    REQUIRE(m);
    REQUIRE(m->size() == 4);
    CHECK((*m)[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
    CHECK((*m)[0].mountpoint == "/sys/fs/cgroup/cpu,cpuacct");
    CHECK((*m)[1].controllers == std::vector<std::string>{"memory"});
    CHECK((*m)[2].controllers == std::vector<std::string>{"name=systemd"});
    CHECK((*m)[3].controllers == std::vector<std::string>{"pids"});
    CHECK((*m)[3].mountpoint == "/sys/fs/cgroup/with space");
    CHECK((*m)[3].root == "/sub");
}

TEST_CASE("parseProcCgroup reads v1 and v2 lines", "[cgroups]") {
    auto r = parseProcCgroup("12:cpu,cpuacct:/a\n1:name=systemd:/user.slice\n0::/init.scope\n");
    REQUIRE(r);
    REQUIRE(r->size() == 3);
    CHECK((*r)[0].hierarchy == 12);
    CHECK((*r)[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
    CHECK((*r)[0].path == "/a");
    CHECK((*r)[1].controllers == std::vector<std::string>{"name=systemd"});
    CHECK((*r)[2].hierarchy == 0);
    CHECK((*r)[2].controllers.empty());
    CHECK((*r)[2].path == "/init.scope");
    CHECK_FALSE(parseProcCgroup("garbage\n").has_value());
}

TEST_CASE("detect recognises fixture layouts", "[cgroups]") {
    cgtest::V1Tree v1;
    cgtest::V1Tree hybrid(true);
    cgtest::V2Tree v2;
    CHECK(*detect(v1.options()) == Layout::V1);
    CHECK(*detect(hybrid.options()) == Layout::Hybrid);
    CHECK(*detect(v2.options()) == Layout::V2);
    cgtest::TempDir empty;
    CHECK_FALSE(detect(Options{empty.path(), "/proc"}).has_value());
    CHECK_FALSE(detect(Options{empty.path() + "/missing", "/proc"}).has_value());
}

TEST_CASE("make resolves an absolute cgroupsPath in every v1 hierarchy", "[cgroups]") {
    cgtest::V1Tree t;
    auto m = make(t.options(), "/docker/abc", "abc");
    REQUIRE(m);
    CHECK((*m)->layout() == Layout::V1);
    auto p = (*m)->paths();
    CHECK(p.size() == 13);  // cpu, cpuacct, cpuset, memory, devices, freezer, blkio, pids, hugetlb,
                            // net_cls, net_prio, rdma, name=systemd
    CHECK(p["cpu"] == t.dir("cpu,cpuacct") + "/docker/abc");
    CHECK(p["cpuacct"] == t.dir("cpu,cpuacct") + "/docker/abc");
    CHECK(p["memory"] == t.dir("memory") + "/docker/abc");
    CHECK(p["name=systemd"] == t.dir("systemd") + "/docker/abc");
    CHECK(p["net_prio"] == t.dir("net_cls,net_prio") + "/docker/abc");
    CHECK(p.count("") == 0);
}

TEST_CASE("make resolves relative and empty cgroupsPath under the caller's cgroups", "[cgroups]") {
    cgtest::V1Tree t(true);
    auto m = make(t.options(), "pod/ctr", "ctr");
    REQUIRE(m);
    CHECK((*m)->layout() == Layout::Hybrid);
    auto p = (*m)->paths();
    CHECK(p["cpu"] == t.dir("cpu,cpuacct") + "/user.slice/pod/ctr");
    CHECK(p["memory"] == t.dir("memory") + "/user.slice/me/pod/ctr");
    CHECK(p["cpuset"] == t.dir("cpuset") + "/pod/ctr");
    CHECK(p["name=systemd"] == t.dir("systemd") + "/user.slice/session-1.scope/pod/ctr");
    CHECK(p[""] == t.root() + "/unified/user.slice/session-1.scope/pod/ctr");

    auto e = make(t.options(), "", "myid");
    REQUIRE(e);
    CHECK((*e)->paths()["pids"] == t.dir("pids") + "/user.slice/myid");

    auto abs = make(t.options(), "/x", "id");
    REQUIRE(abs);
    CHECK((*abs)->paths()[""] == t.root() + "/unified/x");
}

TEST_CASE("make on v2 puts relative paths under the parent of the caller's cgroup", "[cgroups]") {
    cgtest::V2Tree t;
    auto rel = make(t.options(), "ctr", "ctr");
    REQUIRE(rel);
    CHECK((*rel)->layout() == Layout::V2);
    CHECK((*rel)->paths() == std::map<std::string, std::string>{{"", t.root() + "/user.slice/ctr"}});
    auto abs = make(t.options(), "/machine/ctr/", "ctr");
    REQUIRE(abs);
    CHECK((*abs)->paths()[""] == t.root() + "/machine/ctr");
    auto empty = make(t.options(), "", "abc");
    REQUIRE(empty);
    CHECK((*empty)->paths()[""] == t.root() + "/user.slice/abc");
}

TEST_CASE("make rejects escaping and root paths", "[cgroups]") {
    cgtest::V2Tree t;
    auto esc = make(t.options(), "../../etc", "x");
    REQUIRE_FALSE(esc);
    CHECK(esc.error().message().find("linux.cgroupsPath") != std::string::npos);
    CHECK_FALSE(make(t.options(), "/a/../..", "x").has_value());
    CHECK_FALSE(make(t.options(), "/", "x").has_value());
    CHECK_FALSE(make(t.options(), "", "").has_value());
    CHECK_FALSE(make(t.options(), "", "a/b").has_value());
}

TEST_CASE("make creates nothing, create makes every directory", "[cgroups]") {
    cgtest::V1Tree t(true);
    auto m = make(t.options(), "/rt/ctr", "ctr");
    REQUIRE(m);
    CHECK_FALSE(cgtest::exists(t.dir("memory") + "/rt"));
    // cpuset files appear with the directory on a real host; the fixture provides them.
    put(t.dir("cpuset") + "/rt/cpuset.cpus", "\n");
    put(t.dir("cpuset") + "/rt/cpuset.mems", "\n");
    put(t.dir("cpuset") + "/rt/ctr/cpuset.cpus", "");
    put(t.dir("cpuset") + "/rt/ctr/cpuset.mems", "");
    REQUIRE((*m)->create());
    for (const auto& [c, dir] : (*m)->paths()) CHECK(cgtest::exists(dir));
    // cpuset values were copied down the path.
    CHECK(cgtest::get(t.dir("cpuset") + "/rt/cpuset.cpus") == "0-3");
    CHECK(cgtest::get(t.dir("cpuset") + "/rt/cpuset.mems") == "0");
    CHECK(cgtest::get(t.dir("cpuset") + "/rt/ctr/cpuset.cpus") == "0-3");
    // Creating again reuses the directories.
    CHECK((*m)->create());
}

TEST_CASE("ensureCpuset keeps values that are set", "[cgroups]") {
    cgtest::V1Tree t;
    put(t.dir("cpuset") + "/a/cpuset.cpus", "1\n");
    put(t.dir("cpuset") + "/a/cpuset.mems", "0\n");
    put(t.dir("cpuset") + "/a/b/cpuset.cpus", "");
    put(t.dir("cpuset") + "/a/b/cpuset.mems", "");
    auto m = make(t.options(), "/a/b", "b");
    REQUIRE(m);
    REQUIRE((*m)->create());
    CHECK(cgtest::get(t.dir("cpuset") + "/a/cpuset.cpus") == "1\n");
    CHECK(cgtest::get(t.dir("cpuset") + "/a/b/cpuset.cpus") == "1");
}

TEST_CASE("load rebuilds a manager from saved paths", "[cgroups]") {
    cgtest::V1Tree t(true);
    auto m = make(t.options(), "/a/ctr", "ctr");
    REQUIRE(m);
    auto saved = (*m)->paths();
    auto l = load(t.options(), saved);
    REQUIRE(l);
    CHECK((*l)->layout() == Layout::Hybrid);
    CHECK((*l)->paths() == saved);

    cgtest::V2Tree t2;
    auto m2 = make(t2.options(), "/a/ctr", "ctr");
    REQUIRE(m2);
    auto l2 = load(t2.options(), (*m2)->paths());
    REQUIRE(l2);
    CHECK((*l2)->layout() == Layout::V2);
    CHECK((*l2)->paths() == (*m2)->paths());

    CHECK_FALSE(load(t2.options(), {}).has_value());
    CHECK_FALSE(load(t2.options(), {{"", t2.root()}}).has_value());
    CHECK_FALSE(load(t.options(), {{"memory", t.dir("memory")}}).has_value());
}

TEST_CASE("findV1Mounts falls back to the directories under the mount root", "[cgroups]") {
    cgtest::V1Tree t;
    put(t.proc() + "/self/mountinfo", "1 0 0:1 / / rw - ext4 /dev/vda rw\n");
    auto m = findV1Mounts(t.options());
    REQUIRE(m);
    REQUIRE(m->size() == 11);
    bool systemd = false, comounted = false;
    for (const auto& x : *m) {
        if (x.controllers == std::vector<std::string>{"name=systemd"}) systemd = true;
        if (x.controllers == std::vector<std::string>{"cpu", "cpuacct"}) comounted = true;
    }
    CHECK(systemd);
    CHECK(comounted);
}
