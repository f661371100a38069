// OomWatch: a pollable fd that turns readable when a container's memory cgroup records an
// OOM kill, for callers with their own event loop (the shim adds it to its epoll set).
//
//   cgroup v1: an eventfd registered through cgroup.event_control on memory.oom_control;
//   cgroup v2: inotify on memory.events (the kernel notifies when a counter changes).
// Either way the fd is an epoll fd over that source (and, on v1, a timer that re-arms it: the
// v1 notification comes just before the kill is counted). After POLLIN, call consume(): it
// drains the fd and returns the cgroup's oom_kill count; compare with the last value seen.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"

namespace lc {

class OomWatch {
public:
    // From the cgroup paths of a container (controller -> dir, "" = unified hierarchy): the
    // v1 "memory" hierarchy when there is one, else the v2 directory.
    static Result<OomWatch> open(const std::map<std::string, std::string>& cgroupPaths);
    static Result<OomWatch> openV1(const std::string& memoryDir);
    static Result<OomWatch> openV2(const std::string& dir);

    OomWatch(OomWatch&&) noexcept = default;
    OomWatch& operator=(OomWatch&&) noexcept = default;

    // Poll for POLLIN (level-triggered: stays readable until consume()).
    [[nodiscard]] int fd() const { return epoll_.get(); }
    // The oom_kill count when the watch was opened.
    [[nodiscard]] uint64_t initialCount() const { return initial_; }
    // Drains the readiness and returns the oom_kill count now. Fails (ENOENT) once the cgroup
    // is gone: then the fd may stay readable and the caller should drop the watch. (v1 wakes
    // the fd when the cgroup is removed; v2 was not seen to, so drop the watch at delete.)
    Result<uint64_t> consume();

private:
    OomWatch() = default;
    Result<uint64_t> count() const;
    void armRecheck();

    UniqueFd epoll_;    // what fd() returns: source_ and timer_ inside
    UniqueFd source_;   // v1 eventfd, v2 inotify
    UniqueFd timer_;    // v1: re-check shortly after a notification that came before the count
    std::string dir_;
    bool v2_ = false;
    uint64_t initial_ = 0, last_ = 0;
    int rechecks_ = 0;
};

}  // namespace lc
