// A single-threaded epoll loop: fds with callbacks, level-triggered.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"

namespace shim {

class Loop {
public:
    using Callback = std::function<void(uint32_t events)>;

    static lc::Result<std::unique_ptr<Loop>> create();

    // Watches fd (owned by the caller) for `events` (EPOLLIN/EPOLLOUT...). One callback per fd.
    // A mask of 0 keeps the fd known but out of the epoll set: epoll reports EPOLLERR and
    // EPOLLHUP whatever the mask, so a quiet fd whose peer is gone would otherwise wake the
    // loop again and again (a stdin pipe whose reader exited made the shim spin).
    lc::Result<void> watch(int fd, uint32_t events, Callback cb);
    // Changes the event mask of a watched fd (0 = quiet, as above).
    void modify(int fd, uint32_t events);
    // Stops watching; safe from inside a callback (pending events of this fd are dropped).
    void unwatch(int fd);
    [[nodiscard]] bool watching(int fd) const { return handlers_.contains(fd); }

    // Runs until stop(); timeoutMs bounds each wait (-1 none).
    lc::Result<void> run();
    void stop() { running_ = false; }
    // Called once per loop iteration after the events of a wakeup were handled.
    void setIdle(std::function<void()> fn) { idle_ = std::move(fn); }

private:
    explicit Loop(lc::UniqueFd ep) : ep_(std::move(ep)) {}
    struct Entry {
        uint32_t gen;
        uint32_t events;
        std::shared_ptr<Callback> cb;
    };
    lc::UniqueFd ep_;
    std::unordered_map<int, Entry> handlers_;
    uint32_t nextGen_ = 1;
    bool running_ = false;
    std::function<void()> idle_;
};

}  // namespace shim
