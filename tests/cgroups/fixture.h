// Fixture cgroup trees for the cgroup manager tests: plain directories with the files a v1,
// hybrid or v2 host has, plus a fake procRoot (self/mountinfo, self/cgroup).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cgroups/manager.h"

// REQUIRE for a Result: on failure the error message is reported.
#define CG_REQUIRE(expr)                                              \
    do {                                                              \
        auto&& cg_r_ = (expr);                                        \
        if (!cg_r_) FAIL(#expr << ": " << cg_r_.error().message());   \
    } while (0)

namespace cgtest {

namespace fs = std::filesystem;

inline void put(const std::string& path, const std::string& content) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::trunc) << content;
}
inline std::string get(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
inline bool exists(const std::string& path) { return fs::exists(path); }

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "cgtest-XXXXXX").string();
        char* p = ::mkdtemp(tmpl.data());
        path_ = p ? p : "";
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The v1 hierarchies of the fixture: directory name and mount options.
struct Hier {
    std::string dir;
    std::string opts;  // superblock options, e.g. "rw,cpu,cpuacct"
    std::string own;   // the fake process's cgroup in it
};

inline std::vector<Hier> defaultHierarchies() {
    return {
        {"cpu,cpuacct", "rw,cpu,cpuacct", "/user.slice"},
        {"cpuset", "rw,cpuset", "/"},
        {"memory", "rw,memory", "/user.slice/me"},
        {"devices", "rw,devices", "/user.slice"},
        {"freezer", "rw,freezer", "/"},
        {"blkio", "rw,blkio", "/user.slice"},
        {"pids", "rw,pids", "/user.slice"},
        {"hugetlb", "rw,hugetlb", "/"},
        {"net_cls,net_prio", "rw,net_cls,net_prio", "/"},
        {"rdma", "rw,rdma", "/"},
        {"systemd", "rw,xattr,name=systemd", "/user.slice/session-1.scope"},
    };
}

// A v1 (hybrid = with a unified dir) fixture rooted at <tmp>/cg, with <tmp>/proc.
class V1Tree {
public:
    explicit V1Tree(bool hybrid = false, std::vector<Hier> hiers = defaultHierarchies())
        : hiers_(std::move(hiers)), hybrid_(hybrid) {
        root_ = tmp_.path() + "/cg";
        proc_ = tmp_.path() + "/proc";
        std::string mountinfo =
            "22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
            "31 22 0:28 / " + root_ + " rw,relatime - tmpfs tmpfs rw,mode=755\n";
        std::string cgroup;
        int id = 1, n = 40;
        for (const auto& h : hiers_) {
            put(root_ + "/" + h.dir + "/cgroup.procs", "");
            int mid = n++;
            mountinfo += std::to_string(mid) + " 31 0:" + std::to_string(mid) + " / " + root_ + "/" + h.dir +
                         " rw,nosuid shared:9 - cgroup cgroup " + h.opts + "\n";
            std::string ctrls = h.dir == "systemd" ? "name=systemd" : h.dir;
            cgroup = std::to_string(id++) + ":" + ctrls + ":" + h.own + "\n" + cgroup;
        }
        if (hybrid_) {
            put(root_ + "/unified/cgroup.controllers", "hugetlb\n");
            put(root_ + "/unified/cgroup.subtree_control", "");
            put(root_ + "/unified/cgroup.procs", "");
            mountinfo += "60 31 0:60 / " + root_ + "/unified rw - cgroup2 cgroup2 rw\n";
        }
        cgroup += "0::/user.slice/session-1.scope\n";
        put(proc_ + "/self/mountinfo", mountinfo);
        put(proc_ + "/self/cgroup", cgroup);
        put(root_ + "/cpuset/cpuset.cpus", "0-3\n");
        put(root_ + "/cpuset/cpuset.mems", "0\n");
    }

    lc::cgroups::Options options() const { return {root_, proc_}; }
    const std::string& root() const { return root_; }
    const std::string& proc() const { return proc_; }
    std::string dir(const std::string& hier) const { return root_ + "/" + hier; }

    // Creates `rel` (e.g. "/ctr") in every hierarchy with the files the kernel would have.
    void populate(const std::string& rel) const {
        for (const auto& h : hiers_) {
            std::string d = root_ + "/" + h.dir + rel;
            fs::create_directories(d);
            put(d + "/cgroup.procs", "");
            for (const auto& [file, value] : filesFor(h.dir)) put(d + "/" + file, value);
        }
        if (hybrid_) {
            std::string d = root_ + "/unified" + rel;
            put(d + "/cgroup.procs", "");
            put(d + "/cgroup.controllers", "");
            put(d + "/hugetlb.2MB.max", "max\n");
            put(d + "/hugetlb.2MB.current", "0\n");
            put(d + "/hugetlb.2MB.events", "max 0\n");
        }
    }

