// The v2 tree: creating paths with controllers enabled, freezing, killing.
#include <poll.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "cgroups/fs.h"
#include "cgroups/v2/v2.h"
#include "libcontainer/unique_fd.h"

namespace lc::cgroups::v2 {
namespace {

using namespace std::chrono_literals;

// Components of `leaf` below `mountRoot`; an error when it is not strictly below.
Result<std::vector<std::string_view>> below(const std::string& mountRoot, const std::string& leaf) {
    std::string_view root = mountRoot;
    while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
    if (leaf.size() <= root.size() || leaf.compare(0, root.size(), root) != 0 || leaf[root.size()] != '/')
        return fail(EINVAL, "cgroup " + leaf + " is not below " + mountRoot);
    return splitFields(std::string_view(leaf).substr(root.size()), "/");
}

void enableAll(const std::string& dir) {
    auto ctrls = availableControllers(dir);
    if (!ctrls || ctrls->empty()) return;
    std::string all;
    for (const auto& c : *ctrls) {
        if (!all.empty()) all.push_back(' ');
        all.append("+").append(c);
    }
    if (writeFile("", dir, "cgroup.subtree_control", all)) return;
    // One refused controller fails the whole write; enable the others one by one.
    for (const auto& c : *ctrls) (void)writeFile("", dir, "cgroup.subtree_control", "+" + c);
}

// Waits until cgroup.events shows `key want`, bounded by `timeout`.
Result<bool> waitEvent(const std::string& dir, std::string_view key, uint64_t want,
                       std::chrono::milliseconds timeout) {
    std::string path = joinPath(dir, "cgroup.events");
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        return errnoError("open " + path, err);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[512];
    for (;;) {
        ssize_t n = ::pread(fd.get(), buf, sizeof buf - 1, 0);
        if (n < 0) {
            int err = errno;
            return errnoError("read " + path, err);
        }
        if (keyedValue(std::string_view(buf, static_cast<size_t>(n)), key) == want) return true;
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        // cgroupfs signals changes of cgroup.events with POLLPRI; wake up at least every 10ms
        // anyway (plain files never signal).
        pollfd p{fd.get(), POLLPRI, 0};
        (void)::poll(&p, 1, 10);
    }
}

}  // namespace

Result<std::vector<std::string>> availableControllers(const std::string& dir) {
    auto content = readFile(dir, "cgroup.controllers");
    if (!content) return std::unexpected(content.error());
    std::vector<std::string> out;
    for (auto f : splitFields(*content)) out.emplace_back(f);
    return out;
}

Result<void> createPath(const std::string& mountRoot, const std::string& leaf, bool enableControllers) {
    auto parts = below(mountRoot, leaf);
    if (!parts) return std::unexpected(parts.error());
    std::string cur(mountRoot);
    while (cur.size() > 1 && cur.back() == '/') cur.pop_back();
    for (auto part : *parts) {
        if (enableControllers) enableAll(cur);
        cur = joinPath(cur, part);
        if (::mkdir(cur.c_str(), 0755) < 0 && errno != EEXIST) {
            int err = errno;
            return errnoError("mkdir " + cur, err);
        }
    }
    return {};
}

Result<void> enableController(const std::string& mountRoot, const std::string& leaf,
                              const std::string& controller, std::string_view field) {
    auto parts = below(mountRoot, leaf);
    if (!parts) return std::unexpected(parts.error());
    std::string cur(mountRoot);
    while (cur.size() > 1 && cur.back() == '/') cur.pop_back();
    for (size_t i = 0; i < parts->size(); ++i) {  // mountRoot .. leaf's parent
        LC_TRY(writeFile(field, cur, "cgroup.subtree_control", "+" + controller));
        cur = joinPath(cur, (*parts)[i]);
    }
    return {};
}

Result<void> freeze(const std::string& dir) {
    LC_TRY(writeFile("", dir, "cgroup.freeze", "1"));
    auto done = waitEvent(dir, "frozen", 1, 2000ms);
    if (done && *done) return {};
    (void)writeFile("", dir, "cgroup.freeze", "0");
    if (!done) return std::unexpected(done.error().wrap("freeze " + dir));
    return fail(ETIMEDOUT, "freeze " + dir + ": not frozen after 2s");
}

Result<void> thaw(const std::string& dir) {
    // Thawing takes effect at once (the kernel clears "frozen" as it thaws); no wait needed.
    return writeFile("", dir, "cgroup.freeze", "0");
}

Result<bool> isFrozen(const std::string& dir) {
    auto f = readFile(dir, "cgroup.freeze");
    if (!f) {
        if (f.error().errnum() == ENOENT) return false;  // the root, or no freezer
        return std::unexpected(f.error());
    }
    if (trim(*f) != "1") return false;
    auto ev = readFile(dir, "cgroup.events");
    if (!ev) return true;
    return keyedValue(*ev, "frozen").value_or(1) == 1;
}

Result<bool> joinWouldFreeze(const std::string& mountRoot, const std::string& dir) {
    for (std::string d = dir; d.size() > mountRoot.size(); d.erase(d.find_last_of('/'))) {
        auto f = readFile(d, "cgroup.freeze");
        if (!f) {
            if (f.error().errnum() == ENOENT) continue;  // not made yet, or no freezer
            return std::unexpected(f.error());
        }
        if (trim(*f) == "1") return true;
    }
    return false;
}

Result<void> killAll(const std::string& dir) {
    auto killed = writeFileIfExists("", dir, "cgroup.kill", "1");
    if (!killed) {
        // The directory is gone, or is going: ENODEV when systemd (or another remover)
        // took the cgroup away between our lookup and the write, after its last process left.
        if (killed.error().errnum() == ENOENT || killed.error().errnum() == ENODEV) return {};
        return std::unexpected(killed.error());
    }
    const pid_t self = ::getpid();
    for (int i = 0; i < 300; ++i) {
        auto procs = readProcs(dir, true);
        if (!procs) {
            if (procs.error().errnum() == ENOENT || procs.error().errnum() == ENODEV) return {};
            return std::unexpected(procs.error());
        }
        std::erase(*procs, self);
        if (procs->empty()) return {};
        if (!*killed && i % 10 == 0) {
            // No cgroup.kill (before 5.14): freeze so nothing forks meanwhile, kill, thaw.
            bool frozen = i == 0 && freeze(dir).has_value();
            for (pid_t p : *procs) ::kill(p, SIGKILL);
            if (frozen) (void)thaw(dir);
        }
        sleepFor(10ms);
    }
    return fail(EBUSY, "kill processes in " + dir + ": some are still there after 3s");
}

}  // namespace lc::cgroups::v2
