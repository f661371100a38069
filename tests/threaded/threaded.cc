// A multi-threaded embedder (issue 16 item 4): it starts the runc-cpp helper first, then
// runs N threads that each create, start, exec into, read stats of, kill, wait for and
// delete their own busybox container at the same time, while another thread churns the
// allocator. Checks every output, exit status and that nothing is left (state, cgroups,
// processes). Root only.
//   usage: threaded-embedder ROOTFS STATE_ROOT THREADS ID_PREFIX CGROUP_PARENT
//          threaded-embedder --die ROOTFS STATE_ROOT ID CGROUP_PARENT
// Container ids are ID_PREFIX-<n>, their cgroups /CGROUP_PARENT/<id>. --die creates and
// starts one container, prints "helper <pid> init <pid>" and kills itself (the helper must
// follow; the container stays, as a detached one does).
//          threaded-embedder --timens ROOTFS STATE_ROOT ID CGROUP_PARENT TIME_NS_PATH
// --timens creates a container that joins a time namespace, directly with a second thread
// running and then through the helper, and prints how each went.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "libcontainer/builder.h"
#include "libcontainer/remote.h"

namespace {

lc::RuntimeOptions rootAt(const std::string& root) {
    lc::RuntimeOptions o;
    o.root = root;
    return o;
}

std::mutex outMu;
std::atomic<int> failures{0};

void report(bool ok, const std::string& what) {
    std::lock_guard g(outMu);
    std::printf("%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
    std::fflush(stdout);
    if (!ok) ++failures;
}

template <typename T>
bool check(const lc::Result<T>& r, const std::string& what) {
    if (!r) report(false, what + ": " + r.error().message());
    return static_cast<bool>(r);
}

// Everything from `fd` until EOF (or `want` bytes with a terminal, which has no EOF).
std::string readAll(int fd, size_t want = 0) {
    std::string out;
    char buf[512];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10000) != 1) break;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (want && out.size() >= want) break;
    }
    return out;
}

struct Pipe {
    lc::UniqueFd r, w;
    Pipe() {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) == 0) r.reset(p[0]), w.reset(p[1]);
    }
};

// One exec: its output on a pipe, its status through the helper.
void execCheck(lc::RemoteContainer& c, const spec::Process& base, std::vector<std::string> args,
               const std::string& wantOut, int wantStatus, const std::string& what) {
    lc::ExecOptions eo;
    eo.process = base;
    eo.process.terminal = false;
    eo.process.args = std::move(args);
    Pipe out;
    eo.stdio.out = out.w.get();
    eo.stdio.err = out.w.get();
    auto p = c.exec(eo);
    out.w.reset();
    if (!check(p, what + " exec")) return;
    std::string got = readAll(out.r.get());
    pollfd pf{p->pidfd.get(), POLLIN, 0};
    report(p->pidfd && ::poll(&pf, 1, 10000) == 1, what + " pidfd polls readable at exit");
    auto st = c.waitProcess(p->pid);
    if (!check(st, what + " waitProcess")) return;
    report(got == wantOut, what + " output " + (got == wantOut ? "" : "'" + got + "' != '" + wantOut + "'"));
    report(*st == wantStatus, what + " status " + std::to_string(*st));
    report(!c.waitProcess(p->pid), what + " status is given once");
}

std::string cgroupParent;

void worker(lc::RemoteRuntime& rt, const std::string& rootfs, const std::string& prefix, int i) {
    const std::string id = prefix + "-" + std::to_string(i);
    const bool tty = i == 1;  // this init has a terminal: its pty master comes back from create
    auto sp = lc::SpecBuilder()
                  .rootfs(rootfs)
                  .terminal(tty)
                  .args({"sh", "-c", "echo init-" + std::to_string(i) + "; exec sleep 1000"})
                  .cgroupsPath("/" + cgroupParent + "/" + id)
                  .pidsLimit(64)
                  .build();
    if (!check(sp, id + " spec")) return;
    Pipe out;
    lc::CreateOptions co;
    co.id = id;
    if (tty) {
        co.keepConsole = true;
    } else {
        co.stdio.out = out.w.get();
        co.stdio.err = out.w.get();
    }
    auto c = rt.create(co, *sp);
    out.w.reset();
    if (!check(c, id + " create")) return;
    report(c->pidfd() >= 0, id + " create gives a pidfd");
    lc::UniqueFd console = c->takeConsole();  // open until the end: closing it hangs up the init
    if (tty) report(console.valid(), id + " create gives the pty master");
    auto st = c->state();
    if (check(st, id + " state")) report(st->status == "created" && st->pid == c->initPid(), id + " is created");
    if (!check(c->start(), id + " start")) return;
    const std::string want = "init-" + std::to_string(i) + (tty ? "\r\n" : "\n");
    std::string got = tty ? (console ? readAll(console.get(), want.size()) : "") : readAll(out.r.get());
    report(got == want, id + " init output '" + got + "'");
    st = c->state();
    if (check(st, id + " state")) report(st->status == "running", id + " is running");

    // No fd of the program or of the helper reaches the container: ls's own directory is 3.
    execCheck(*c, *sp->process, {"sh", "-c", "echo exec-" + std::to_string(i) + "; ls /proc/self/fd; exit 7"},
              "exec-" + std::to_string(i) + "\n0\n1\n2\n3\n", 7 << 8, id + " exec");
    execCheck(*c, *sp->process, {"ls", "/proc/1/fd"}, "0\n1\n2\n", 0, id + " init's fds");
    if (i == 0) {  // a terminal: the pty master comes back from the helper
        lc::ExecOptions eo;
        eo.process = *sp->process;
        eo.process.terminal = true;
        eo.process.args = {"echo", "tty"};
        eo.keepConsole = true;
        auto p = c->exec(eo);
        if (check(p, id + " exec -t")) {
            report(p->console.valid(), id + " exec -t gives the pty master");
            std::string tty = p->console ? readAll(p->console.get(), 5) : "";
            report(tty == "tty\r\n", id + " output through the pty '" + tty + "'");
            auto ws = c->waitProcess(p->pid);
            report(ws && *ws == 0, id + " exec -t status");
        }
    }

    auto stats = c->stats();
    if (check(stats, id + " stats"))
        report(stats->pidsCurrent >= 1 && stats->pidsLimit == 64, id + " stats: pids " + std::to_string(stats->pidsCurrent) + "/" + std::to_string(stats->pidsLimit));
    auto pids = c->pids();
    if (check(pids, id + " pids")) report(!pids->empty() && (*pids)[0] == c->initPid(), id + " pids lists the init");

    const pid_t init = c->initPid();
    if (!check(c->kill(SIGKILL), id + " kill")) return;
    auto ws = c->wait();
    if (check(ws, id + " wait")) report(WIFSIGNALED(*ws) && WTERMSIG(*ws) == SIGKILL, id + " init killed by SIGKILL");
    if (!check(c->destroy(), id + " delete")) return;
    report(::kill(init, 0) < 0 && errno == ESRCH, id + " init is gone");
    report(!rt.load(id), id + " no longer loads");
}

