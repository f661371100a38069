// cgroup v1 (and hybrid) manager on fixture trees: exact file contents for every resource.
#include <catch2/catch.hpp>

#include "cgroups/fs.h"
#include "cgroups/v1/v1.h"
#include "fixture.h"

using namespace lc::cgroups;
using cgtest::get;
using cgtest::put;

namespace {

struct V1Ctr {
    explicit V1Ctr(bool hybrid = false) : t(hybrid) {
        t.populate("/ctr");
        auto r = make(t.options(), "/ctr", "ctr");
        REQUIRE(r);
        m = std::move(*r);
    }
    std::string file(const std::string& hier, const std::string& name) const {
        return t.dir(hier) + "/ctr/" + name;
    }
    cgtest::V1Tree t;
    std::unique_ptr<Manager> m;
};

std::string errorOf(const lc::Result<void>& r) { return r ? std::string() : r.error().message(); }

}  // namespace

TEST_CASE("v1 memory: limit, reservation, swap, kernel, swappiness, oom, hierarchy", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 268435456;
    r.memory->reservation = 134217728;
    r.memory->swap = 536870912;
    r.memory->kernel = 67108864;
    r.memory->kernelTCP = 16777216;
    r.memory->swappiness = 10;
    r.memory->disableOOMKiller = true;
    r.memory->useHierarchy = true;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("memory", "memory.limit_in_bytes")) == "268435456");
    CHECK(get(c.file("memory", "memory.memsw.limit_in_bytes")) == "536870912");
    CHECK(get(c.file("memory", "memory.soft_limit_in_bytes")) == "134217728");
    CHECK(get(c.file("memory", "memory.kmem.limit_in_bytes")) == "67108864");
    CHECK(get(c.file("memory", "memory.kmem.tcp.limit_in_bytes")) == "16777216");
    CHECK(get(c.file("memory", "memory.swappiness")) == "10");
    CHECK(get(c.file("memory", "memory.oom_control")) == "1");
    CHECK(get(c.file("memory", "memory.use_hierarchy")) == "1");
}

TEST_CASE("v1 memory: Docker's zeros mean unset", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 0;
    r.memory->reservation = 0;
    r.memory->kernel = 0;
    r.memory->swap = 0;
    r.memory->swappiness = UINT64_MAX;  // -1
    r.memory->disableOOMKiller = false;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("memory", "memory.limit_in_bytes")) == "9223372036854771712\n");
    CHECK(get(c.file("memory", "memory.soft_limit_in_bytes")) == "9223372036854771712\n");
    CHECK(get(c.file("memory", "memory.kmem.limit_in_bytes")) == "9223372036854771712\n");
    CHECK(get(c.file("memory", "memory.swappiness")) == "60\n");
    CHECK(get(c.file("memory", "memory.oom_control")).starts_with("oom_kill_disable 0"));
}

TEST_CASE("v1 memory: -1 limit makes memory+swap unlimited too", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = -1;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("memory", "memory.limit_in_bytes")) == "-1");
    CHECK(get(c.file("memory", "memory.memsw.limit_in_bytes")) == "-1");
}

TEST_CASE("v1 memory: limit/memsw write order follows raising or lowering", "[cgroups]") {
    // A directory in place of memory.memsw.limit_in_bytes makes that write fail (EISDIR), which
    // shows whether the limit was written before it.
    V1Ctr c;
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 1000;
    r.memory->swap = 2000;

    put(c.file("memory", "memory.limit_in_bytes"), "100\n");
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("memory", "memory.memsw.limit_in_bytes")) == "2000");
    CHECK(get(c.file("memory", "memory.limit_in_bytes")) == "1000");

    cgtest::fs::remove(c.file("memory", "memory.memsw.limit_in_bytes"));
    cgtest::fs::create_directory(c.file("memory", "memory.memsw.limit_in_bytes"));
    // Raising (current limit 100 < new memory+swap 2000): memsw first, the limit stays.
    put(c.file("memory", "memory.limit_in_bytes"), "100\n");
    CHECK_FALSE(c.m->set(r).has_value());
    CHECK(get(c.file("memory", "memory.limit_in_bytes")) == "100\n");
    // Lowering (current limit 5000 >= 2000): the limit first.
    put(c.file("memory", "memory.limit_in_bytes"), "5000\n");
    auto res = c.m->set(r);
    REQUIRE_FALSE(res);
    CHECK(res.error().message().starts_with("linux.resources.memory.swap: "));
    CHECK(get(c.file("memory", "memory.limit_in_bytes")) == "1000");
}

