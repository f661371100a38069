// The containerd.task.v2.Task service for one container, on libcontainer in-process.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events.h"
#include "libcontainer/runtime.h"
#include "loop.h"
#include "spec/spec.h"
#include "process_io.h"
#include "ttrpc_server.h"

namespace shim {

struct ShimConfig {
    std::string ns;        // containerd namespace
    std::string id;        // container id
    std::string bundle;    // absolute bundle dir (the shim's cwd)
    std::string defaultRoot = "/run/containerd/runc-cpp";  // + "/<ns>"
};

// The state root of a bundle's container: written at create, read by `delete`.
std::string rootFileOf(const std::string& bundle);

class TaskService {
public:
    TaskService(Loop& loop, Publisher& pub, ShimConfig cfg) : loop_(loop), pub_(pub), cfg_(std::move(cfg)) {}

    void handle(const ttrpc::Call& call, ttrpc::Reply reply);
    // A child exited (from the reaper): records it, answers waiters, publishes TaskExit.
    void onExit(pid_t pid, int waitStatus);
    // Called once Shutdown was accepted; the caller stops the loop after flushing.
    void onShutdown(std::function<void()> fn) { shutdown_ = std::move(fn); }

private:
    struct Proc {
        std::string execId;  // empty for the init
        pid_t pid = 0;
        bool started = false, exited = false;
        uint32_t exitStatus = 0;
        timespec exitedAt{};
        StdioPaths paths;
        std::unique_ptr<ProcessIo> io;
        std::optional<spec::Process> process;  // exec: what Start runs
        std::vector<ttrpc::Reply> waiters;
        // Exited, but TaskExit and the Wait answers wait until its output was read from the
        // fifos (a pty delivers what the process wrote after it exited; ctr stops reading
        // when it has the exit) or kOutputGraceMs passed.
        bool exitPending = false;
        lc::UniqueFd exitTimer;  // re-checks every kOutputPollMs
        timespec exitDeadline{};
    };
    using Handler = void (TaskService::*)(const std::string&, ttrpc::Reply);

    void create(const std::string& p, ttrpc::Reply r);
    void start(const std::string& p, ttrpc::Reply r);
    void state(const std::string& p, ttrpc::Reply r);
    void kill(const std::string& p, ttrpc::Reply r);
    void wait(const std::string& p, ttrpc::Reply r);
    void del(const std::string& p, ttrpc::Reply r);
    void pids(const std::string& p, ttrpc::Reply r);
    void pause(const std::string& p, ttrpc::Reply r);
    void resume(const std::string& p, ttrpc::Reply r);
    void exec(const std::string& p, ttrpc::Reply r);
    void resizePty(const std::string& p, ttrpc::Reply r);
    void closeIO(const std::string& p, ttrpc::Reply r);
    void update(const std::string& p, ttrpc::Reply r);
    void stats(const std::string& p, ttrpc::Reply r);
    void connect(const std::string& p, ttrpc::Reply r);
    void shutdown(const std::string& p, ttrpc::Reply r);
    void checkpoint(const std::string& p, ttrpc::Reply r);

    Proc* find(const std::string& execId);
    // Status of a process as containerd names it (containerd.v1.types.Status).
    int statusOf(const Proc& p) const;
    void publish(const std::string& topic, const std::string& type, const std::string& bytes) {
        pub_.publish(topic, type, bytes);
    }
    void checkOom();
    // Publishes TaskExit and answers the waiters of an exited process (once).
    void finishExit(Proc& p);
    // finishExit once the output is delivered or the deadline passed.
    void checkExit(Proc& p);
    // Live OOM events: the container's OomWatch in the loop; TaskOOM per kill it reports.
    void startOomWatch();
    void stopOomWatch();
    void publishOom(uint64_t count);

    Loop& loop_;
    Publisher& pub_;
    ShimConfig cfg_;
    std::optional<lc::Runtime> rt_;
    std::optional<lc::Container> container_;
    std::unique_ptr<Proc> init_;
    std::map<std::string, std::unique_ptr<Proc>> execs_;
    std::string rootfs_;  // mounted by us, unmounted at delete
    uint64_t oomSeen_ = 0;   // OOM kills already published as TaskOOM
    std::optional<lc::OomWatch> oom_;
    std::function<void()> shutdown_;
};

}  // namespace shim
