// pod-replay: the task API calls containerd 1.6's CRI plugin makes for a Kubernetes pod,
// replayed over ttrpc against containerd-shim-runccpp-v2 (no containerd: the test runs
// `shim start` itself and is the events service the shim forwards to).
//
//   pod-replay SHIM ROOTFS WORKDIR [overlay|bind]     (root; integration/shim/pod.sh runs it)
//
// RunPodSandbox (pause, CRI annotations, netns by path, kubepods cgroup), two app containers
// joining its net/ipc/uts namespaces by path (the second its pid namespace too, and a memory
// limit), ExecSync, ContainerStats, an OOM kill in the second, StopContainer and
// StopPodSandbox with the CRI's Kill/Wait/State/Delete/Shutdown order. Checks: one shim
// process for the pod, the namespaces and cgroups of every task, exit codes, output, every
// event. Prints PASS:/FAIL: lines and "N passed, N failed".
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <dirent.h>
#include <filesystem>
#include <map>

#include "cgroups1_metrics.pb.h"
#include "cgroups2_metrics.pb.h"
#include "pod_config.h"
#include "pod_support.h"
#include "task_shim.pb.h"
#include "types_task.pb.h"

namespace t = containerd::task::v2;
namespace fs = std::filesystem;
using namespace pod;

namespace {

int passed = 0, failed = 0;

void check(const std::string& name, bool ok, const std::string& detail = "") {
    if (ok) {
        std::printf("PASS: %s\n", name.c_str());
        ++passed;
    } else {
        std::printf("FAIL: %s%s\n", name.c_str(), detail.empty() ? "" : (" (" + detail + ")").c_str());
        ++failed;
    }
    std::fflush(stdout);
}

struct Ctx {
    std::string shim, rootfs, work, mode, ns, address, events;
    PodInfo pod;
};

std::string bundleOf(const Ctx& c, const std::string& id) { return c.work + "/" + id; }

// The bundle as containerd lays it out: config.json, an empty rootfs mount point, a log
// file (containerd's is a fifo), and the snapshot the rootfs mount comes from.
void makeBundle(const Ctx& c, const std::string& id, const std::string& config) {
    std::string b = bundleOf(c, id);
    fs::create_directories(b + "/rootfs");
    writeText(b + "/config.json", config);
    writeText(b + "/log", "");
    std::string snap = c.work + "/snap/" + id;
    fs::create_directories(snap + "/work");
    if (c.mode == "bind") (void)std::system(("cp -a " + c.rootfs + " " + snap + "/fs").c_str());
    else fs::create_directories(snap + "/fs");
}

void addRootfs(const Ctx& c, const std::string& id, t::CreateTaskRequest& req) {
    std::string snap = c.work + "/snap/" + id;
    auto* m = req.add_rootfs();
    if (c.mode == "bind") {
        m->set_type("bind");
        m->set_source(snap + "/fs");
        m->add_options("rbind");
        m->add_options("rw");
    } else {
        m->set_type("overlay");
        m->set_source("overlay");
        m->add_options("index=off");
        m->add_options("workdir=" + snap + "/work");
        m->add_options("upperdir=" + snap + "/fs");
        m->add_options("lowerdir=" + c.rootfs);
    }
}

std::string processJson(const std::vector<std::string>& args) {
    std::string a = "[";
    for (size_t i = 0; i < args.size(); ++i) {
        a += i ? ",\"" : "\"";
        for (char ch : args[i]) {
            if (ch == '"' || ch == '\\') a += '\\';
            a += ch;
        }
        a += '"';
    }
    return R"({"args":)" + a + R"(],"cwd":"/","env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],)"
           R"("user":{"uid":0,"gid":0}})";
}

// ExecSync: Exec, Wait, Start, the exit, Delete; returns exit status and stdout.
struct ExecResult {
    std::optional<uint32_t> status;
    std::string out;
    std::string error;
};