// Creates and starts one container through the helper, then dies by SIGKILL.
int dieAfterCreate(const std::string& rootfs, const std::string& root, const std::string& id) {
    auto rt = lc::RemoteRuntime::start(rootAt(root));
    if (!check(rt, "start the helper")) return 1;
    auto sp = lc::SpecBuilder().rootfs(rootfs).args({"sleep", "1000"}).cgroupsPath("/" + cgroupParent + "/" + id).build();
    if (!check(sp, "spec")) return 1;
    lc::CreateOptions co;
    co.id = id;
    lc::UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));  // not the caller's stdio: it outlives us
    co.stdio = {null.get(), null.get(), null.get()};
    auto c = rt->create(co, *sp);
    if (!check(c, "create") || !check(c->start(), "start")) return 1;
    std::printf("helper %d init %d\n", rt->helperPid(), c->initPid());
    std::fflush(stdout);
    ::kill(::getpid(), SIGKILL);
    return 1;
}

// A container that joins the time namespace at `nsPath`: straight from this process while a
// second thread runs (the library's setns(CLONE_NEWTIME) in the caller must fail), then
// through the helper (it must work). Prints one line per way.
int timeNamespace(const std::string& rootfs, const std::string& root, const std::string& id, const std::string& nsPath) {
    auto rt = lc::RemoteRuntime::start(rootAt(root));
    if (!check(rt, "start the helper")) return 1;
    auto sp = lc::SpecBuilder()
                  .rootfs(rootfs)
                  .args({"true"})
                  .namespace_("time", nsPath)
                  .cgroupsPath("/" + cgroupParent + "/" + id)
                  .build();
    if (!check(sp, "spec")) return 1;
    lc::UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    lc::CreateOptions co;
    co.id = id;
    co.stdio = {null.get(), null.get(), null.get()};
    std::atomic<bool> stop{false};
    std::thread second([&] { while (!stop) ::usleep(1000); });
    auto local = lc::Runtime::open(rootAt(root));
    if (!check(local, "open")) return 1;
    auto direct = local->create(co, *sp);
    std::printf("direct: %s\n", direct ? "created" : direct.error().message().c_str());
    if (direct) (void)direct->destroy(true);
    auto viaHelper = rt->create(co, *sp);
    std::printf("helper: %s\n", viaHelper ? "created" : viaHelper.error().message().c_str());
    if (viaHelper) (void)viaHelper->destroy(true);
    stop = true;
    second.join();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 7 && std::string(argv[1]) == "--timens") {
        cgroupParent = argv[5];
        return timeNamespace(argv[2], argv[3], argv[4], argv[6]);
    }
    if (argc == 6 && std::string(argv[1]) == "--die") {
        cgroupParent = argv[5];
        return dieAfterCreate(argv[2], argv[3], argv[4]);
    }
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s ROOTFS STATE_ROOT THREADS ID_PREFIX CGROUP_PARENT\n", argv[0]);
        return 2;
    }
    const std::string rootfs = argv[1], root = argv[2], prefix = argv[4];
    cgroupParent = argv[5];
    const int n = std::atoi(argv[3]);
    if (n < 1 || n > 64) return 2;
    auto rt = lc::RemoteRuntime::start(rootAt(root));  // first, while single-threaded
    if (!rt) {
        std::fprintf(stderr, "start the helper: %s\n", rt.error().message().c_str());
        return 1;
    }
    std::printf("helper %d\n", rt->helperPid());
    std::atomic<bool> stop{false};
    std::thread noise([&] {  // a program's own threads, allocating all the time
        while (!stop) {
            std::vector<std::string> v(64, std::string(200, 'x'));
            (void)v;
        }
    });
    std::vector<std::thread> workers;
    for (int i = 0; i < n; ++i) workers.emplace_back(worker, std::ref(*rt), rootfs, prefix, i);
    for (auto& t : workers) t.join();
    stop = true;
    noise.join();
    auto left = rt->list();
    report(left && left->empty(), "no container left in the state root");
    const pid_t helper = rt->helperPid();
    rt = std::unexpected(lc::Error{});
    report(::kill(helper, 0) < 0 && errno == ESRCH, "the helper is gone with the RemoteRuntime");
    std::printf("%d failures\n", failures.load());
    return failures ? 1 : 0;
}
