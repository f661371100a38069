// Tests on the real host's cgroups (run as root): `unit-tests "[root][cgroups]"`.
// Every cgroup is created at an absolute path /rcpp-test-<pid>-<n> and removed, with its
// processes killed, even when a check fails.
#include <fcntl.h>
#include <signal.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <linux/sched.h>

#include <catch2/catch.hpp>

#include "cgroups/devices/rules.h"
#include "cgroups/fs.h"
#include "cgroups/paths.h"
#include "cgroups/v2/v2.h"
#include "fixture.h"

using namespace lc::cgroups;
using cgtest::get;

namespace {

bool isRoot() { return ::geteuid() == 0; }

std::string uniqueName(const char* tag) {
    static int n = 0;
    return "/rcpp-test-" + std::to_string(::getpid()) + "-" + tag + "-" + std::to_string(n++);
}

// A child that waits for one byte on a pipe, then runs `after` (if any) and exits with its
// result, or sleeps forever.
struct Child {
    pid_t pid = -1;
    int go = -1;
    template <typename F>
    static Child spawn(F after) {
        int p[2];
        REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            char c;
            ::close(p[1]);
            if (::read(p[0], &c, 1) != 1) ::_exit(100);
            int rc = after();
            if (rc >= 0) ::_exit(rc);
            for (;;) ::pause();
        }
        ::close(p[0]);
        return Child{pid, p[1]};
    }
    void release() {
        char c = 'x';
        if (go >= 0) {
            (void)!::write(go, &c, 1);
            ::close(go);
            go = -1;
        }
    }
    // Returns the wait status.
    int reap() {
        int st = 0;
        if (pid > 0) ::waitpid(pid, &st, 0);
        pid = -1;
        return st;
    }
    ~Child() {
        if (go >= 0) ::close(go);
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

// Owns a manager and its directories: destroys on scope exit whatever happened.
struct Guard {
    std::unique_ptr<Manager> m;
    std::map<std::string, std::string> paths;
    explicit Guard(std::unique_ptr<Manager> mgr) : m(std::move(mgr)), paths(m->paths()) {}
    ~Guard() {
        if (m) (void)m->destroy();
        for (const auto& [c, dir] : paths) (void)removeCgroupTree(dir);
    }
};

std::map<std::string, std::string> procCgroups(pid_t pid) {
    std::map<std::string, std::string> out;
    auto lines = parseProcCgroup(get("/proc/" + std::to_string(pid) + "/cgroup"));
    REQUIRE(lines);
    for (const auto& l : *lines) {
        std::string key;
        for (const auto& c : l.controllers) key += (key.empty() ? "" : ",") + c;
        out[key] = l.path;  // "" for the unified line
    }
    return out;
}

// Up to two whole disks (major, minor) from /sys/block, loop devices excluded.
std::vector<std::pair<int64_t, int64_t>> disks() {
    std::vector<std::pair<int64_t, int64_t>> out;
    std::error_code ec;
    for (const auto& e : cgtest::fs::directory_iterator("/sys/block", ec)) {
        std::string name = e.path().filename().string();
        if (name.starts_with("loop") || out.size() == 2) continue;
        std::string dev(trim(get(e.path().string() + "/dev")));
        size_t colon = dev.find(':');
        if (colon == std::string::npos) continue;
        out.emplace_back(std::stoll(dev.substr(0, colon)), std::stoll(dev.substr(colon + 1)));
    }
    return out;
}

// How many device programs are attached to a cgroup directory.
int attachedDevicePrograms(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    uint32_t ids[64];
    bpf_attr attr{};
    attr.query.target_fd = static_cast<uint32_t>(fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids);
    attr.query.prog_cnt = 64;
    long rc = ::syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof attr);
    ::close(fd);
    return rc < 0 ? -1 : static_cast<int>(attr.query.prog_cnt);
}

bool hasCgroup2(const std::string& dir) {
    struct statfs st {};
    return ::statfs(dir.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

}  // namespace

TEST_CASE("real host: create, set, addProcess, freeze, pids, stats, destroy", "[root][cgroups]") {
    if (!isRoot()) return;
    Options opts;
    auto layout = detect(opts);
    REQUIRE(layout);
    const std::string name = uniqueName("main");
    auto made = make(opts, name, "ignored");
    REQUIRE(made);
    Guard g(std::move(*made));
    Manager& m = *g.m;
    CG_REQUIRE(m.create());
    for (const auto& [c, dir] : g.paths) CHECK(cgtest::exists(dir));

    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 64 << 20;
    r.pids = spec::Pids{32};
    r.cpu = spec::Cpu{};
    r.cpu->shares = 512;
    r.blockIO = spec::BlockIO{};
    const auto disk = disks();
    uint64_t rate = 1048576;
    for (const auto& [ma, mi] : disk) r.blockIO->throttleReadBpsDevice.push_back({ma, mi, rate++});
    CG_REQUIRE(m.set(r));
    // Several entries written to one file each land (one write per entry).
    std::string want;
    for (size_t i = 0; i < disk.size(); ++i)
        want += std::to_string(disk[i].first) + ":" + std::to_string(disk[i].second) +
                (*layout == Layout::V2 ? " rbps=" : " ") + std::to_string(1048576 + i) +
                (*layout == Layout::V2 ? " wbps=max riops=max wiops=max" : "") + "\n";
    std::string got = *layout == Layout::V2 ? get(g.paths[""] + "/io.max")
                                            : get(g.paths["blkio"] + "/blkio.throttle.read_bps_device");
    // The kernel lists devices in its own order.
    auto lines = [](const std::string& s) {
        auto v = splitFields(s, "\n");
        std::vector<std::string> out(v.begin(), v.end());
        std::sort(out.begin(), out.end());
        return out;
    };
    CHECK(lines(got) == lines(want));
    if (*layout == Layout::V2) {
        CHECK(cgtest::get(g.paths[""] + "/memory.max") == "67108864\n");
        CHECK(cgtest::get(g.paths[""] + "/pids.max") == "32\n");
        CHECK(cgtest::get(g.paths[""] + "/cpu.weight") == "20\n");
    } else {
        CHECK(cgtest::get(g.paths["memory"] + "/memory.limit_in_bytes") == "67108864\n");
        CHECK(cgtest::get(g.paths["pids"] + "/pids.max") == "32\n");
        CHECK(cgtest::get(g.paths["cpu"] + "/cpu.shares") == "512\n");
    }

    // Lowering then raising memory and memory+swap together needs the right write order.
    if (*layout != Layout::V2 && cgtest::exists(g.paths["memory"] + "/memory.memsw.limit_in_bytes")) {
        for (auto [limit, swap] : {std::pair<int64_t, int64_t>{32 << 20, 48 << 20}, {256 << 20, 512 << 20},
                                   {64 << 20, 96 << 20}}) {
            spec::Resources mr;
            mr.memory = spec::Memory{};
            mr.memory->limit = limit;
            mr.memory->swap = swap;
            CG_REQUIRE(m.set(mr));
            CHECK(get(g.paths["memory"] + "/memory.limit_in_bytes") == std::to_string(limit) + "\n");
            CHECK(get(g.paths["memory"] + "/memory.memsw.limit_in_bytes") == std::to_string(swap) + "\n");
        }
    }

    Child child = Child::spawn([] { return -1; });
    CG_REQUIRE(m.addProcess(child.pid));
    child.release();
    auto cg = procCgroups(child.pid);
    if (*layout == Layout::V2) {
        CHECK(cg[""] == name);
    } else {
        for (const auto& [c, dir] : g.paths) {
            if (c.empty()) continue;
            bool found = false;
            for (const auto& [key, path] : cg) {
                auto ctrls = splitControllers(key);
                if (std::find(ctrls.begin(), ctrls.end(), c) == ctrls.end()) continue;
                found = true;
                CHECK(path == name);
            }
            INFO("controller " << c);
            CHECK(found);
        }
        if (*layout == Layout::Hybrid) CHECK(cg[""] == name);
    }

    auto pids = m.pids();
    REQUIRE(pids);
    CHECK(*pids == std::vector<pid_t>{child.pid});

    CG_REQUIRE(m.freeze());
    CHECK(*m.isFrozen());
    if (*layout != Layout::V2) CHECK(cgtest::get(g.paths["freezer"] + "/freezer.state") == "FROZEN\n");
    CG_REQUIRE(m.thaw());
    CHECK_FALSE(*m.isFrozen());

    auto st = m.stats();
    REQUIRE(st);
    CHECK(st->pidsCurrent == 1);
    CHECK(st->pidsLimit == 32);
    CHECK(st->memoryLimit == uint64_t{64} << 20);
    auto oom = m.oomKillCount();
    REQUIRE(oom);
    CHECK(*oom == 0);

    CG_REQUIRE(m.destroy());
    int status = child.reap();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    for (const auto& [c, dir] : g.paths) CHECK_FALSE(cgtest::exists(dir));
}

TEST_CASE("real host: destroy kills a frozen cgroup's processes and sub-cgroups", "[root][cgroups]") {
    if (!isRoot()) return;
    Options opts;
    auto made = make(opts, uniqueName("frozen"), "x");
    REQUIRE(made);
    Guard g(std::move(*made));
    CG_REQUIRE(g.m->create());
    Child a = Child::spawn([] { return -1; });
    Child b = Child::spawn([] { return -1; });
    CG_REQUIRE(g.m->addProcess(a.pid));
    a.release();
    b.release();
    // b goes into a sub-cgroup of every hierarchy.
    for (const auto& [c, dir] : g.paths) {
        CG_REQUIRE(mkdirAll(dir + "/sub"));
        if (c == "cpuset") {
            for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
                auto v = readFile(dir, f);
                REQUIRE(v);
                CG_REQUIRE(writeFile("", dir + "/sub", f, std::string(trim(*v))));
            }
        }
    }
    for (const auto& [c, dir] : g.paths) CG_REQUIRE(writeProc(dir + "/sub", b.pid));
    auto pids = g.m->pids();
    REQUIRE(pids);
    CHECK(pids->size() == 2);
    CG_REQUIRE(g.m->freeze());
    CG_REQUIRE(g.m->destroy());
    CHECK(WTERMSIG(a.reap()) == SIGKILL);
    CHECK(WTERMSIG(b.reap()) == SIGKILL);
    for (const auto& [c, dir] : g.paths) CHECK_FALSE(cgtest::exists(dir));
}

TEST_CASE("real host: openJoinPlan puts a cloned child in every hierarchy without addProcess", "[root][cgroups]") {
    if (!isRoot()) return;
    Options opts;
    const std::string name = uniqueName("join");
    auto made = make(opts, name, "x");
    REQUIRE(made);
    Guard g(std::move(*made));
    CG_REQUIRE(g.m->create());
    auto plan = g.m->openJoinPlan();
    REQUIRE(plan);
    const Layout layout = g.m->layout();
    CHECK(plan->cloneInto.valid() == (layout != Layout::V1));
    CHECK(plan->selfJoin.empty() == (layout == Layout::V2));
    std::vector<int> fds;
    for (const auto& fd : plan->selfJoin) fds.push_back(fd.get());

    int ready[2];
    REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
    clone_args args{};
    args.exit_signal = SIGCHLD;
    if (plan->cloneInto.valid()) {
        args.flags = CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(plan->cloneInto.get());
    }
    pid_t pid = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
    REQUIRE(pid >= 0);
    if (pid == 0) {
        char c = joinSelf(fds.data(), fds.size()) == 0 ? 'y' : 'n';
        (void)!::write(ready[1], &c, 1);
        for (;;) ::pause();
    }
    Child child;  // kills and reaps on scope exit
    child.pid = pid;
    ::close(ready[1]);
    char c = 0;
    CHECK(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    CHECK(c == 'y');
    auto cg = procCgroups(pid);
    for (const auto& [key, path] : cg) {
        if (key == "rdma" || key == "misc" || key == "net_cls,net_prio" || key == "perf_event") continue;
        INFO("hierarchy '" << key << "'");
        bool ours = key.empty() ? layout != Layout::V1 : g.paths.count(splitControllers(key).front()) > 0;
        if (ours) CHECK(path == name);
    }
    auto pids = g.m->pids();
    REQUIRE(pids);
    CHECK(*pids == std::vector<pid_t>{pid});
    CG_REQUIRE(g.m->destroy());
    CHECK(WTERMSIG(child.reap()) == SIGKILL);
}

TEST_CASE("joinSelf reports the failing fd", "[cgroups]") {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    int fds[2] = {p[1], p[0]};  // the read end cannot be written
    errno = 0;
    CHECK(joinSelf(fds, 2) == 2);
    CHECK(errno == EBADF);
    char buf[4];
    CHECK(::read(p[0], buf, sizeof buf) == 1);
    CHECK(buf[0] == '0');
    ::close(p[0]);
    ::close(p[1]);
    CHECK(joinSelf(nullptr, 0) == 0);
}

TEST_CASE("real host: relative cgroupsPath resolves under our own cgroups", "[root][cgroups]") {
    if (!isRoot()) return;
    Options opts;
    auto made = make(opts, "rcpp-rel", "x");  // make() creates nothing
    REQUIRE(made);
    auto own = procCgroups(::getpid());
    for (const auto& [c, dir] : (*made)->paths()) {
        INFO(c << " -> " << dir);
        CHECK(dir.ends_with("/rcpp-rel"));
        CHECK_FALSE(cgtest::exists(dir));
    }
    if ((*made)->layout() != Layout::V2) {
        CHECK((*made)->paths().at("memory") ==
              joinPath(joinPath("/sys/fs/cgroup/memory", own.at("memory")), "rcpp-rel"));
    }
}

namespace {

// Opens each device in the child and reports a bitmask of the opens that succeeded.
int probeDevices() {
    int bits = 0;
    auto tryOpen = [&](const char* path, int flags, int bit) {
        int fd = ::open(path, flags | O_CLOEXEC);
        if (fd >= 0) {
            bits |= bit;
            ::close(fd);
        }
    };
    tryOpen("/dev/null", O_RDONLY, 1);
    tryOpen("/dev/null", O_WRONLY, 2);
    tryOpen("/dev/zero", O_RDWR, 4);
    tryOpen("/dev/full", O_RDONLY, 8);
    return bits;
}

std::vector<spec::DeviceCgroup> deviceRules() {
    return {{false, "a", std::nullopt, std::nullopt, "rwm"},
            {true, "c", 1, 3, "rwm"},
            {true, "c", 1, 5, "rwm"},
            {false, "c", 1, 3, "w"},
            {true, "c", 1, 7, "w"}};
}

}  // namespace

TEST_CASE("real host: v1 device rules are enforced", "[root][cgroups]") {
    if (!isRoot()) return;
    Options opts;
    auto layout = detect(opts);
    REQUIRE(layout);
    if (*layout == Layout::V2) return;
    auto made = make(opts, uniqueName("dev"), "x");
    REQUIRE(made);
    Guard g(std::move(*made));
    CG_REQUIRE(g.m->create());
    spec::Resources r;
    r.devices = deviceRules();
    CG_REQUIRE(g.m->set(r));
    CHECK(get(g.paths["devices"] + "/devices.list") == "c 1:3 rm\nc 1:5 rwm\nc 1:7 w\n");
    Child child = Child::spawn(probeDevices);
    CG_REQUIRE(g.m->addProcess(child.pid));
    child.release();
    int st = child.reap();
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == (1 | 4));  // /dev/null read only, /dev/zero rw, /dev/full no read
}

TEST_CASE("real host: the eBPF device filter is enforced", "[root][cgroups]") {
    if (!isRoot()) return;
    std::string mount = hasCgroup2("/sys/fs/cgroup") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
    if (!hasCgroup2(mount)) return;
    std::string dir = mount + uniqueName("bpf");
    struct Rm {
        std::string d;
        ~Rm() {
            (void)v2::killAll(d);
            (void)removeCgroupTree(d);
        }
    } rm{dir};
    CG_REQUIRE(mkdirAll(dir));
    auto rules = devices::rulesFromSpec(deviceRules());
    REQUIRE(rules);
    CG_REQUIRE(v2::setDevices(dir, *rules));
    CHECK(attachedDevicePrograms(dir) == 1);
    // Setting again replaces the program instead of stacking a second one.
    CG_REQUIRE(v2::setDevices(dir, *rules));
    CHECK(attachedDevicePrograms(dir) == 1);
    Child child = Child::spawn(probeDevices);
    CG_REQUIRE(writeProc(dir, child.pid));
    child.release();
    int st = child.reap();
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == (1 | 4));
}

