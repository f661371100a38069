// cgroup v2 manager on fixture trees: conversions, exact file contents, errors.
#include <catch2/catch.hpp>

#include "cgroups/fs.h"
#include "cgroups/v2/v2.h"
#include "fixture.h"

using namespace lc::cgroups;
using cgtest::get;
using cgtest::put;

namespace {

struct V2Ctr {
    V2Ctr() {
        t.populate("/ctr");
        auto r = make(t.options(), "/ctr", "ctr");
        REQUIRE(r);
        m = std::move(*r);
    }
    std::string file(const std::string& name) const { return t.root() + "/ctr/" + name; }
    cgtest::V2Tree t;
    std::unique_ptr<Manager> m;
};

std::string errorOf(const lc::Result<void>& r) { return r ? std::string() : r.error().message(); }

}  // namespace

TEST_CASE("v2 conversions", "[cgroups]") {
    CHECK(v2::cpuWeightFromShares(0) == 0);
    CHECK(v2::cpuWeightFromShares(2) == 1);
    CHECK(v2::cpuWeightFromShares(1024) == 39);
    CHECK(v2::cpuWeightFromShares(262144) == 10000);
    CHECK(v2::cpuWeightFromShares(1) == 1);           // clamped
    CHECK(v2::cpuWeightFromShares(1000000) == 10000);  // clamped
    CHECK(v2::ioWeightFromBlkio(0) == 0);
    CHECK(v2::ioWeightFromBlkio(10) == 1);
    CHECK(v2::ioWeightFromBlkio(500) == 4950);
    CHECK(v2::ioWeightFromBlkio(1000) == 10000);

    CHECK(*v2::swapMax(0, 0) == "");
    CHECK(*v2::swapMax(0, 1000) == "");
    CHECK(*v2::swapMax(0, -1) == "max");
    CHECK(*v2::swapMax(-1, 1000) == "max");
    CHECK(*v2::swapMax(3000, 1000) == "2000");
    CHECK(*v2::swapMax(1000, 1000) == "0");
    CHECK_FALSE(v2::swapMax(500, 1000).has_value());
    CHECK_FALSE(v2::swapMax(500, 0).has_value());
    CHECK_FALSE(v2::swapMax(500, -1).has_value());
}

TEST_CASE("v2 create enables the parent's controllers down the path", "[cgroups]") {
    cgtest::V2Tree t;
    put(t.root() + "/a/cgroup.controllers", "cpu memory pids\n");
    put(t.root() + "/a/cgroup.subtree_control", "");
    auto m = make(t.options(), "/a/b/ctr", "ctr");
    REQUIRE(m);
    REQUIRE((*m)->create());
    CHECK(get(t.root() + "/cgroup.subtree_control") == "+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc");
    CHECK(get(t.root() + "/a/cgroup.subtree_control") == "+cpu +memory +pids");
    CHECK(cgtest::exists(t.root() + "/a/b/ctr"));
    // a/b has no cgroup.controllers in the fixture (the kernel would fill it): skipped quietly.
    CHECK_FALSE(cgtest::exists(t.root() + "/a/b/cgroup.subtree_control"));
    CHECK_FALSE(cgtest::exists(t.root() + "/a/b/ctr/cgroup.subtree_control"));
}

TEST_CASE("v2 memory", "[cgroups]") {
    V2Ctr c;
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 1000000;
    r.memory->reservation = 500000;
    r.memory->swap = 3000000;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("memory.max")) == "1000000");
    CHECK(get(c.file("memory.low")) == "500000");
    CHECK(get(c.file("memory.swap.max")) == "2000000");

    r.memory = spec::Memory{};
    r.memory->limit = -1;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("memory.max")) == "max");
    CHECK(get(c.file("memory.swap.max")) == "max");

    // Swap accounting off: fine unless swap beyond memory is asked for.
    cgtest::fs::remove(c.file("memory.swap.max"));
    r.memory->limit = 1000;
    r.memory->swap = 1000;
    CHECK(c.m->set(r));
    r.memory->swap = 5000;
    CHECK(errorOf(c.m->set(r)) ==
          "linux.resources.memory.swap: " + c.file("memory.swap.max") + ": no such file or directory");
    r.memory->swap = 500;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.memory.swap:"));
}