ExecResult execSync(const Ctx& c, TaskClient& tc, const std::string& address, const std::string& id,
                    const std::string& execId, const std::vector<std::string>& args) {
    ExecResult res;
    FifoReader out(c.work + "/fifo-" + execId + "-out");
    FifoReader err(c.work + "/fifo-" + execId + "-err");  // the CRI's ExecSync has both
    t::ExecProcessRequest ex;
    ex.set_id(id);
    ex.set_exec_id(execId);
    ex.set_stdout(out.path());
    ex.set_stderr(err.path());
    ex.mutable_spec()->set_type_url("types.containerd.io/opencontainers/runtime-spec/1/Process");
    ex.mutable_spec()->set_value(processJson(args));
    if (auto r = tc.call("Exec", ex.SerializeAsString()); !r) return {std::nullopt, "", "Exec: " + r.error().message()};
    Waiter w(address, c.ns, id, execId);
    t::StartRequest st;
    st.set_id(id);
    st.set_exec_id(execId);
    if (auto r = tc.call("Start", st.SerializeAsString()); !r) res.error = "Start: " + r.error().message();
    res.status = res.error.empty() ? w.result() : std::nullopt;
    res.out = out.text(2000);
    t::DeleteRequest d;
    d.set_id(id);
    d.set_exec_id(execId);
    if (auto r = tc.call("Delete", d.SerializeAsString()); !r && res.error.empty()) res.error = "Delete: " + r.error().message();
    while (!res.out.empty() && res.out.back() == '\n') res.out.pop_back();
    return res;
}

// containerd's task Create + the CRI's Wait before Start.
struct Started {
    uint32_t pid = 0;
    std::unique_ptr<Waiter> wait;
};

Started createStart(const Ctx& c, TaskClient& tc, const std::string& address, const std::string& id,
                    const std::string& out, const std::string& err) {
    Started s;
    t::CreateTaskRequest cr;
    cr.set_id(id);
    cr.set_bundle(bundleOf(c, id));
    cr.set_stdout(out);
    cr.set_stderr(err);
    addRootfs(c, id, cr);
    auto r = tc.call("Create", cr.SerializeAsString(), 30000);
    check("create " + id, bool(r), r ? "" : r.error().message());
    if (!r) return s;
    t::CreateTaskResponse resp;
    (void)resp.ParseFromString(*r);
    s.pid = resp.pid();
    s.wait = std::make_unique<Waiter>(address, c.ns, id, "");
    t::StartRequest st;
    st.set_id(id);
    auto sr = tc.call("Start", st.SerializeAsString());
    check("start " + id, bool(sr), sr ? "" : sr.error().message());
    return s;
}

struct Connected {
    uint32_t shimPid = 0, taskPid = 0;
};

Connected connect(TaskClient& tc, const std::string& id) {
    t::ConnectRequest req;
    req.set_id(id);
    Connected c;
    t::ConnectResponse resp;
    if (auto r = tc.call("Connect", req.SerializeAsString()); r && resp.ParseFromString(*r)) {
        c.shimPid = resp.shim_pid();
        c.taskPid = resp.task_pid();
    }
    return c;
}

int stateOf(TaskClient& tc, const std::string& id) {
    t::StateRequest req;
    req.set_id(id);
    t::StateResponse resp;
    auto r = tc.call("State", req.SerializeAsString());
    return r && resp.ParseFromString(*r) ? static_cast<int>(resp.status()) : -1;
}

// Stats as the CRI reads them: pids, memory usage, OOM kills (v1 or v2 Metrics).
struct StatsView {
    bool ok = false;
    uint64_t pids = 0, memory = 0, oomKills = 0;
};

