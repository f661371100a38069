// The order of the steps a container process takes between clone and execve, for create
// and exec, built by the one launch plan (api/launch_plan.h) and run by process::initSteps
// against recording fakes: the privileged process calls (tests/core/recording_calls.h) and
// the rootfs's mount and file calls (tests/rootfs/fake_syscalls.h) share one log. Nothing
// needs root: the fakes only record, the sync channel is a real socketpair whose runtime
// end is loaded beforehand with what the runtime would send.
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../rootfs/fake_syscalls.h"
#include "../rootfs/rootfs_test_util.h"
#include "api/launch_plan.h"
#include "process/init.h"
#include "process/sync.h"
#include "recording_calls.h"
#include "security/security.h"
#include "util/fileutil.h"

using namespace lc;
using lc::test::FakeSyscalls;
using lc::test::RecordingCalls;
using lc::test::TempDir;

namespace {

spec::Namespace ns(const char* type, std::string path = "") {
    spec::Namespace n;
    n.type = type;
    n.path = std::move(path);
    return n;
}

// A runnable spec: new namespaces, a user with a supplementary group, a reduced capability
// set, no_new_privs and a seccomp profile.
spec::Spec baseSpec() {
    spec::Spec sp;
    sp.ociVersion = "1.2.0";
    sp.root = spec::Root{};
    sp.root->path = "rootfs";
    sp.hostname = "box";
    spec::Process p;
    p.args = {"/bin/sh", "-c", "true"};
    p.env = {"PATH=/bin"};
    p.cwd = "/";
    p.user.uid = 1000;
    p.user.gid = 1000;
    p.user.additionalGids = {10};
    spec::Capabilities caps;
    caps.bounding = caps.permitted = caps.effective = {"CAP_CHOWN", "CAP_KILL"};
    p.capabilities = caps;
    p.noNewPrivileges = true;
    sp.process = p;
    spec::Linux lx;
    lx.namespaces = {ns("pid"), ns("mount"), ns("uts"), ns("ipc"), ns("network"), ns("cgroup")};
    spec::Seccomp sc;
    sc.defaultAction = "SCMP_ACT_ALLOW";
    spec::SeccompSyscall rule;
    rule.names = {"mkdir"};
    rule.action = "SCMP_ACT_ERRNO";
    sc.syscalls = {rule};
    lx.seccomp = sc;
    sp.linux = lx;
    return sp;
}

// A new user namespace mapping `size` ids from `container` to `host`, uids and gids alike.
void addUserNs(spec::Spec& sp, uint32_t container, uint32_t host, uint32_t size) {
    sp.linux->namespaces.push_back(ns("user"));
    spec::IdMapping m;
    m.containerID = container;
    m.hostID = host;
    m.size = size;
    sp.linux->uidMappings = sp.linux->gidMappings = {m};
}

// A launch built by planCreate/planExec and run by initSteps.
struct Harness {
    TempDir t;
    std::string rootfs = t / "rootfs";
    FakeSyscalls fs{rootfs};
    std::vector<std::string>& log = fs.log;  // one log for both fakes
    RecordingCalls pc{fs.log};
    spec::Spec sp = baseSpec();
    UniqueFd runtimeEnd, childEnd;
    std::vector<UniqueFd> joinFds;
    cgroups::JoinPlan cgroupJoin;
    CreateOptions copts;
    ExecOptions eopts;
    api::LaunchSpec ls;

    Harness() {
        test::mkdirs(rootfs);
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        runtimeEnd.reset(sv[0]);
        childEnd.reset(sv[1]);
        copts.id = "ctr";
    }