TEST_CASE("v2 memory: what v2 cannot do is an error naming the field", "[cgroups]") {
    V2Ctr c;
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->kernel = 1000;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.memory.kernel:"));
    r.memory = spec::Memory{};
    r.memory->swappiness = 30;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.memory.swappiness:"));
    r.memory = spec::Memory{};
    r.memory->disableOOMKiller = true;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.memory.disableOOMKiller:"));
    // Docker's "unset" values are fine.
    r.memory = spec::Memory{};
    r.memory->kernel = 0;
    r.memory->swappiness = UINT64_MAX;
    r.memory->disableOOMKiller = false;
    r.memory->useHierarchy = true;
    CHECK(c.m->set(r));
    // checkBeforeUpdate compares with memory.current (4096 in the fixture).
    r.memory = spec::Memory{};
    r.memory->limit = 1024;
    r.memory->checkBeforeUpdate = true;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.memory.limit: 1024 is below"));
    r.memory->limit = 8192;
    CHECK(c.m->set(r));
}

TEST_CASE("v2 cpu and cpuset", "[cgroups]") {
    V2Ctr c;
    spec::Resources r;
    r.cpu = spec::Cpu{};
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->burst = 2000;
    r.cpu->idle = 0;
    r.cpu->cpus = "0-2";
    r.cpu->mems = "0";
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("cpu.weight")) == "39");
    CHECK(get(c.file("cpu.max")) == "50000 100000");
    CHECK(get(c.file("cpu.max.burst")) == "2000");
    CHECK(get(c.file("cpu.idle")) == "0");
    CHECK(get(c.file("cpuset.cpus")) == "0-2");
    CHECK(get(c.file("cpuset.mems")) == "0");

    r.cpu = spec::Cpu{};
    r.cpu->quota = -1;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("cpu.max")) == "max");
    r.cpu->quota = 20000;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("cpu.max")) == "20000");
    // A period alone keeps the quota in force.
    put(c.file("cpu.max"), "30000 100000\n");
    r.cpu = spec::Cpu{};
    r.cpu->period = 50000;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("cpu.max")) == "30000 50000");
    r.cpu = spec::Cpu{};
    r.cpu->realtimeRuntime = 1000;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.cpu.realtimeRuntime:"));
}

TEST_CASE("v2 pids, io, hugetlb, rdma", "[cgroups]") {
    V2Ctr c;
    spec::Resources r;
    r.pids = spec::Pids{-1};
    r.blockIO = spec::BlockIO{};
    r.blockIO->weight = 500;
    r.blockIO->weightDevice = {{8, 0, 1000, std::nullopt}};
    r.blockIO->throttleReadBpsDevice = {{8, 0, 1048576}};
    r.blockIO->throttleWriteBpsDevice = {{8, 0, 0}};
    r.blockIO->throttleReadIOPSDevice = {{8, 16, 10}};
    r.blockIO->throttleWriteIOPSDevice = {{8, 16, 20}};
    r.hugepageLimits = {{"2MB", 8388608}};
    r.rdma["mlx4_0"] = spec::Rdma{2, std::nullopt};
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("pids.max")) == "max");
    // The device line is written after the default weight (each open truncates a fixture file).
    CHECK(get(c.file("io.weight")) == "8:0 10000\n");
    CHECK(get(c.file("io.max")) == "8:0 rbps=1048576\n8:0 wbps=max\n8:16 riops=10\n8:16 wiops=20\n");
    CHECK(get(c.file("hugetlb.2MB.max")) == "8388608");
    CHECK(get(c.file("rdma.max")) == "mlx4_0 hca_handle=2\n");

    r = {};
    r.blockIO = spec::BlockIO{};
    r.blockIO->weight = 500;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("io.weight")) == "4950");
    put(c.file("io.bfq.weight"), "100\n");
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("io.bfq.weight")) == "500");
    r.blockIO->leafWeight = 10;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.blockIO.leafWeight:"));

    r = {};
    r.pids = spec::Pids{64};
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("pids.max")) == "64");
    r.pids = spec::Pids{0};  // unchanged, as runc
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("pids.max")) == "64");
}

TEST_CASE("v2 unified keys are written verbatim; bad keys and missing files are errors", "[cgroups]") {
    V2Ctr c;
    spec::Resources r;
    r.unified["memory.high"] = "123456";
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("memory.high")) == "123456");
    for (const char* bad : {"../memory.high", "a/b.c", "memory", ".x", "x.", "cgroup..procs"}) {
        r.unified = {{bad, "1"}};
        CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.unified[\"" + std::string(bad) + "\"]: "));
    }
    r.unified = {{"memory.oom.group", "1"}};
    CHECK(errorOf(c.m->set(r)) == "linux.resources.unified[\"memory.oom.group\"]: " + c.file("memory.oom.group") +
                                      ": no such file or directory");
}