TEST_CASE("v1 memory: missing memsw file", "[cgroups]") {
    V1Ctr c;
    cgtest::fs::remove(c.file("memory", "memory.memsw.limit_in_bytes"));
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 1000;
    r.memory->swap = 2000;
    auto res = c.m->set(r);
    REQUIRE_FALSE(res);
    CHECK(res.error().message() == "linux.resources.memory.swap: " + c.file("memory", "memory.memsw.limit_in_bytes") +
                                       ": no such file or directory");
    // swap == limit (no swap wanted) or -1 (unlimited) is fine without swap accounting.
    r.memory->swap = 1000;
    CHECK(c.m->set(r));
    CHECK(get(c.file("memory", "memory.limit_in_bytes")) == "1000");
    r.memory->swap = -1;
    CHECK(c.m->set(r));
}

TEST_CASE("v1 memory: bad swappiness and missing kmem are field errors", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->swappiness = 101;
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.memory.swappiness:"));
    r.memory->swappiness.reset();
    cgtest::fs::remove(c.file("memory", "memory.kmem.limit_in_bytes"));
    r.memory->kernel = 4096;
    CHECK(errorOf(c.m->set(r)) == "linux.resources.memory.kernel: " + c.file("memory", "memory.kmem.limit_in_bytes") +
                                      ": no such file or directory");
}

TEST_CASE("v1 cpu and cpuset", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.cpu = spec::Cpu{};
    r.cpu->shares = 512;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->burst = 1000;
    r.cpu->realtimeRuntime = 950000;
    r.cpu->realtimePeriod = 1000000;
    r.cpu->idle = 1;
    r.cpu->cpus = "0-1";
    r.cpu->mems = "0";
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("cpu,cpuacct", "cpu.shares")) == "512");
    CHECK(get(c.file("cpu,cpuacct", "cpu.cfs_quota_us")) == "50000");
    CHECK(get(c.file("cpu,cpuacct", "cpu.cfs_period_us")) == "100000");
    CHECK(get(c.file("cpu,cpuacct", "cpu.cfs_burst_us")) == "1000");
    CHECK(get(c.file("cpu,cpuacct", "cpu.rt_runtime_us")) == "950000");
    CHECK(get(c.file("cpu,cpuacct", "cpu.rt_period_us")) == "1000000");
    CHECK(get(c.file("cpu,cpuacct", "cpu.idle")) == "1");
    CHECK(get(c.file("cpuset", "cpuset.cpus")) == "0-1");
    CHECK(get(c.file("cpuset", "cpuset.mems")) == "0");
}

TEST_CASE("v1 cpu: zeros are unset, quota -1 is written", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.cpu = spec::Cpu{};
    r.cpu->shares = 0;
    r.cpu->quota = -1;
    r.cpu->period = 0;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("cpu,cpuacct", "cpu.shares")) == "1024\n");
    CHECK(get(c.file("cpu,cpuacct", "cpu.cfs_quota_us")) == "-1");
    CHECK(get(c.file("cpu,cpuacct", "cpu.cfs_period_us")) == "100000\n");
}

