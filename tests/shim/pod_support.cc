#include "pod_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "events_task.pb.h"
#include "task_shim.pb.h"
#include "ttrpc_events.pb.h"

namespace pod {

namespace ev = containerd::events;

namespace {

// Decodes the Any of an envelope into an Event (the fields the test checks).
Event decode(const std::string& topic, const std::string& type, const std::string& bytes) {
    Event e;
    e.topic = topic;
    auto take = [&](auto msg) {
        if (!msg.ParseFromString(bytes)) return msg;
        e.containerId = msg.container_id();
        return msg;
    };
    if (type == "containerd.events.TaskExit") {
        auto m = take(ev::TaskExit{});
        e.id = m.id();
        e.pid = m.pid();
        e.exitStatus = m.exit_status();
    } else if (type == "containerd.events.TaskCreate") {
        e.pid = take(ev::TaskCreate{}).pid();
    } else if (type == "containerd.events.TaskStart") {
        e.pid = take(ev::TaskStart{}).pid();
    } else if (type == "containerd.events.TaskDelete") {
        auto m = take(ev::TaskDelete{});
        e.pid = m.pid();
        e.exitStatus = m.exit_status();
    } else if (type == "containerd.events.TaskExecAdded") {
        e.execId = take(ev::TaskExecAdded{}).exec_id();
    } else if (type == "containerd.events.TaskExecStarted") {
        auto m = take(ev::TaskExecStarted{});
        e.execId = m.exec_id();
        e.pid = m.pid();
    } else if (type == "containerd.events.TaskOOM") {
        (void)take(ev::TaskOOM{});
    }
    return e;
}

}  // namespace

EventSink::~EventSink() { stop(); }

lc::Result<void> EventSink::start() {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path_.size() >= sizeof sa.sun_path) return lc::fail("events socket path too long: " + path_);
    std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return lc::errnoError("socket");
    lc::UniqueFd l(fd);
    ::unlink(path_.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return lc::errnoError("bind " + path_);
    if (::listen(fd, 16) < 0) return lc::errnoError("listen " + path_);
    auto loop = shim::Loop::create();
    if (!loop) return std::unexpected(loop.error());
    loop_ = std::move(*loop);
    server_ = std::make_unique<shim::ttrpc::Server>(*loop_, std::move(l), [this](const shim::ttrpc::Call& c,
                                                                                 shim::ttrpc::Reply r) {
        if (c.service == "rcpp.test" && c.method == "Stop") {
            r.ok("");
            loop_->stop();
            return;
        }
        containerd::services::events::ttrpc::v1::ForwardRequest req;
        if (c.service != "containerd.services.events.ttrpc.v1.Events" || c.method != "Forward" ||
            !req.ParseFromString(c.payload))
            return r.error(shim::ttrpc::kUnimplemented, "not implemented");
        const auto& env = req.envelope();
        {
            std::lock_guard lk(mu_);
            events_.push_back(decode(env.topic(), env.event().type_url(), env.event().value()));
        }
        r.ok("");
    });
    LC_TRY(server_->start());
    thread_ = std::thread([this] { (void)loop_->run(); });
    return {};
}

void EventSink::stop() {
    if (!thread_.joinable()) return;
    shim::ttrpc::Client c(path_);
    (void)c.call("rcpp.test", "Stop", "", {}, 2000);
    thread_.join();
    server_.reset();
    ::unlink(path_.c_str());
}

std::vector<Event> EventSink::events() const {
    std::lock_guard lk(mu_);
    return events_;
}

bool EventSink::waitFor(const std::string& topic, const std::string& cid, const std::string& id, int ms) const {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    do {
        for (const auto& e : events())
            if (e.topic == topic && e.containerId == cid && (id.empty() || e.id == id || e.execId == id)) return true;
        ::usleep(20000);
    } while (std::chrono::steady_clock::now() < end);
    return false;
}

FifoReader::FifoReader(std::string path) : path_(std::move(path)) {
    ::mkfifo(path_.c_str(), 0600);
    // opened now (non-blocking) so that the shim's open for writing does not wait for us
    int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    thread_ = std::thread([this, fd] {
        lc::UniqueFd f(fd);
        bool hadWriter = false;
        char buf[4096];
        while (!stop_ && fd >= 0) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n > 0) {
                hadWriter = true;
                std::lock_guard lk(mu_);
                buf_.append(buf, static_cast<size_t>(n));
            } else if (n == 0) {
                // no writer: before the shim opened it, or after it closed it
                if (hadWriter) break;
                ::usleep(20000);
                hadWriter = hadWriter || (p.revents & POLLHUP);
            }
        }
        eof_ = true;
    });
}

FifoReader::~FifoReader() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::unlink(path_.c_str());
}

std::string FifoReader::text(int ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!eof_ && std::chrono::steady_clock::now() < end) ::usleep(10000);
    std::lock_guard lk(mu_);
    return buf_;
}

lc::Result<std::string> shimStart(const std::string& shim, const std::string& bundle, const std::string& ns,
                                  const std::string& address, const std::string& id,
                                  const std::string& ttrpcAddress) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return lc::errnoError("pipe");
    pid_t pid = ::fork();
    if (pid < 0) return lc::errnoError("fork");
    if (pid == 0) {
        ::dup2(p[1], 1);
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        if (::chdir(bundle.c_str()) < 0) ::_exit(126);
        ::setenv("TTRPC_ADDRESS", ttrpcAddress.c_str(), 1);
        ::execl(shim.c_str(), shim.c_str(), "-namespace", ns.c_str(), "-address", address.c_str(),
                "-publish-binary", "/bin/false", "-id", id.c_str(), "start", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(p[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return lc::fail("shim start " + id + " failed (status " + std::to_string(st) + ")");
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

Waiter::Waiter(const std::string& address, const std::string& ns, const std::string& id, const std::string& execId) {
    thread_ = std::thread([this, address, ns, id, execId] {
        TaskClient c(address, ns);
        containerd::task::v2::WaitRequest req;
        req.set_id(id);
        req.set_exec_id(execId);
        auto r = c.call("Wait", req.SerializeAsString(), 120000);
        containerd::task::v2::WaitResponse resp;
        if (r && resp.ParseFromString(*r)) status_ = resp.exit_status();
    });
}

Waiter::~Waiter() {
    if (thread_.joinable()) thread_.detach();  // a Wait never answered: the test has failed
}

std::optional<uint32_t> Waiter::result() {
    if (thread_.joinable()) thread_.join();
    return status_;
}

std::string nsOf(pid_t pid, const std::string& name) {
    char buf[128];
    std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string readText(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void writeText(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
}

bool processAlive(pid_t pid) {
    if (pid <= 0 || ::kill(pid, 0) < 0) return false;
    // a zombie is not alive
    std::string st = readText("/proc/" + std::to_string(pid) + "/stat");
    auto rp = st.rfind(')');
    return rp != std::string::npos && rp + 2 < st.size() && st[rp + 2] != 'Z';
}

}  // namespace pod