StatsView stats(TaskClient& tc, const std::string& id) {
    t::StatsRequest req;
    req.set_id(id);
    StatsView v;
    t::StatsResponse resp;
    auto r = tc.call("Stats", req.SerializeAsString());
    if (!r || !resp.ParseFromString(*r)) return v;
    const auto& any = resp.stats();
    if (any.type_url().find("v2") != std::string::npos) {
        io::containerd::cgroups::v2::Metrics m;
        v.ok = m.ParseFromString(any.value());
        v.pids = m.pids().current();
        v.memory = m.memory().usage();
        v.oomKills = m.memory_events().oom_kill();
    } else {
        io::containerd::cgroups::v1::Metrics m;
        v.ok = m.ParseFromString(any.value());
        v.pids = m.pids().current();
        v.memory = m.memory().usage().usage();
        v.oomKills = m.memory_oom_control().oom_kill();
    }
    return v;
}

// Shim processes of this namespace (the shim keeps its argv). A container init cloned by the
// shim carries the shim's argv until its execve (which may come just after Start answered):
// children of a shim process are not counted.
int shimsOf(const std::string& shim, const std::string& ns) {
    std::string base = fs::path(shim).filename();
    std::string needle = std::string("-namespace") + '\0' + ns + '\0';
    std::map<std::string, std::string> found;  // pid -> ppid
    for (const auto& e : fs::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmd = readText(e.path().string() + "/cmdline");
        if (cmd.find(base) == std::string::npos || cmd.find(needle) == std::string::npos) continue;
        std::string st = readText(e.path().string() + "/status");
        auto at = st.find("PPid:\t");
        found[name] = at == std::string::npos ? "" : st.substr(at + 6, st.find('\n', at) - at - 6);
    }
    int n = 0;
    for (const auto& [pid, ppid] : found) n += found.contains(ppid) ? 0 : 1;
    return n;
}

bool inCgroup(pid_t pid, const std::string& path) {
    std::string cg = readText("/proc/" + std::to_string(pid) + "/cgroup");
    return cg.find(":" + path + "\n") != std::string::npos;
}

// "CNI": a network namespace pinned on a file, before the sandbox exists.
bool pinNetns(const std::string& path) {
    writeText(path, "");
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::unshare(CLONE_NEWNET) < 0) ::_exit(1);
        ::_exit(::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) < 0 ? 2 : 0);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// The topics of one container's events, in order: "/tasks/exit:ID:STATUS" for exits.
std::string eventLine(const std::vector<Event>& evs, const std::string& cid) {
    std::string out;
    for (const auto& e : evs) {
        if (e.containerId != cid) continue;
        std::string s = e.topic.substr(7);  // drop "/tasks/"
        if (e.topic == "/tasks/exit") s += ":" + (e.id == cid ? std::string("init") : e.id) + ":" + std::to_string(e.exitStatus);
        else if (!e.execId.empty()) s += ":" + e.execId;
        out += (out.empty() ? "" : " ") + s;
    }
    return out;
}