TEST_CASE("real host: hybrid sets hugetlb in the unified hierarchy", "[root][cgroups]") {
    if (!isRoot()) return;
    Options opts;
    auto layout = detect(opts);
    REQUIRE(layout);
    if (*layout != Layout::Hybrid) return;
    auto mounts = findV1Mounts(opts);
    REQUIRE(mounts);
    for (const auto& m : *mounts)
        for (const auto& c : m.controllers)
            if (c == "hugetlb") return;  // hugetlb is on v1 here
    auto ctrls = v2::availableControllers("/sys/fs/cgroup/unified");
    REQUIRE(ctrls);
    if (std::find(ctrls->begin(), ctrls->end(), "hugetlb") == ctrls->end()) return;
    const std::string before = get("/sys/fs/cgroup/unified/cgroup.subtree_control");
    struct Restore {
        std::string before;
        ~Restore() {
            if (before.find("hugetlb") == std::string::npos)
                (void)writeFile("", "/sys/fs/cgroup/unified", "cgroup.subtree_control", "-hugetlb");
        }
    } restore{before};
    auto made = make(opts, uniqueName("huge"), "x");
    REQUIRE(made);
    Guard g(std::move(*made));
    CG_REQUIRE(g.m->create());
    spec::Resources r;
    r.hugepageLimits = {{"2MB", 4 << 20}};
    CG_REQUIRE(g.m->set(r));
    CHECK(get(g.paths[""] + "/hugetlb.2MB.max") == "4194304\n");
    auto st = g.m->stats();
    REQUIRE(st);
    CHECK(st->hugetlb.at("2MB").max == 4194304);
}