    static std::vector<std::pair<std::string, std::string>> filesFor(const std::string& dir) {
        if (dir == "memory")
            return {{"memory.limit_in_bytes", "9223372036854771712\n"},
                    {"memory.memsw.limit_in_bytes", "9223372036854771712\n"},
                    {"memory.soft_limit_in_bytes", "9223372036854771712\n"},
                    {"memory.kmem.limit_in_bytes", "9223372036854771712\n"},
                    {"memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n"},
                    {"memory.swappiness", "60\n"},
                    {"memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"},
                    {"memory.use_hierarchy", "1\n"},
                    {"memory.usage_in_bytes", "0\n"}};
        if (dir == "cpu,cpuacct")
            return {{"cpu.shares", "1024\n"},       {"cpu.cfs_quota_us", "-1\n"},
                    {"cpu.cfs_period_us", "100000\n"}, {"cpu.cfs_burst_us", "0\n"},
                    {"cpu.rt_runtime_us", "0\n"},    {"cpu.rt_period_us", "1000000\n"},
                    {"cpu.idle", "0\n"},             {"cpuacct.usage", "0\n"}};
        if (dir == "cpuset") return {{"cpuset.cpus", ""}, {"cpuset.mems", ""}};
        if (dir == "devices") return {{"devices.allow", ""}, {"devices.deny", ""}, {"devices.list", "a *:* rwm\n"}};
        if (dir == "freezer") return {{"freezer.state", "THAWED\n"}, {"freezer.self_freezing", "0\n"}};
        if (dir == "blkio")
            return {{"blkio.weight", "500\n"},
                    {"blkio.leaf_weight", "500\n"},
                    {"blkio.weight_device", ""},
                    {"blkio.leaf_weight_device", ""},
                    {"blkio.throttle.read_bps_device", ""},
                    {"blkio.throttle.write_bps_device", ""},
                    {"blkio.throttle.read_iops_device", ""},
                    {"blkio.throttle.write_iops_device", ""}};
        if (dir == "pids") return {{"pids.max", "max\n"}, {"pids.current", "0\n"}};
        if (dir == "hugetlb") return {{"hugetlb.2MB.limit_in_bytes", "9223372036854771712\n"}};
        if (dir == "net_cls,net_prio") return {{"net_cls.classid", "0\n"}, {"net_prio.ifpriomap", ""}};
        if (dir == "rdma") return {{"rdma.max", ""}};
        return {};
    }

private:
    TempDir tmp_;
    std::vector<Hier> hiers_;
    bool hybrid_;
    std::string root_, proc_;
};

// A v2 fixture rooted at <tmp>/cg2 with <tmp>/proc; the fake process is in /user.slice/me.
class V2Tree {
public:
    V2Tree() {
        root_ = tmp_.path() + "/cg2";
        proc_ = tmp_.path() + "/proc";
        put(root_ + "/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        put(root_ + "/cgroup.subtree_control", "");
        put(root_ + "/cgroup.procs", "");
        put(proc_ + "/self/cgroup", "0::/user.slice/me\n");
        put(proc_ + "/self/mountinfo", "31 22 0:28 / " + root_ + " rw - cgroup2 cgroup2 rw\n");
    }
    lc::cgroups::Options options() const { return {root_, proc_}; }
    const std::string& root() const { return root_; }

    // Creates `rel` with the files of a v2 cgroup (controllers as given).
    void populate(const std::string& rel, const std::string& controllers = "cpuset cpu io memory hugetlb pids rdma") const {
        std::string d = root_ + rel;
        put(d + "/cgroup.controllers", controllers + "\n");
        put(d + "/cgroup.subtree_control", "");
        put(d + "/cgroup.procs", "");
        put(d + "/cgroup.events", "populated 0\nfrozen 0\n");
        put(d + "/cgroup.freeze", "0\n");
        for (const char* f : {"memory.max", "memory.low", "memory.swap.max", "cpu.weight", "cpu.max",
                              "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "pids.max",
                              "io.weight", "io.max", "hugetlb.2MB.max", "rdma.max", "memory.high"})
            put(d + "/" + f, "");
        put(d + "/memory.current", "4096\n");
    }

private:
    TempDir tmp_;
    std::string root_, proc_;
};

}  // namespace cgtest
