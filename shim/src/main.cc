// containerd-shim-runccpp-v2: a containerd shim v2 on libcontainer.
//
//   <shim> -namespace NS -address A -publish-binary B -id ID start   (in the bundle dir)
//       makes the ttrpc socket, daemonises a server on it, prints "unix://<socket>"; a
//       container of a group (a pod: io.kubernetes.cri.sandbox-id in config.json) whose shim
//       is already running gets that shim's address instead
//   <shim> -namespace NS -address A -id ID -bundle B delete
//       cleans up after a dead shim; prints a DeleteResponse protobuf on stdout
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "base/file.h"
#include "libcontainer/runtime.h"
#include "libcontainer/security.h"
#include "spec/json.h"
#include "loop.h"
#include "mounts.h"
#include "task.h"
#include "task_shim.pb.h"
#include "ttrpc_client.h"
#include "ttrpc_server.h"

namespace {

struct Args {
    std::string ns, address, publishBinary, id, bundle, socket, command;
    bool debug = false;
    bool version = false;
};

// Go's flag syntax: -name value, --name value, -name=value; booleans take no value.
bool parseArgs(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s.empty() || s[0] != '-') {
            a.command = s;
            continue;
        }
        s.erase(0, s.starts_with("--") ? 2 : 1);
        std::string value;
        bool hasValue = false;
        if (auto eq = s.find('='); eq != std::string::npos) {
            value = s.substr(eq + 1);
            s.erase(eq);
            hasValue = true;
        }
        if (s == "debug" || s == "v" || s == "version") {
            if (s == "debug") a.debug = true; else a.version = true;
            continue;
        }
        if (!hasValue) {
            if (i + 1 >= argc) return false;
            value = argv[++i];
        }
        if (s == "namespace") a.ns = value;
        else if (s == "address") a.address = value;
        else if (s == "publish-binary") a.publishBinary = value;
        else if (s == "id") a.id = value;
        else if (s == "bundle") a.bundle = value;
        else if (s == "socket") a.socket = value;
        // unknown flags with a value are ignored (newer containerd versions add some)
    }
    return true;
}

std::string hexHash(const std::string& s) {
    // two FNV-1a variants: a stable, well-spread name for the socket
    uint64_t h1 = 1469598103934665603ull, h2 = 0x84222325cbf29ce4ull;
    for (unsigned char c : s) {
        h1 = (h1 ^ c) * 1099511628211ull;
        h2 = (h2 ^ c) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
    }
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h1),
                  static_cast<unsigned long long>(h2));
    return buf;
}

std::string cwd() {
    char buf[4096];
    return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string(".");
}

lc::Result<lc::UniqueFd> listenUnix(const std::string& path) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof sa.sun_path) return lc::fail("socket path too long: " + path);
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return lc::errnoError("socket");
    lc::UniqueFd owned(fd);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return lc::errnoError("bind " + path);
    ::chmod(path.c_str(), 0600);
    if (::listen(fd, 64) < 0) return lc::errnoError("listen " + path);
    return owned;
}

// The tree's file helpers (base/file.h); the shim's bootstrap files are best effort.
void writeFile(const std::string& path, const std::string& text) {
    (void)lc::util::writeFileAtomic(path, text, 0644);
}

std::string readFile(const std::string& path) {
    auto r = lc::util::readFile(path);
    return r ? std::move(*r) : std::string();
}

int serve(const Args& a, lc::UniqueFd listener) {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) return 1;
    lc::UniqueFd sigfd(sfd);

    auto loop = shim::Loop::create();
    if (!loop) return 1;
    const char* ttrpcAddr = ::getenv("TTRPC_ADDRESS");
    shim::Publisher pub(a.ns, ttrpcAddr ? ttrpcAddr : "", a.publishBinary, a.address);
    shim::TaskService task(**loop, pub, {a.ns, a.id, cwd()});
    shim::ttrpc::Server server(**loop, std::move(listener),
                               [&](const shim::ttrpc::Call& c, shim::ttrpc::Reply r) { task.handle(c, r); });
    auto reap = [&] {
        int st = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) task.onExit(pid, st);
    };
    bool stopping = false;
    task.onShutdown([&] {
        stopping = true;
        (*loop)->stop();
    });
    if (!server.start()) return 1;
    if (!(*loop)->watch(sigfd.get(), EPOLLIN, [&](uint32_t) {
            signalfd_siginfo si;
            while (::read(sigfd.get(), &si, sizeof si) == sizeof si) {}
            reap();
        }))
        return 1;
    (*loop)->setIdle(reap);
    (void)(*loop)->run();
    server.flush();
    (void)stopping;
    if (!a.socket.empty()) ::unlink(a.socket.c_str());
    return 0;
}

