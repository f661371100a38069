// An out-of-tree user of the installed library (tests/consumer/run.sh builds it with only
// `pkg-config --cflags --libs runc-cpp` against a `meson install --destdir` tree): creates a
// container, starts it, execs into it, reads its stats and deletes it, with the processes'
// stdio on pipes of its own (CreateOptions::stdio, ExecOptions::stdio).
//
// usage: consumer ROOTFS ID STATE_ROOT     prints one "ok: ..." line per step, exits 0
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <libcontainer/builder.h>
#include <libcontainer/runtime.h>

namespace {

int failWith(const std::string& what) {
    std::fprintf(stderr, "consumer: %s\n", what.c_str());
    return 1;
}

struct Pipe {
    lc::UniqueFd rd, wr;
    bool open() {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) < 0) return false;
        rd.reset(p[0]), wr.reset(p[1]);
        return true;
    }
};

// One line from fd (without the newline); empty at EOF.
std::string readLine(int fd) {
    std::string line;
    char ch;
    while (::read(fd, &ch, 1) == 1 && ch != '\n') line += ch;
    return line;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) return failWith("usage: consumer ROOTFS ID STATE_ROOT");
    const std::string rootfs = argv[1], id = argv[2], root = argv[3];

    lc::RuntimeOptions ro;  // (designated initializers: g++ 12's -Wextra warns on the fields left out)
    ro.root = root;
    auto rt = lc::Runtime::open(ro);
    if (!rt) return failWith("open: " + rt.error().message());
    auto spec = lc::SpecBuilder()
                    .rootfs(rootfs)
                    .args({"sh", "-c", "echo init-says-hi; exec sleep 300"})
                    .hostname(id)
                    .cgroupsPath("/" + id)
                    .pidsLimit(64)
                    .build();
    if (!spec) return failWith("spec: " + spec.error().message());

    {   // a bad stdio fd is refused up front, naming it, and leaves nothing behind
        lc::CreateOptions bad;
        bad.id = id;
        bad.stdio.err = 1000;
        auto c = rt->create(bad, *spec);
        if (c || c.error().message().find("stdio: stderr fd 1000") == std::string::npos)
            return failWith("create with a closed stdio fd: " + (c ? std::string("succeeded") : c.error().message()));
        if (rt->load(id)) return failWith("create with a closed stdio fd left the container behind");
        std::printf("ok: refused %s\n", c.error().message().c_str());
    }

    Pipe initOut;
    if (!initOut.open()) return failWith(std::string("pipe: ") + std::strerror(errno));
    lc::CreateOptions co;
    co.id = id;
    co.stdio.out = initOut.wr.get();
    auto c = rt->create(co, *spec);
    if (!c) return failWith("create: " + c.error().message());
    initOut.wr.reset();
    std::printf("ok: create %s (init pid %d)\n", id.c_str(), static_cast<int>(c->initPid()));

    int rc = 0;
    auto step = [&]() -> std::string {
        if (auto s = c->start(); !s) return "start: " + s.error().message();
        if (auto line = readLine(initOut.rd.get()); line != "init-says-hi") return "init stdout: got \"" + line + "\"";
        std::printf("ok: start (the init wrote to our pipe)\n");

        Pipe in, out;
        if (!in.open() || !out.open()) return std::string("pipe: ") + std::strerror(errno);
        auto base = c->configProcess();
        if (!base) return "config process: " + base.error().message();
        lc::ExecOptions eo;
        eo.process = *base;
        eo.process.args = {"sh", "-c", "read x; echo exec-got:$x; hostname"};
        eo.stdio.in = in.rd.get();
        eo.stdio.out = out.wr.get();
        auto p = c->exec(eo);
        if (!p) return "exec: " + p.error().message();
        in.rd.reset(), out.wr.reset();
        if (::write(in.wr.get(), "ping\n", 5) != 5) return std::string("write: ") + std::strerror(errno);
        if (auto l = readLine(out.rd.get()); l != "exec-got:ping") return "exec stdout: got \"" + l + "\"";
        if (auto l = readLine(out.rd.get()); l != id) return "exec hostname: got \"" + l + "\"";
        int status = 0;
        while (::waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {}
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "exec: wait status " + std::to_string(status);
        std::printf("ok: exec (stdin and stdout on our pipes, exit 0)\n");

        auto st = c->stats();
        if (!st) return "stats: " + st.error().message();
        if (st->pidsCurrent < 1) return "stats: pids.current " + std::to_string(st->pidsCurrent);
        if (st->pidsLimit != 64) return "stats: pids limit " + std::to_string(st->pidsLimit);
        std::printf("ok: stats (pids %llu of %llu, memory %llu bytes)\n",
                    static_cast<unsigned long long>(st->pidsCurrent), static_cast<unsigned long long>(st->pidsLimit),
                    static_cast<unsigned long long>(st->memoryUsage));

        if (auto k = c->kill(SIGKILL); !k) return "kill: " + k.error().message();
        auto w = c->wait();
        if (!w) return "wait: " + w.error().message();
        if (!WIFSIGNALED(*w) || WTERMSIG(*w) != SIGKILL) return "wait status " + std::to_string(*w);
        return {};
    };
    if (std::string err = step(); !err.empty()) {
        std::fprintf(stderr, "consumer: %s\n", err.c_str());
        rc = 1;
    }
    if (auto d = c->destroy(true); !d) return failWith("delete: " + d.error().message());
    auto gone = rt->load(id);
    if (gone || gone.error().errnum() != ENOENT) return failWith("delete: the container is still in the store");
    std::printf("ok: delete\n");
    return rc;
}