    // What the runtime sends, in order (SEQPACKET keeps them apart).
    void send(process::Msg m, const std::string& payload = "") {
        REQUIRE(process::sendMsg(runtimeEnd.get(), m, 0, payload));
    }
    void planCreate() {
        auto nsPlan = namespaces::plan(*sp.linux);
        REQUIRE(nsPlan);
        joinFds.clear();
        for (size_t i = 0; i < nsPlan->joins.size(); ++i) joinFds.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        api::CreateInput in;
        in.spec = &sp;
        in.opts = &copts;
        in.ns = &*nsPlan;
        in.joinFds = &joinFds;
        in.cgroupJoin = &cgroupJoin;
        in.rootfs = rootfs;
        in.bundle = t.path();
        in.fs = &fs;
        rootfs::Config rc = api::rootfsConfigFor(in);
        rc.host.resolved = true;  // what rootfs::resolve() reads from the host's mountinfo
        rc.host.rootfsParentMount = "/";
        auto planned = api::planCreate(in, std::move(rc), true);
        INFO((planned ? std::string() : planned.error().message()));
        REQUIRE(planned);
        ls = std::move(*planned);
        if (ls.init.caps) ls.init.caps->lastCap = pc.lastCap;  // the fake's kernel
    }
    void planExec(int nsFlags) {
        eopts.process = *sp.process;
        api::ExecInput in;
        in.spec = &sp;
        in.opts = &eopts;
        in.containerId = "ctr";
        in.nsFlags = nsFlags;
        in.initPidFd = 7;
        in.initRootFd = 8;
        in.cgroupJoin = &cgroupJoin;
        auto planned = api::planExec(in);
        INFO((planned ? std::string() : planned.error().message()));
        REQUIRE(planned);
        ls = std::move(*planned);
        if (ls.init.caps) ls.init.caps->lastCap = pc.lastCap;
    }
    // A create's child: the runtime's Go, then HooksDone once the mounts are ready.
    Result<void> runCreate() {
        send(process::Msg::Go, "s");
        send(process::Msg::HooksDone);
        return run();
    }
    // An exec's two stages: stage 1's clone continues as the visible process (the fake's
    // clone answers 0), which gets its own Go.
    Result<void> runExec() {
        pc.siblingPid = 0;
        send(process::Msg::Go, "s");
        send(process::Msg::Go, "s");
        return run();
    }
    // Runs the child's steps; they end in the fake execve (ENOEXEC) unless a step fails.
    Result<void> run() {
        ls.init.syncFd = childEnd.get();
        process::bindStages(ls.init, ls.plan);
        return process::initSteps(ls.init, pc);
    }
    // The messages the child sent, by type.
    std::vector<process::Msg> sent() {
        std::vector<process::Msg> out;
        for (;;) {
            char probe;
            if (::recv(runtimeEnd.get(), &probe, 1, MSG_PEEK | MSG_DONTWAIT) < 0) break;
            auto m = process::recvMsg(runtimeEnd.get());
            if (!m) break;
            out.push_back(m->type);
        }
        return out;
    }
    // Index of the first log line starting with `prefix` (-1: none).
    long at(const std::string& prefix, size_t from = 0) const {
        for (size_t i = from; i < log.size(); ++i)
            if (log[i].rfind(prefix, 0) == 0) return static_cast<long>(i);
        return -1;
    }
    long lastAt(const std::string& prefix) const {
        for (size_t i = log.size(); i-- > 0;)
            if (log[i].rfind(prefix, 0) == 0) return static_cast<long>(i);
        return -1;
    }
    // Every prefix of `want` is found, in this order.
    void requireInOrder(const std::vector<std::string>& want) const {
        size_t from = 0;
        for (const auto& w : want) {
            long i = at(w, from);
            INFO("step \"" << w << "\" after line " << from << "\n" << dump());
            REQUIRE(i >= 0);
            from = static_cast<size_t>(i) + 1;
        }
    }
    std::string dump() const {
        std::string out;
        for (const auto& l : log) out += "  " + l + "\n";
        return out;
    }
};

std::string hexOf(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
    return buf;
}

// The bounding set's drops for a plan keeping `kept` (CAP_* numbers), up to the fake's lastCap.
std::string drops(std::initializer_list<int> kept, int last = 40) {
    std::string out = "prctl CAPBSET_DROP ";
    bool first = true;
    for (int c = 0; c <= last; ++c) {
        if (std::find(kept.begin(), kept.end(), c) != kept.end()) continue;
        out += (first ? "" : ",") + std::to_string(c);
        first = false;
    }
    return out;
}

}  // namespace