// The group a container's shim serves: the first of containerd-shim-runc-v2's grouping
// annotations that the bundle's config.json carries, else the container alone. A config
// that cannot be read is left for Create to report (as "OCI runtime create failed").
std::string groupOf(const std::string& bundle, const std::string& id) {
    auto s = spec::loadSpecFile(bundle + "/config.json");
    if (!s) return id;
    for (const char* label : {"io.containerd.runc.v2.group", "io.kubernetes.cri.sandbox-id"}) {
        auto it = s->annotations.find(label);
        if (it != s->annotations.end() && !it->second.empty()) return it->second;
    }
    return id;
}

// Another container of a running group: the bundle gets the group shim's address (and its
// pid, asked with Connect); containerd then creates the task over that socket.
int joinGroup(const Args& a, const std::string& bundle, const std::string& address) {
    writeFile(bundle + "/address", address);
    shim::ttrpc::Client client(address);
    containerd::task::v2::ConnectRequest req;
    req.set_id(a.id);
    if (auto r = client.call("containerd.task.v2.Task", "Connect", req.SerializeAsString(), {}, 2000); r) {
        containerd::task::v2::ConnectResponse resp;
        if (resp.ParseFromString(*r) && resp.shim_pid() > 0)
            writeFile(bundle + "/shim.pid", std::to_string(resp.shim_pid()));
    }
    std::printf("%s\n", address.c_str());
    return 0;
}

int startCommand(const Args& a, char** argv) {
    std::string bundle = cwd();
    std::string group = groupOf(bundle, a.id);
    std::string sock = "/run/containerd/s/" + hexHash(a.address + "/" + a.ns + "/" + group);
    std::string address = "unix://" + sock;
    ::mkdir("/run/containerd", 0711);
    ::mkdir("/run/containerd/s", 0711);
    auto l = listenUnix(sock);
    if (!l && l.error().errnum() == EADDRINUSE) {
        // A live shim on the socket serves this group: hand out its address. Otherwise the
        // socket was left by a dead shim: take it over.
        if (shim::ttrpc::dialUnix(sock)) return joinGroup(a, bundle, address);
        ::unlink(sock.c_str());
        l = listenUnix(sock);
    }
    if (!l) {
        std::fprintf(stderr, "%s\n", l.error().message().c_str());
        return 1;
    }
    writeFile(bundle + "/address", address);
    std::fflush(stdout);
    pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("fork");
        return 1;
    }
    if (pid == 0) {
        ::setsid();
        int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        // the shim's log: containerd reads the "log" fifo in the bundle
        int log = ::open((bundle + "/log").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(log >= 0 ? log : null, 2);
        if (log >= 0) {
            int fl = ::fcntl(2, F_GETFL);
            ::fcntl(2, F_SETFL, fl & ~O_NONBLOCK);
            ::close(log);
        }
        ::close(null);
        writeFile(bundle + "/shim.pid", std::to_string(::getpid()));
        Args child = a;
        child.socket = sock;
        (void)argv;
        ::_exit(serve(child, std::move(*l)));
    }
    std::printf("%s\n", address.c_str());
    return 0;
}

// Cleanup after a dead shim: force-delete the container, unmount its rootfs, report it.
int deleteCommand(const Args& a) {
    std::string bundle = a.bundle.empty() ? cwd() : a.bundle;
    std::string root = readFile(shim::rootFileOf(bundle));
    if (root.empty()) root = "/run/containerd/runc-cpp/" + a.ns;
    auto rt = lc::Runtime::open({.root = root});
    if (rt) {
        auto c = rt->load(a.id);
        if (c) {
            auto d = c->destroy(true);
            if (!d) std::fprintf(stderr, "delete %s: %s\n", a.id.c_str(), d.error().message().c_str());
        }
    }
    (void)shim::unmountAll(bundle + "/rootfs");
    containerd::task::v2::DeleteResponse resp;
    resp.set_exit_status(128 + SIGKILL);
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    resp.mutable_exited_at()->set_seconds(ts.tv_sec);
    resp.mutable_exited_at()->set_nanos(static_cast<int32_t>(ts.tv_nsec));
    std::string out = resp.SerializeAsString();
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    if (!parseArgs(argc, argv, a)) {
        std::fprintf(stderr, "usage: %s -namespace NS -address ADDR -id ID start|delete\n", argv[0]);
        return 2;
    }
    if (a.version) {
        std::printf("containerd-shim-runccpp-v2 (runc-cpp)\n");
        return 0;
    }
    if (a.ns.empty() || a.id.empty()) {
        std::fprintf(stderr, "shim namespace and id are required\n");
        return 1;
    }
    if (a.command == "start") {
        // The daemon forked below clones container processes from this image: first
        // re-execute from a copy no container can write (CVE-2019-5736 class), as the CLI does.
        if (auto r = lc::protectRuntimeExe(argv, environ); !r) {
            std::fprintf(stderr, "%s\n", r.error().message().c_str());
            return 1;
        }
        return startCommand(a, argv);
    }
    if (a.command == "delete") return deleteCommand(a);
    std::fprintf(stderr, "unknown command %s\n", a.command.c_str());
    return 1;
}
