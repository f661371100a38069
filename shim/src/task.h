// The containerd.task.v2.Task service on libcontainer in-process. One shim serves every task
// of a group (a Kubernetes pod: the containers whose config.json carry the same
// io.kubernetes.cri.sandbox-id); each request names its task by id.
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
    std::string id;        // the id the shim was started for (the group's first task)
    std::string bundle;    // its bundle dir (the shim's cwd)
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
    // Called once Shutdown was accepted (no task left), or kIdleExitMs after the last task
    // was deleted without a Shutdown; the caller stops the loop after flushing.
    void onShutdown(std::function<void()> fn) { shutdown_ = std::move(fn); }
    [[nodiscard]] size_t taskCount() const { return tasks_.size(); }
    static constexpr long kIdleExitMs = 2000;

private:
    struct Proc {
        std::string cid;     // the container (task) id
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
    // One container: its init, its execs, its OOM watch.
    struct Task {
        std::string id, bundle;
        std::optional<lc::Runtime> rt;
        std::optional<lc::Container> container;
        std::unique_ptr<Proc> init;
        std::map<std::string, std::unique_ptr<Proc>> execs;
        std::string rootfs;      // mounted by us, unmounted at delete
        uint64_t oomSeen = 0;    // OOM kills already published as TaskOOM
        std::optional<lc::OomWatch> oom;
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

    // The task of a request; answers NotFound (and returns null) when there is none.
    Task* task(const std::string& id, ttrpc::Reply& r);
    static Proc* find(Task& t, const std::string& execId);
    // Status of a process as containerd names it (containerd.v1.types.Status).
    static int statusOf(const Task& t, const Proc& p);
    void publish(const std::string& topic, const std::string& type, const std::string& bytes) {
        pub_.publish(topic, type, bytes);
    }
    void checkOom(Task& t);
    // Publishes TaskExit and answers the waiters of an exited process (once).
    void finishExit(Proc& p);
    // finishExit once the output is delivered or the deadline passed.
    void checkExit(Proc& p);
    // Live OOM events: the container's OomWatch in the loop; TaskOOM per kill it reports.
    void startOomWatch(Task& t);
    void stopOomWatch(Task& t);
    void publishOom(Task& t, uint64_t count);
    // Removes a deleted task; with none left, arms the idle exit.
    void dropTask(const std::string& id);
    void onIdleTimer();

    Loop& loop_;
    Publisher& pub_;
    ShimConfig cfg_;
    std::map<std::string, std::unique_ptr<Task>> tasks_;
    lc::UniqueFd idleTimer_;  // armed when the last task is deleted
    std::function<void()> shutdown_;
};

}  // namespace shim