TEST_CASE("init order, default create: namespaces, mounts, root switch, identity, caps, no_new_privs, seccomp, execve",
          "[core][init]") {
    Harness h;
    h.planCreate();
    // The plan: clone3 makes every namespace but cgroup (the child unshares it once in its
    // cgroup) and time; the parent writes the pid into the cgroup (no fd to clone into).
    CHECK(h.ls.plan.cloneFlags == static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET));
    CHECK(h.ls.init.unshareFlags == CLONE_NEWCGROUP);
    CHECK(h.ls.parentJoinsCgroup);
    CHECK_FALSE(h.ls.writeIdMaps);
    CHECK(h.ls.plan.nonDumpable);
    CHECK_FALSE(h.ls.plan.twoStage);
    CHECK(h.ls.init.seccomp);
    CHECK(h.ls.seccompListenerPath.empty());

    auto r = h.runCreate();
    REQUIRE_FALSE(r);
    INFO(h.dump());
    CHECK(r.error().errnum() == ENOEXEC);
    CHECK(r.error().message().find("exec /bin/sh") != std::string::npos);

    const int sync = h.childEnd.get();
    h.requireInOrder({
        "unshare " + hexOf(CLONE_NEWCGROUP),  // in its cgroup already: the cgroup ns roots there
        "setsid",
        "keyctl_join _ses.ctr",
        "mount ",                             // the rootfs (prepare) ...
        "pivot_root ",                        // ... then the root switch
        "sethostname box",
        "close_range 3-" + std::to_string(sync - 1),  // host fds closed, the sync socket kept
        "close_range " + std::to_string(sync + 1) + "-max",
        "chdir /",                            // process.cwd
        drops({0, 5}),                        // bounding set: all but CAP_CHOWN and CAP_KILL
        "prctl KEEPCAPS 1",                   // keep the permitted set across setresuid
        "setgroups 10",
        "setresgid 1000 1000 1000",
        "setresuid 1000 1000 1000",
        "capset eff=0x21 perm=0x21",
        "prctl AMBIENT_CLEAR",
        "prctl KEEPCAPS 0",
        "close " + std::to_string(sync),      // after Ready
        "prctl NO_NEW_PRIVS",
        "seccomp ",                           // last before execve: nothing after it but exec
        "close_range 3-max cloexec",
        "execve /bin/sh /bin/sh -c true",
    });
    CHECK(h.log.back() == "execve /bin/sh /bin/sh -c true");
    // Every mount and every other rootfs call happens before the root switch is done, and
    // none after the identity changes.
    CHECK(h.lastAt("mount ") < h.at("close_range"));
    CHECK(h.at("setsid") < h.at("mount "));
    // Not in a user namespace: no setresuid to 0 first, no setns.
    CHECK(h.at("setresuid 0") < 0);
    CHECK(h.at("setns") < 0);
    CHECK(h.pc.count("seccomp") == 1);
    CHECK(h.sent() == std::vector<process::Msg>{process::Msg::MountsReady, process::Msg::Ready});
}

TEST_CASE("init order, create without no_new_privs: seccomp goes in before the capabilities are dropped", "[core][init]") {
    Harness h;
    h.sp.process->noNewPrivileges = false;
    h.planCreate();
    REQUIRE_FALSE(h.runCreate());
    INFO(h.dump());
    // seccomp(2) needs CAP_SYS_ADMIN without no_new_privs: before the bounding set and the uid change.
    h.requireInOrder({"chdir /", "seccomp ", "prctl CAPBSET_DROP", "setresuid 1000", "capset", "execve"});
    CHECK(h.at("prctl NO_NEW_PRIVS") < 0);
}

TEST_CASE("init order, userns create: root of the new user namespace first, setgroups kept when gids are mapped",
          "[core][init]") {
    Harness h;
    addUserNs(h.sp, 0, 100000, 65536);
    h.planCreate();
    CHECK(h.ls.writeIdMaps);  // the parent writes the maps before Go
    CHECK((h.ls.plan.cloneFlags & CLONE_NEWUSER) != 0);
    CHECK_FALSE(h.ls.plan.nonDumpable);  // a user-namespaced child must reach its own /proc
    CHECK(h.ls.init.rootfs.inUserNs);
    REQUIRE_FALSE(h.runCreate());
    INFO(h.dump());
    CHECK(h.log.front() == "setresgid 0 0 0");
    CHECK(h.log[1] == "setresuid 0 0 0");
    h.requireInOrder({"setresgid 0 0 0", "setresuid 0 0 0", "unshare", "setsid", "mount ", "pivot_root",
                      "prctl KEEPCAPS 1", "setgroups 10", "setresgid 1000", "setresuid 1000", "capset", "execve"});
}