TEST_CASE("v1 pids, blkio, hugetlb, network, rdma", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.pids = spec::Pids{100};
    r.blockIO = spec::BlockIO{};
    r.blockIO->weight = 300;
    r.blockIO->leafWeight = 200;
    r.blockIO->weightDevice = {{8, 0, 400, 100}, {8, 16, std::nullopt, 50}};
    r.blockIO->throttleReadBpsDevice = {{8, 0, 1048576}};
    r.blockIO->throttleWriteBpsDevice = {{8, 0, 2097152}, {8, 16, 0}};
    r.blockIO->throttleReadIOPSDevice = {{8, 0, 100}};
    r.blockIO->throttleWriteIOPSDevice = {{8, 0, 200}};
    r.hugepageLimits = {{"2MB", 4194304}};
    r.network = spec::Network{};
    r.network->classID = 0x100001;
    r.network->priorities = {{"eth0", 5}, {"lo", 2}};
    r.rdma["mlx5_0"] = spec::Rdma{3, 1000};
    r.rdma["mlx5_1"] = spec::Rdma{std::nullopt, 7};
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("pids", "pids.max")) == "100");
    CHECK(get(c.file("blkio", "blkio.weight")) == "300");
    CHECK(get(c.file("blkio", "blkio.leaf_weight")) == "200");
    CHECK(get(c.file("blkio", "blkio.weight_device")) == "8:0 400\n");
    CHECK(get(c.file("blkio", "blkio.leaf_weight_device")) == "8:0 100\n8:16 50\n");
    CHECK(get(c.file("blkio", "blkio.throttle.read_bps_device")) == "8:0 1048576\n");
    CHECK(get(c.file("blkio", "blkio.throttle.write_bps_device")) == "8:0 2097152\n8:16 0\n");
    CHECK(get(c.file("blkio", "blkio.throttle.read_iops_device")) == "8:0 100\n");
    CHECK(get(c.file("blkio", "blkio.throttle.write_iops_device")) == "8:0 200\n");
    CHECK(get(c.file("hugetlb", "hugetlb.2MB.limit_in_bytes")) == "4194304");
    CHECK(get(c.file("net_cls,net_prio", "net_cls.classid")) == "1048577");
    CHECK(get(c.file("net_cls,net_prio", "net_prio.ifpriomap")) == "eth0 5\nlo 2\n");
    CHECK(get(c.file("rdma", "rdma.max")) == "mlx5_0 hca_handle=3 hca_object=1000\nmlx5_1 hca_object=7\n");

    // 0 leaves the limit alone (runc; Docker's update sends it for "unchanged"), -1 is max.
    r = {};
    r.pids = spec::Pids{0};
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("pids", "pids.max")) == "100");
    r.pids = spec::Pids{-1};
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("pids", "pids.max")) == "max");
}

TEST_CASE("v1 blkio weight goes to BFQ's file when it exists; weight 0 is unset", "[cgroups]") {
    V1Ctr c;
    put(c.file("blkio", "blkio.bfq.weight"), "100\n");
    spec::Resources r;
    r.blockIO = spec::BlockIO{};
    r.blockIO->weight = 0;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("blkio", "blkio.bfq.weight")) == "100\n");
    r.blockIO->weight = 700;
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("blkio", "blkio.bfq.weight")) == "700");
    CHECK(get(c.file("blkio", "blkio.weight")) == "500\n");
}

TEST_CASE("v1 devices: deny all, then the rules in spec order", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.devices = {
        {false, "", std::nullopt, std::nullopt, "rwm"},
        {true, "c", std::nullopt, std::nullopt, "m"},
        {true, "b", std::nullopt, std::nullopt, "m"},
        {true, "c", 1, 3, "rwm"},
        {true, "c", 136, std::nullopt, "rwm"},
        {true, "c", 5, 1, ""},
        {false, "c", 5, 1, "w"},
        {true, "b", 8, -1, "r"},
    };
    REQUIRE(c.m->set(r));
    CHECK(get(c.file("devices", "devices.deny")) == "a\na *:* rwm\nc 5:1 w\n");
    CHECK(get(c.file("devices", "devices.allow")) ==
          "c *:* m\nb *:* m\nc 1:3 rwm\nc 136:* rwm\nc 5:1 rwm\nb 8:* r\n");
}

TEST_CASE("v1 devices: a deny inside an earlier wildcard allow is refused", "[cgroups]") {
    V1Ctr c;
    spec::Resources r;
    r.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"},
                 {true, "c", std::nullopt, std::nullopt, "rwm"},
                 {false, "c", 1, 3, "w"}};
    auto res = c.m->set(r);
    REQUIRE_FALSE(res);
    CHECK(res.error().message().starts_with("linux.resources.devices:"));
    CHECK(get(c.file("devices", "devices.deny")).empty());  // nothing written

    r.devices = {{true, "x", 1, 3, "rwm"}};
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.devices[0].type:"));
    r.devices = {{true, "c", 1, 3, "xyz"}};  // runc ignores x in "rwx"; none of r, w, m is an error
    CHECK(errorOf(c.m->set(r)).starts_with("linux.resources.devices[0].access:"));
}