TEST_CASE("v2 rejects net_cls/net_prio and missing controller files name the field", "[cgroups]") {
    V2Ctr c;
    spec::Resources r;
    r.network = spec::Network{};
    r.network->classID = 1;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.network.classID:"));
    r = {};
    cgtest::fs::remove(c.file("pids.max"));
    r.pids = spec::Pids{10};
    CHECK(errorOf(c.m->set(r)) == "linux.resources.pids.limit: " + c.file("pids.max") + ": no such file or directory");
}

TEST_CASE("v2 addProcess, openLeafForClone, pids", "[cgroups]") {
    V2Ctr c;
    REQUIRE(c.m->addProcess(77));
    CHECK(get(c.file("cgroup.procs")) == "77");
    put(c.file("sub/cgroup.procs"), "78\n");
    auto p = c.m->pids();
    REQUIRE(p);
    CHECK(*p == std::vector<pid_t>{77, 78});
    auto fd = c.m->openLeafForClone();
    REQUIRE(fd);
    CHECK(fd->valid());
}

TEST_CASE("v2 freeze waits for cgroup.events", "[cgroups]") {
    V2Ctr c;
    CHECK_FALSE(*c.m->isFrozen());
    put(c.file("cgroup.events"), "populated 1\nfrozen 1\n");  // what the kernel would report
    REQUIRE(c.m->freeze());
    CHECK(get(c.file("cgroup.freeze")) == "1");
    CHECK(*c.m->isFrozen());
    REQUIRE(c.m->thaw());
    CHECK(get(c.file("cgroup.freeze")) == "0");
    CHECK_FALSE(*c.m->isFrozen());
}

TEST_CASE("v2 stats and oom kill count", "[cgroups]") {
    V2Ctr c;
    put(c.file("cpu.stat"), "usage_usec 1000\nuser_usec 600\nsystem_usec 400\nnr_periods 5\nnr_throttled 1\nthrottled_usec 7\n");
    put(c.file("memory.current"), "2048\n");
    put(c.file("memory.peak"), "4096\n");
    put(c.file("memory.max"), "max\n");
    put(c.file("memory.swap.current"), "100\n");
    put(c.file("memory.swap.max"), "max\n");
    put(c.file("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
    put(c.file("memory.stat"), "anon 10\nfile 20\n");
    put(c.file("pids.current"), "4\n");
    put(c.file("pids.max"), "100\n");
    put(c.file("io.stat"), "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
    put(c.file("hugetlb.2MB.current"), "0\n");
    put(c.file("hugetlb.2MB.max"), "4194304\n");
    put(c.file("hugetlb.2MB.events"), "max 5\n");
    auto s = c.m->stats();
    REQUIRE(s);
    CHECK(s->cpuUsageTotalNs == 1000000);
    CHECK(s->cpuUsageUserNs == 600000);
    CHECK(s->cpuUsageKernelNs == 400000);
    CHECK(s->cpuThrottlingPeriods == 5);
    CHECK(s->cpuThrottledPeriods == 1);
    CHECK(s->cpuThrottledTimeNs == 7000);
    CHECK(s->memoryUsage == 2048);
    CHECK(s->memoryMaxUsage == 4096);
    CHECK(s->memoryLimit == UINT64_MAX);
    CHECK(s->memoryFailcnt == 3);
    CHECK(s->swapUsage == 2148);
    CHECK(s->swapLimit == UINT64_MAX);
    CHECK(s->memoryStat.at("file") == 20);
    CHECK(s->pidsCurrent == 4);
    CHECK(s->pidsLimit == 100);
    REQUIRE(s->ioServiceBytes.size() == 2);
    CHECK(s->ioServiceBytes[0].op == "Read");
    CHECK(s->ioServiceBytes[0].value == 10);
    REQUIRE(s->ioServiced.size() == 2);
    CHECK(s->ioServiced[1].value == 2);
    CHECK(s->hugetlb.at("2MB").max == 4194304);
    CHECK(s->hugetlb.at("2MB").failcnt == 5);
    CHECK(*c.m->oomKillCount() == 2);
}

TEST_CASE("v2 destroy kills via cgroup.kill and removes the tree", "[cgroups]") {
    V2Ctr c;
    put(c.file("cgroup.kill"), "");
    put(c.file("child/cgroup.procs"), "");
    REQUIRE(c.m->destroy());
    CHECK_FALSE(cgtest::exists(c.t.root() + "/ctr"));
    CHECK(cgtest::exists(c.t.root()));
    CHECK(c.m->destroy());
}