// Can a process of ours lower its oom_score_adj (CAP_SYS_RESOURCE)? Tried in a child.
bool canLowerOomScore() {
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        ::_exit(fd >= 0 && ::write(fd, "-998", 4) == 4 ? 0 : 1);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

bool waitGone(pid_t pid, int ms) {
    for (int i = 0; i < ms / 20 && processAlive(pid); ++i) ::usleep(20000);
    return !processAlive(pid);
}

// Ours only (containerd-shim-runc-v2 waits for Shutdown): a one-task group whose task is
// deleted without a Shutdown ends by itself (TaskService::kIdleExitMs); unknown task ids and
// a second Create of an id are refused with containerd's codes.
void soloIdleExit(const Ctx& c, const EventSink& sink) {
    PodInfo solo = c.pod;
    solo.sandboxId = c.ns + "-solo";
    std::string id = solo.sandboxId;
    makeBundle(c, id, sandboxConfig(solo, {"/bin/sleep", "2147483647"}));
    auto addr = shimStart(c.shim, bundleOf(c, id), c.ns, c.address, id, sink.path());
    check("solo: shim start", bool(addr), addr ? "" : addr.error().message());
    if (!addr) return;
    TaskClient tc(*addr, c.ns);
    auto task = createStart(c, tc, *addr, id, "", "");
    pid_t shimPid = static_cast<pid_t>(connect(tc, id).shimPid);
    int code = 0;
    t::StateRequest st;
    st.set_id("no-such-task");
    auto r = tc.call("State", st.SerializeAsString(), 5000, &code);
    check("solo: a request for an unknown task is NotFound", !r && code == shim::ttrpc::kNotFound, std::to_string(code));
    t::CreateTaskRequest again;
    again.set_id(id);
    again.set_bundle(bundleOf(c, id));
    r = tc.call("Create", again.SerializeAsString(), 5000, &code);
    check("solo: a second Create of the id is AlreadyExists", !r && code == shim::ttrpc::kAlreadyExists, std::to_string(code));
    t::KillRequest k;
    k.set_id(id);
    k.set_signal(SIGKILL);
    (void)tc.call("Kill", k.SerializeAsString());
    auto w = task.wait ? task.wait->result() : std::nullopt;
    t::DeleteRequest d;
    d.set_id(id);
    r = tc.call("Delete", d.SerializeAsString());
    check("solo: killed and deleted", w == 137u && bool(r));
    check("solo: without Shutdown the shim ends after its last Delete", shimPid > 0 && waitGone(shimPid, 4000));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s SHIM ROOTFS WORKDIR [overlay|bind]\n", argv[0]);
        return 2;
    }
    ::signal(SIGPIPE, SIG_IGN);
    Ctx c;
    c.shim = argv[1];
    c.rootfs = argv[2];
    c.work = argv[3];
    c.mode = argc > 4 ? argv[4] : "overlay";
    std::string tag = "rcpp-pods-" + std::to_string(::getpid());
    c.ns = tag;
    c.address = c.work + "/containerd.sock";  // only named: the socket hash and publish use it
    c.pod.sandboxId = tag + "-sandbox";
    c.pod.name = "pod-" + std::to_string(::getpid());
    c.pod.uid = tag + "-uid";
    c.pod.cgroupParent = "/kubepods/besteffort/pod" + c.pod.uid;
    c.pod.netnsPath = c.work + "/netns";
    c.pod.sandboxDir = c.work + "/sandbox-files";
    c.pod.sandboxOomAdj = canLowerOomScore();
    if (!c.pod.sandboxOomAdj)
        std::printf("# no CAP_SYS_RESOURCE here: the sandbox's oomScoreAdj -998 is left out (runc cannot set it either)\n");
    const std::string sb = c.pod.sandboxId, a1 = tag + "-app1", a2 = tag + "-app2";

    fs::create_directories(c.pod.sandboxDir + "/shm");
    writeText(c.pod.sandboxDir + "/hostname", c.pod.name + "\n");
    writeText(c.pod.sandboxDir + "/hosts", "127.0.0.1 localhost\n");
    writeText(c.pod.sandboxDir + "/resolv.conf", "nameserver 127.0.0.1\n");
    if (::mount("shm", (c.pod.sandboxDir + "/shm").c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0 ||
        !pinNetns(c.pod.netnsPath)) {
        std::fprintf(stderr, "cannot prepare the pod's shm and netns\n");
        return 2;
    }
    EventSink sink(c.work + "/events.sock");
    if (auto s = sink.start(); !s) {
        std::fprintf(stderr, "events service: %s\n", s.error().message().c_str());
        return 2;
    }

    // RunPodSandbox
    makeBundle(c, sb, sandboxConfig(c.pod, {"/bin/sleep", "2147483647"}));
    auto addr = shimStart(c.shim, bundleOf(c, sb), c.ns, c.address, sb, sink.path());
    check("shim start for the sandbox", bool(addr), addr ? "" : addr.error().message());
    if (!addr) return 1;
    TaskClient tsb(*addr, c.ns);
    auto sbTask = createStart(c, tsb, *addr, sb, "", "");
    Connected con = connect(tsb, sb);
    check("sandbox: Connect names the shim and the task", con.shimPid > 0 && con.taskPid == sbTask.pid);
    pid_t shimPid = static_cast<pid_t>(con.shimPid);
    if (sbTask.pid == 0) {
        std::printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }

    // CreateContainer + StartContainer, twice: each `start` must find the pod's shim
    AppSpec app1{a1, "web", {"/bin/sh", "-c", "trap 'exit 0' TERM; echo app1 up; while :; do sleep 0.1; done"}, false, 0};
    AppSpec app2{a2, "hog", {"/bin/sh", "-c", "until [ -e /tmp/oom ]; do sleep 0.05; done; exec dd if=/dev/zero of=/dev/null bs=128M count=1"},
                 true, 32LL << 20};
    makeBundle(c, a1, appConfig(c.pod, app1, static_cast<pid_t>(sbTask.pid)));
    makeBundle(c, a2, appConfig(c.pod, app2, static_cast<pid_t>(sbTask.pid)));
    auto addr1 = shimStart(c.shim, bundleOf(c, a1), c.ns, c.address, a1, sink.path());
    check("app1: shim start returns the pod shim's address", addr1 && *addr1 == *addr, addr1 ? *addr1 : addr1.error().message());
    auto addr2 = shimStart(c.shim, bundleOf(c, a2), c.ns, c.address, a2, sink.path());
    check("app2: shim start returns the pod shim's address", addr2 && *addr2 == *addr, addr2 ? *addr2 : addr2.error().message());
    check("app bundles: address names the pod shim",
          readText(bundleOf(c, a1) + "/address") == *addr && readText(bundleOf(c, a2) + "/address") == *addr);
    if (c.shim.find("runccpp") != std::string::npos)  // ours only: containerd-shim-runc-v2 writes no shim.pid there
        check("app bundles: shim.pid names the pod shim", readText(bundleOf(c, a2) + "/shim.pid") == std::to_string(shimPid));
    TaskClient t1(*addr, c.ns), t2(*addr, c.ns);  // containerd: one connection per task
    FifoReader out1(c.work + "/fifo-app1-out"), err1(c.work + "/fifo-app1-err");
    auto a1Task = createStart(c, t1, *addr, a1, out1.path(), err1.path());
    auto a2Task = createStart(c, t2, *addr, a2, "", "");

    // one shim for the pod
    Connected c1 = connect(t1, a1), c2 = connect(t2, a2);
    check("one shim: Connect of every task names the same shim pid",
          c1.shimPid == con.shimPid && c2.shimPid == con.shimPid && c1.taskPid == a1Task.pid && c2.taskPid == a2Task.pid,
          std::to_string(con.shimPid) + " " + std::to_string(c1.shimPid) + " " + std::to_string(c2.shimPid));
    check("one shim: one shim process in the namespace", shimsOf(c.shim, c.ns) == 1, std::to_string(shimsOf(c.shim, c.ns)));
    std::string pp = "/proc/" + std::to_string(a1Task.pid) + "/status";
    check("one shim: the app inits are its children",
          readText(pp).find("PPid:\t" + std::to_string(shimPid) + "\n") != std::string::npos &&
              readText("/proc/" + std::to_string(a2Task.pid) + "/status").find("PPid:\t" + std::to_string(shimPid) + "\n") != std::string::npos);

    // namespaces by path, cgroups under the pod cgroup
    pid_t ps = static_cast<pid_t>(sbTask.pid), p1 = static_cast<pid_t>(a1Task.pid), p2 = static_cast<pid_t>(a2Task.pid);
    struct stat nst{};
    ::stat(c.pod.netnsPath.c_str(), &nst);
    check("sandbox: in the pinned netns", nsOf(ps, "net") == "net:[" + std::to_string(nst.st_ino) + "]", nsOf(ps, "net"));
    check("sandbox: own uts, ipc, pid, mnt namespaces",
          nsOf(ps, "uts") != nsOf(1, "uts") && nsOf(ps, "ipc") != nsOf(1, "ipc") && nsOf(ps, "pid") != nsOf(1, "pid") &&
              nsOf(ps, "mnt") != nsOf(1, "mnt"));
    for (auto [name, pid] : {std::pair{std::string("app1"), p1}, std::pair{std::string("app2"), p2}}) {
        check(name + ": joins the sandbox's net, ipc, uts",
              nsOf(pid, "net") == nsOf(ps, "net") && nsOf(pid, "ipc") == nsOf(ps, "ipc") && nsOf(pid, "uts") == nsOf(ps, "uts"),
              nsOf(pid, "net") + " " + nsOf(pid, "ipc") + " " + nsOf(pid, "uts"));
        check(name + ": own mount namespace", nsOf(pid, "mnt") != nsOf(ps, "mnt") && nsOf(pid, "mnt") != nsOf(1, "mnt"));
    }
    check("app1: own pid namespace", nsOf(p1, "pid") != nsOf(ps, "pid") && nsOf(p1, "pid") != nsOf(1, "pid"));
    check("app2: the sandbox's pid namespace (shared)", nsOf(p2, "pid") == nsOf(ps, "pid"), nsOf(p2, "pid"));
    check("cgroups: each task in its own cgroup under the pod cgroup",
          inCgroup(ps, c.pod.cgroupParent + "/" + sb) && inCgroup(p1, c.pod.cgroupParent + "/" + a1) &&
              inCgroup(p2, c.pod.cgroupParent + "/" + a2),
          readText("/proc/" + std::to_string(p1) + "/cgroup"));
    for (int i = 0; i < 100 && out1.text().empty(); ++i) ::usleep(20000);
    check("app1: its output reaches the stdout fifo", out1.text() == "app1 up\n", out1.text());

    // ExecSync
    auto x1 = execSync(c, t1, *addr, a1, "x1", {"/bin/sh", "-c", "hostname; tr '\\0' ' ' </proc/1/cmdline; exit 3"});
    check("exec app1: exit code 3", x1.status == 3u, x1.error);
    check("exec app1: the pod's hostname, its own pid 1",
          x1.out == c.pod.name + "\n/bin/sh -c " + app1.args[2] + " ", x1.out);
    auto x2 = execSync(c, t2, *addr, a2, "x2", {"/bin/sh", "-c", "tr '\\0' ' ' </proc/1/cmdline"});
    check("exec app2: sees the sandbox's pause as pid 1 (shared pid namespace)",
          x2.status == 0u && x2.out == "/bin/sleep 2147483647 ", x2.out + x2.error);

    // ContainerStats
    for (const auto& [id, tc] : {std::pair<std::string, TaskClient*>{sb, &tsb}, {a1, &t1}, {a2, &t2}}) {
        auto s = stats(*tc, id);
        check("stats " + id + ": pids and memory of its own cgroup", s.ok && s.pids >= 1 && s.memory > 0,
              std::to_string(s.pids) + " pids, " + std::to_string(s.memory) + " bytes");
    }

    // OOM in app2: its init (dd over the 32 MiB limit) is killed; the rest of the pod runs on
    auto x3 = execSync(c, t2, *addr, a2, "x3", {"/bin/touch", "/tmp/oom"});
    check("exec app2: trigger", x3.status == 0u, x3.error);
    check("oom app2: TaskOOM published", sink.waitFor("/tasks/oom", a2, "", 20000));
    auto w2 = a2Task.wait ? a2Task.wait->result() : std::nullopt;
    check("oom app2: Wait answers 137", w2 == 137u, w2 ? std::to_string(*w2) : "no answer");
    auto s2 = stats(t2, a2);
    check("oom app2: Stats counts the OOM kill", s2.ok && s2.oomKills >= 1, std::to_string(s2.oomKills));
    check("oom app2: the sandbox and app1 still run",
          stateOf(tsb, sb) == containerd::v1::types::RUNNING && stateOf(t1, a1) == containerd::v1::types::RUNNING);
    // the CRI's exit handler: State, Delete, then containerd's Shutdown for the task
    auto cleanup = [&](TaskClient& tc, const std::string& id, uint32_t want) {
        check("state " + id + ": STOPPED", stateOf(tc, id) == containerd::v1::types::STOPPED);
        t::DeleteRequest d;
        d.set_id(id);
        auto r = tc.call("Delete", d.SerializeAsString());
        t::DeleteResponse resp;
        check("delete " + id + ": exit status " + std::to_string(want), r && resp.ParseFromString(*r) && resp.exit_status() == want,
              r ? std::to_string(resp.exit_status()) : r.error().message());
        t::ShutdownRequest sd;
        sd.set_id(id);
        (void)tc.call("Shutdown", sd.SerializeAsString());
    };
    cleanup(t2, a2, 137);
    check("shutdown app2: the shim keeps serving the pod", processAlive(shimPid) && connect(tsb, sb).shimPid == con.shimPid);
    check("delete app2: its cgroup is removed", !inCgroup(ps, c.pod.cgroupParent + "/" + a2) &&
          !fs::exists("/sys/fs/cgroup/memory" + c.pod.cgroupParent + "/" + a2) &&
          !fs::exists("/sys/fs/cgroup" + c.pod.cgroupParent + "/" + a2));

    // StopContainer app1: SIGTERM, its trap exits 0
    {
        t::KillRequest k;
        k.set_id(a1);
        k.set_signal(SIGTERM);
        auto r = t1.call("Kill", k.SerializeAsString());
        check("stop app1: Kill SIGTERM", bool(r), r ? "" : r.error().message());
    }
    auto w1 = a1Task.wait ? a1Task.wait->result() : std::nullopt;
    check("stop app1: Wait answers 0", w1 == 0u, w1 ? std::to_string(*w1) : "no answer");
    cleanup(t1, a1, 0);
    check("shutdown app1: the shim keeps serving the sandbox", processAlive(shimPid) && stateOf(tsb, sb) == containerd::v1::types::RUNNING);

    // StopPodSandbox: SIGKILL to the pause, then its Delete and Shutdown end the shim
    {
        t::KillRequest k;
        k.set_id(sb);
        k.set_signal(SIGKILL);
        auto r = tsb.call("Kill", k.SerializeAsString());
        check("stop sandbox: Kill SIGKILL", bool(r), r ? "" : r.error().message());
    }
    auto ws = sbTask.wait ? sbTask.wait->result() : std::nullopt;
    check("stop sandbox: Wait answers 137", ws == 137u, ws ? std::to_string(*ws) : "no answer");
    cleanup(tsb, sb, 137);
    check("shutdown sandbox: the shim exits with the pod's last task", waitGone(shimPid, 3000));
    check("shutdown sandbox: no shim left in the namespace", shimsOf(c.shim, c.ns) == 0);
    check("shutdown sandbox: the shim's socket is removed", !fs::exists(addr->substr(7)));
    check("cleanup: no task cgroup left under the pod cgroup",
          !fs::exists("/sys/fs/cgroup/memory" + c.pod.cgroupParent + "/" + sb) &&
              !fs::exists("/sys/fs/cgroup" + c.pod.cgroupParent + "/" + sb));
    check("cleanup: the rootfs mounts are gone",
          readText("/proc/self/mounts").find(c.work + "/" + tag) == std::string::npos);

    // every event, per container, in order
    ::usleep(100000);
    auto evs = sink.events();
    check("events sandbox", eventLine(evs, sb) == "create start exit:init:137 delete", eventLine(evs, sb));
    check("events app1",
          eventLine(evs, a1) == "create start exec-added:x1 exec-started:x1 exit:x1:3 exit:init:0 delete",
          eventLine(evs, a1));
    check("events app2",
          eventLine(evs, a2) == "create start exec-added:x2 exec-started:x2 exit:x2:0 exec-added:x3 exec-started:x3 "
                                "exit:x3:0 oom exit:init:137 delete",
          eventLine(evs, a2));
    if (c.shim.find("runccpp") != std::string::npos) soloIdleExit(c, sink);
    sink.stop();
    ::umount2(c.pod.netnsPath.c_str(), MNT_DETACH);
    ::umount2((c.pod.sandboxDir + "/shm").c_str(), MNT_DETACH);
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