TEST_CASE("v1 rejects unified and unmounted controllers with field errors", "[cgroups]") {
    auto hiers = cgtest::defaultHierarchies();
    hiers.erase(std::remove_if(hiers.begin(), hiers.end(),
                               [](const cgtest::Hier& h) { return h.dir == "net_cls,net_prio"; }),
                hiers.end());
    cgtest::V1Tree t(false, hiers);
    t.populate("/ctr");
    auto m = make(t.options(), "/ctr", "ctr");
    REQUIRE(m);
    spec::Resources r;
    r.unified["memory.high"] = "1000";
    CHECK(errorOf((*m)->set(r)) == "invalid configuration: cannot use unified on cgroup v1");
    r = {};
    r.network = spec::Network{};
    r.network->classID = 7;
    CHECK(errorOf((*m)->set(r)) ==
          "linux.resources.network.classID: net_cls.classid: the net_cls cgroup controller is not mounted");
    r.network->classID = 0;  // unset
    CHECK((*m)->set(r));
}

TEST_CASE("hybrid: hugetlb only in the unified hierarchy is set there", "[cgroups]") {
    auto hiers = cgtest::defaultHierarchies();
    hiers.erase(std::remove_if(hiers.begin(), hiers.end(), [](const cgtest::Hier& h) { return h.dir == "hugetlb"; }),
                hiers.end());
    cgtest::V1Tree t(true, hiers);
    t.populate("/a/ctr");
    put(t.root() + "/unified/a/cgroup.subtree_control", "");
    auto m = make(t.options(), "/a/ctr", "ctr");
    REQUIRE(m);
    spec::Resources r;
    r.hugepageLimits = {{"2MB", 2097152}};
    REQUIRE((*m)->set(r));
    CHECK(get(t.root() + "/unified/cgroup.subtree_control") == "+hugetlb");
    CHECK(get(t.root() + "/unified/a/cgroup.subtree_control") == "+hugetlb");
    CHECK(get(t.root() + "/unified/a/ctr/hugetlb.2MB.max") == "2097152");
    // runc refuses linux.resources.unified on hybrid hosts too, even for a unified controller
    r.unified["hugetlb.2MB.max"] = "4194304";
    CHECK(errorOf((*m)->set(r)) == "invalid configuration: cannot use unified on cgroup v1");
    CHECK(get(t.root() + "/unified/a/ctr/hugetlb.2MB.max") == "2097152");
}

TEST_CASE("v1 addProcess writes every hierarchy, and the unified one on hybrid", "[cgroups]") {
    V1Ctr c(true);
    REQUIRE(c.m->addProcess(4242));
    for (const auto& [ctrl, dir] : c.m->paths()) CHECK(get(dir + "/cgroup.procs") == "4242");
    auto fd = c.m->openLeafForClone();
    REQUIRE(fd);
    CHECK_FALSE(fd->valid());
}

TEST_CASE("v1 freezer on a fixture", "[cgroups]") {
    V1Ctr c;
    CHECK_FALSE(*c.m->isFrozen());
    REQUIRE(c.m->freeze());
    CHECK(get(c.file("freezer", "freezer.state")) == "FROZEN");
    put(c.file("freezer", "freezer.self_freezing"), "1\n");
    CHECK(*c.m->isFrozen());
    REQUIRE(c.m->thaw());
    CHECK(get(c.file("freezer", "freezer.state")) == "THAWED");
    CHECK_FALSE(*c.m->isFrozen());
    // Frozen only through an ancestor: not frozen itself.
    put(c.file("freezer", "freezer.state"), "FROZEN\n");
    put(c.file("freezer", "freezer.self_freezing"), "0\n");
    CHECK_FALSE(*c.m->isFrozen());
}

TEST_CASE("v1 pids lists the processes of the cgroup and its children", "[cgroups]") {
    V1Ctr c;
    put(c.file("pids", "cgroup.procs"), "12\n10\n");
    put(c.file("pids", "sub/cgroup.procs"), "11\n12\n");
    auto p = c.m->pids();
    REQUIRE(p);
    CHECK(*p == std::vector<pid_t>{10, 11, 12});
}