TEST_CASE("init order, rootless: setgroups denied skips setgroups, and asked-for groups are an error before any id change",
          "[core][init]") {
    Harness h;
    addUserNs(h.sp, 1000, 1000, 1);
    h.pc.setgroupsDeniedAnswer = 1;  // an unprivileged caller mapping only its own gid

    SECTION("no additional gids: no setgroups at all") {
        h.sp.process->user.additionalGids.clear();
        h.planCreate();
            REQUIRE_FALSE(h.runCreate());
        INFO(h.dump());
        CHECK(h.at("setgroups") < 0);
        h.requireInOrder({"setresgid 0 0 0", "setresuid 0 0 0", "prctl KEEPCAPS 1", "setresgid 1000", "setresuid 1000",
                          "capset", "prctl NO_NEW_PRIVS", "seccomp", "execve"});
    }
    SECTION("additional gids: EPERM naming them, no setgroups/setresgid/setresuid after it") {
        h.planCreate();
            auto r = h.runCreate();
        REQUIRE_FALSE(r);
        INFO(h.dump());
        CHECK(r.error().errnum() == EPERM);
        CHECK(r.error().message().find("additional groups in a rootless container") != std::string::npos);
        CHECK(h.log.back() == "prctl KEEPCAPS 1");
        CHECK(h.at("setresgid 1000") < 0);
        CHECK(h.at("execve") < 0);
    }
}

TEST_CASE("init order, create joining namespaces by path: user first, each setns before the mounts", "[core][init]") {
    Harness h;
    h.sp.linux->namespaces = {ns("mount"), ns("uts"), ns("network", "/run/netns/a"), ns("ipc", "/run/ipc/a"),
                              ns("user", "/proc/1/ns/user")};
    h.planCreate();
    CHECK(h.ls.init.userNs);
    std::vector<std::string> joins;
    for (size_t i = 0; i < h.ls.init.ns.joins.size(); ++i)
        joins.push_back("setns " + std::to_string(h.ls.init.joinFds[i]) + " " + std::to_string(h.ls.init.ns.joins[i].flag));
    REQUIRE(joins.size() == 3);
    CHECK(h.ls.init.ns.joins.front().flag == CLONE_NEWUSER);
    REQUIRE_FALSE(h.runCreate());
    INFO(h.dump());
    h.requireInOrder({joins[0], joins[1], joins[2], "setsid", "mount ", "pivot_root", "setresuid 1000", "execve"});
    CHECK(h.at("setresuid 0") < 0);  // a joined user namespace: no become-root step
}

TEST_CASE("init order, exec into a running container: cgroup, one setns of the init's namespaces, host fds, then the visible clone",
          "[core][init]") {
    Harness h;
    // A v1 host: the child writes "0" into each tasks file first (here a temp file).
    const std::string tasks = h.t / "tasks";
    test::writeFile(tasks, "");
    h.cgroupJoin.selfJoin.emplace_back(::open(tasks.c_str(), O_WRONLY | O_CLOEXEC));
    const int tasksFd = h.cgroupJoin.selfJoin.back().get();
    const int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
    h.sp.process->user.additionalGids.clear();
    h.planExec(flags);
    CHECK(h.ls.plan.twoStage);
    CHECK_FALSE(h.ls.parentJoinsCgroup);  // the child joins by itself
    CHECK(h.ls.init.execRootFd == -1);    // joins the mount namespace: root comes with it
    CHECK(h.ls.plan.stage1SharesMemory);  // stage 1 may run in the runtime's memory
    auto r = h.runExec();
    REQUIRE_FALSE(r);
    INFO(h.dump());
    CHECK(r.error().errnum() == ENOEXEC);
    auto written = lc::util::readFile(tasks);
    REQUIRE(written);
    CHECK(*written == "0");
    const int sync = h.childEnd.get();
    h.requireInOrder({
        "close " + std::to_string(tasksFd),     // in the container's cgroup before anything else
        "setns 7 " + std::to_string(flags),      // every namespace of the init at once (pidfd)
        "close_range",                           // stage 1 drops every host fd ...
        "nondumpable",
        "clone",                                 // ... before the process the container sees
        "close_range 3-" + std::to_string(sync - 1),
        "chdir /",
        drops({0, 5}),
        "prctl KEEPCAPS 1",
        "setresgid 1000 1000 1000",
        "setresuid 1000 1000 1000",
        "capset",
        "prctl NO_NEW_PRIVS",
        "seccomp ",
        "execve /bin/sh",
    });
    // No container building in an exec: no mounts, root switch, hostname, setsid (no tty).
    CHECK(h.at("mount") < 0);
    CHECK(h.at("pivot_root") < 0);
    CHECK(h.at("sethostname") < 0);
    CHECK(h.at("setsid") < 0);
    CHECK(h.at("setgroups") >= 0);  // an empty list: the runtime's groups are dropped
    CHECK(h.sent() == std::vector<process::Msg>{process::Msg::Ready});
}

