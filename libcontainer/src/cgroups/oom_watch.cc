// lc::OomWatch (libcontainer/oom.h): v1 eventfd on memory.oom_control, v2 inotify on
// memory.events, both inside one epoll fd that callers poll.
#include "libcontainer/oom.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "cgroups/v1/v1.h"
#include "cgroups/v2/v2.h"

namespace lc {
namespace {

// After a v1 notification whose kill is not counted yet: look again every kRecheckMs, at most
// kRechecks times (the kernel notifies, then picks and kills a victim, then counts it).
constexpr int kRecheckMs = 10;
constexpr int kRechecks = 100;

Result<void> addToEpoll(int ep, int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) return errnoError("epoll_ctl add");
    return {};
}

Result<UniqueFd> newEpoll() {
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) return errnoError("epoll_create1");
    return UniqueFd(ep);
}

}  // namespace

Result<OomWatch> OomWatch::open(const std::map<std::string, std::string>& cgroupPaths) {
    if (auto it = cgroupPaths.find("memory"); it != cgroupPaths.end()) return openV1(it->second);
    if (auto it = cgroupPaths.find(""); it != cgroupPaths.end()) return openV2(it->second);
    return fail(ENOENT, "oom watch: the container has no memory cgroup");
}

Result<OomWatch> OomWatch::openV1(const std::string& memoryDir) {
    OomWatch w;
    w.dir_ = memoryDir;
    auto ep = newEpoll();
    if (!ep) return std::unexpected(ep.error());
    w.epoll_ = std::move(*ep);
    int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) return errnoError("eventfd");
    w.source_.reset(efd);
    std::string oomControl = memoryDir + "/memory.oom_control";
    UniqueFd control(::open(oomControl.c_str(), O_RDONLY | O_CLOEXEC));
    if (!control) return errnoError("open " + oomControl);
    std::string eventControl = memoryDir + "/cgroup.event_control";
    UniqueFd ec(::open(eventControl.c_str(), O_WRONLY | O_CLOEXEC));
    if (!ec) return errnoError("open " + eventControl);
    // "<eventfd> <fd of memory.oom_control>": the kernel keeps its own references after this
    std::string line = std::to_string(efd) + " " + std::to_string(control.get());
    if (::write(ec.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        return errnoError("write " + eventControl);
    int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (tfd < 0) return errnoError("timerfd_create");
    w.timer_.reset(tfd);
    if (auto a = addToEpoll(w.epoll_.get(), efd); !a) return std::unexpected(a.error());
    if (auto a = addToEpoll(w.epoll_.get(), tfd); !a) return std::unexpected(a.error());
    auto n = w.count();
    if (!n) return std::unexpected(n.error());
    w.initial_ = w.last_ = *n;
    return w;
}

Result<OomWatch> OomWatch::openV2(const std::string& dir) {
    OomWatch w;
    w.dir_ = dir;
    w.v2_ = true;
    auto ep = newEpoll();
    if (!ep) return std::unexpected(ep.error());
    w.epoll_ = std::move(*ep);
    int ifd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (ifd < 0) return errnoError("inotify_init1");
    w.source_.reset(ifd);
    std::string events = dir + "/memory.events";
    if (::inotify_add_watch(ifd, events.c_str(), IN_MODIFY) < 0) return errnoError("inotify_add_watch " + events);
    if (auto a = addToEpoll(w.epoll_.get(), ifd); !a) return std::unexpected(a.error());
    auto n = w.count();
    if (!n) return std::unexpected(n.error());
    w.initial_ = w.last_ = *n;
    return w;
}

Result<uint64_t> OomWatch::count() const {
    return v2_ ? cgroups::v2::oomKillCount(dir_) : cgroups::v1::oomKillCount(dir_);
}

void OomWatch::armRecheck() {
    itimerspec its{};
    its.it_value.tv_nsec = kRecheckMs * 1000000L;
    (void)::timerfd_settime(timer_.get(), 0, &its, nullptr);
}

Result<uint64_t> OomWatch::consume() {
    bool notified = false;
    if (v2_) {
        alignas(inotify_event) char buf[4096];
        while (::read(source_.get(), buf, sizeof buf) > 0) notified = true;
    } else {
        uint64_t v;
        notified = ::read(source_.get(), &v, sizeof v) == sizeof v;
        (void)!::read(timer_.get(), &v, sizeof v);
    }
    auto n = count();
    if (!n) return std::unexpected(n.error());
    if (!v2_) {
        if (notified) rechecks_ = kRechecks;
        if (*n > last_) rechecks_ = 0;
        else if (rechecks_ > 0) {
            --rechecks_;
            armRecheck();
        }
    }
    if (*n > last_) last_ = *n;
    return *n;
}

}  // namespace lc