TEST_CASE("v1 stats and oom kill count", "[cgroups]") {
    V1Ctr c;
    put(c.file("cpu,cpuacct", "cpuacct.usage"), "123456789\n");
    put(c.file("cpu,cpuacct", "cpuacct.usage_percpu"), "100 200 300 \n");
    put(c.file("cpu,cpuacct", "cpuacct.stat"), "user 150\nsystem 50\n");
    put(c.file("cpu,cpuacct", "cpu.stat"), "nr_periods 10\nnr_throttled 3\nthrottled_time 999\n");
    put(c.file("memory", "memory.usage_in_bytes"), "1000\n");
    put(c.file("memory", "memory.max_usage_in_bytes"), "2000\n");
    put(c.file("memory", "memory.limit_in_bytes"), "4096\n");
    put(c.file("memory", "memory.failcnt"), "2\n");
    put(c.file("memory", "memory.memsw.usage_in_bytes"), "1500\n");
    put(c.file("memory", "memory.memsw.limit_in_bytes"), "8192\n");
    put(c.file("memory", "memory.stat"), "cache 10\nrss 20\ntotal_rss 30\n");
    put(c.file("memory", "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
    put(c.file("pids", "pids.current"), "3\n");
    put(c.file("pids", "pids.max"), "max\n");
    put(c.file("blkio", "blkio.throttle.io_service_bytes_recursive"),
        "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\nTotal 12288\n");
    put(c.file("blkio", "blkio.throttle.io_serviced"), "8:0 Read 1\n8:0 Write 2\nTotal 3\n");
    put(c.file("hugetlb", "hugetlb.2MB.usage_in_bytes"), "2097152\n");
    put(c.file("hugetlb", "hugetlb.2MB.failcnt"), "1\n");
    auto s = c.m->stats();
    REQUIRE(s);
    CHECK(s->cpuUsageTotalNs == 123456789);
    CHECK(s->cpuPerCpuNs == std::vector<uint64_t>{100, 200, 300});
    long hz = ::sysconf(_SC_CLK_TCK);
    CHECK(s->cpuUsageUserNs == 150ull * (1000000000ull / hz));
    CHECK(s->cpuUsageKernelNs == 50ull * (1000000000ull / hz));
    CHECK(s->cpuThrottlingPeriods == 10);
    CHECK(s->cpuThrottledPeriods == 3);
    CHECK(s->cpuThrottledTimeNs == 999);
    CHECK(s->memoryUsage == 1000);
    CHECK(s->memoryMaxUsage == 2000);
    CHECK(s->memoryLimit == 4096);
    CHECK(s->memoryFailcnt == 2);
    CHECK(s->swapUsage == 1500);
    CHECK(s->swapLimit == 8192);
    CHECK(s->memoryStat.at("total_rss") == 30);
    CHECK(s->pidsCurrent == 3);
    CHECK(s->pidsLimit == 0);
    REQUIRE(s->ioServiceBytes.size() == 3);
    CHECK(s->ioServiceBytes[1].op == "Write");
    CHECK(s->ioServiceBytes[1].value == 8192);
    CHECK(s->ioServiceBytes[1].major == 8);
    REQUIRE(s->ioServiced.size() == 2);
    CHECK(s->hugetlb.at("2MB").usage == 2097152);
    CHECK(s->hugetlb.at("2MB").failcnt == 1);
    CHECK(*c.m->oomKillCount() == 4);
}

TEST_CASE("v1 destroy removes every directory, children first", "[cgroups]") {
    V1Ctr c(true);
    put(c.file("memory", "child/grandchild/cgroup.procs"), "");
    auto paths = c.m->paths();
    REQUIRE(c.m->destroy());
    for (const auto& [ctrl, dir] : paths) CHECK_FALSE(cgtest::exists(dir));
    CHECK(cgtest::exists(c.t.dir("memory")));
    // Again: nothing left is fine.
    CHECK(c.m->destroy());
}

TEST_CASE("load accepts sub-cgroups and refuses a hierarchy root", "[cgroups]") {
    cgtest::V1Tree t;
    auto m = load(t.options(), {{"memory", t.dir("memory") + "/x"}});
    REQUIRE(m);
    cgtest::V2Tree t2;
    CHECK_FALSE(load(t2.options(), {{"", t2.root()}}).has_value());
}

TEST_CASE("v1 pids limit 0 needs no pids controller; a real limit names the missing one", "[cgroups]") {
    auto hiers = cgtest::defaultHierarchies();
    hiers.erase(std::remove_if(hiers.begin(), hiers.end(), [](const cgtest::Hier& h) { return h.dir == "pids"; }),
                hiers.end());
    cgtest::V1Tree t(false, hiers);
    t.populate("/ctr");
    auto m = make(t.options(), "/ctr", "ctr");
    REQUIRE(m);
    spec::Resources r;
    r.pids = spec::Pids{0};  // Docker's update sends this for "unchanged"
    CHECK((*m)->set(r));
    r.pids = spec::Pids{10};
    CHECK(errorOf((*m)->set(r)).starts_with("linux.resources.pids.limit: pids.max:"));
}