TEST_CASE("exec plan: stage 1 shares the runtime's memory only where the kernel and the isolation allow it",
          "[core][init]") {
    const int base = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET;
    // The child joins its cgroup itself (a v1 tasks file, here a temp file).
    auto selfJoining = [](Harness& h) {
        const std::string tasks = h.t / "tasks";
        test::writeFile(tasks, "");
        h.cgroupJoin.selfJoin.emplace_back(::open(tasks.c_str(), O_WRONLY | O_CLOEXEC));
    };
    {
        Harness h;
        selfJoining(h);
        h.planExec(base);
        CHECK(h.ls.plan.stage1SharesMemory);
    }
    {
        Harness h;  // a time namespace: setns refuses a process whose memory is shared (EUSERS)
        selfJoining(h);
        h.planExec(base | CLONE_NEWTIME);
        CHECK_FALSE(h.ls.plan.stage1SharesMemory);
    }
    {
        Harness h;  // a user namespace: stage 1 would join it in the runtime's memory
        selfJoining(h);
        addUserNs(h.sp, 0, 100000, 65536);
        h.planExec(base | CLONE_NEWUSER);
        CHECK_FALSE(h.ls.plan.stage1SharesMemory);
    }
    {
        Harness h;  // nothing to join by itself: the runtime moves the child after the clone
        h.planExec(base);
        CHECK(h.ls.parentJoinsCgroup);
        CHECK_FALSE(h.ls.plan.stage1SharesMemory);
    }
}

TEST_CASE("exec, stage 1 in the runtime's memory: no Go for stage 1; stage 2 still waits for its own", "[core][init]") {
    Harness h;
    h.planExec(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET);
    h.ls.init.stage1SharesMemory = true;  // what launch sets when the shared clone worked
    h.pc.siblingPid = 0;
    h.send(process::Msg::Go, "only-go");  // the one Go: stage 2's
    auto r = h.run();
    REQUIRE_FALSE(r);
    INFO(h.dump());
    CHECK(r.error().errnum() == ENOEXEC);  // reached the fake execve: the Go was stage 2's
    h.requireInOrder({"setns 7", "close_range", "clone", "execve"});
}

TEST_CASE("init order, exec without a mount namespace: chroot into the init's root", "[core][init]") {
    Harness h;
    h.planExec(CLONE_NEWPID | CLONE_NEWNET);
    CHECK(h.ls.init.execRootFd == 8);
    REQUIRE_FALSE(h.runExec());
    INFO(h.dump());
    h.requireInOrder({"setns 7 " + std::to_string(CLONE_NEWPID | CLONE_NEWNET), "fchdir 8", "chroot .", "close_range",
                      "clone", "setresuid 1000", "execve"});
}

TEST_CASE("init order: a failing setresuid is named and nothing after it runs", "[core][init]") {
    Harness h;
    h.planCreate();
    h.pc.failOn = "setresuid";
    auto r = h.runCreate();
    REQUIRE_FALSE(r);
    INFO(h.dump());
    CHECK(r.error().errnum() == EPERM);
    CHECK(r.error().message().find("setuid 1000") != std::string::npos);
    CHECK(h.log.back() == "setresuid 1000 1000 1000");
    for (const char* after : {"capset", "prctl NO_NEW_PRIVS", "seccomp", "execve", "close_range 3-max cloexec"})
        CHECK(h.at(after) < 0);
    // Ready was never sent: the runtime hears the error instead.
    CHECK(h.sent() == std::vector<process::Msg>{process::Msg::MountsReady});
}

TEST_CASE("launch plan: exec options go through the same console rules as create", "[core][init]") {
    spec::Process p;
    p.terminal = true;
    api::ProcessIo io;
    auto r = api::checkProcessIo(p, io);
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("cannot allocate tty") != std::string::npos);
    io.keepConsole = true;
    CHECK(api::checkProcessIo(p, io));
    p.terminal = false;
    io.consoleSocket = "/run/x.sock";
    CHECK_FALSE(api::checkProcessIo(p, io));
}
