#include "loop.h"

#include <sys/epoll.h>

#include <cerrno>
#include <string>

namespace shim {

lc::Result<std::unique_ptr<Loop>> Loop::create() {
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) return lc::errnoError("epoll_create1");
    return std::unique_ptr<Loop>(new Loop(lc::UniqueFd(ep)));
}

namespace {
int control(int ep, int op, int fd, uint32_t gen, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = (static_cast<uint64_t>(gen) << 32) | static_cast<uint32_t>(fd);
    return ::epoll_ctl(ep, op, fd, &ev);
}
}  // namespace

lc::Result<void> Loop::watch(int fd, uint32_t events, Callback cb) {
    if (fd < 0) return lc::fail(EBADF, "epoll_ctl add: bad fd");
    if (handlers_.contains(fd)) return lc::fail(EEXIST, "epoll_ctl add: fd " + std::to_string(fd) + " is watched already");
    uint32_t gen = nextGen_++;
    // A quiet fd is only checked to be pollable (ADD, then DEL), so that a later modify
    // cannot fail where watch would have.
    if (control(ep_.get(), EPOLL_CTL_ADD, fd, gen, events) < 0) return lc::errnoError("epoll_ctl add");
    if (events == 0) ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
    handlers_[fd] = Entry{gen, events, std::make_shared<Callback>(std::move(cb))};
    return {};
}

void Loop::modify(int fd, uint32_t events) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end() || it->second.events == events) return;
    int rc;
    if (events == 0) {
        rc = ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
        // A new generation: events of this fd still pending in the current batch are dropped.
        if (rc == 0) it->second.gen = nextGen_++;
    } else {
        rc = control(ep_.get(), it->second.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, it->second.gen, events);
    }
    if (rc == 0) it->second.events = events;
}

void Loop::unwatch(int fd) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end()) return;
    if (it->second.events != 0) ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
    handlers_.erase(it);
}

lc::Result<void> Loop::run() {
    running_ = true;
    epoll_event evs[32];
    while (running_) {
        int n = ::epoll_wait(ep_.get(), evs, 32, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return lc::errnoError("epoll_wait");
        }
        for (int i = 0; i < n && running_; ++i) {
            int fd = static_cast<int>(evs[i].data.u64 & 0xffffffffu);
            uint32_t gen = static_cast<uint32_t>(evs[i].data.u64 >> 32);
            auto it = handlers_.find(fd);
            if (it == handlers_.end() || it->second.gen != gen) continue;
            auto cb = it->second.cb;  // keeps the callback alive if it unwatches itself
            (*cb)(evs[i].events);
        }
        if (idle_) idle_();
    }
    return {};
}

}  // namespace shim
