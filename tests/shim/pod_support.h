// Pieces of the pod replay test (pod_replay.cc) that stand in for containerd: an events
// service that records what the shim publishes, `shim start` as containerd runs it, stdio
// fifos read like containerd's, and the task API calls with containerd's metadata.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loop.h"
#include "ttrpc_client.h"
#include "ttrpc_server.h"

namespace pod {

// One event the shim forwarded, decoded.
struct Event {
    std::string topic;        // "/tasks/exit"
    std::string containerId;  // container_id of the event
    std::string id;           // TaskExit: the process id (exec id, or the container id)
    std::string execId;       // TaskExecAdded/Started
    uint32_t pid = 0, exitStatus = 0;
};

// containerd.services.events.ttrpc.v1.Events/Forward on a unix socket, in its own thread.
class EventSink {
public:
    explicit EventSink(std::string path) : path_(std::move(path)) {}
    ~EventSink();
    lc::Result<void> start();
    void stop();
    std::vector<Event> events() const;
    // Waits up to ms for an event matching topic/container (and id when not empty).
    bool waitFor(const std::string& topic, const std::string& cid, const std::string& id, int ms) const;
    const std::string& path() const { return path_; }

private:
    std::string path_;
    mutable std::mutex mu_;
    std::vector<Event> events_;
    std::unique_ptr<shim::Loop> loop_;
    std::unique_ptr<shim::ttrpc::Server> server_;
    std::thread thread_;
};

// A fifo the shim writes a process's output to; a thread reads it into a string until EOF.
class FifoReader {
public:
    explicit FifoReader(std::string path);
    ~FifoReader();
    const std::string& path() const { return path_; }
    // What was read so far (waits up to ms for EOF first).
    std::string text(int ms = 0);

private:
    std::string path_;
    mutable std::mutex mu_;
    std::string buf_;
    std::atomic<bool> eof_{false}, stop_{false};
    std::thread thread_;
};

// Runs `SHIM -namespace NS -address ADDR -publish-binary /bin/false -id ID start` in the
// bundle dir with TTRPC_ADDRESS set, as containerd does; returns what it printed.
lc::Result<std::string> shimStart(const std::string& shim, const std::string& bundle, const std::string& ns,
                                  const std::string& address, const std::string& id,
                                  const std::string& ttrpcAddress);

// Task API calls over one connection, with containerd's namespace metadata.
class TaskClient {
public:
    TaskClient(const std::string& address, std::string ns) : client_(address), ns_(std::move(ns)) {}
    lc::Result<std::string> call(const std::string& method, const std::string& payload, int timeoutMs = 15000,
                                 int* code = nullptr) {
        return client_.call("containerd.task.v2.Task", method, payload, {{"containerd-namespace-ttrpc", ns_}},
                            timeoutMs, code);
    }

private:
    shim::ttrpc::Client client_;
    std::string ns_;
};

// A Wait call parked in its own thread and connection (the CRI waits on every task and
// exec); result() joins it.
class Waiter {
public:
    Waiter(const std::string& address, const std::string& ns, const std::string& id, const std::string& execId);
    ~Waiter();
    // The exit status, or nothing when Wait failed.
    std::optional<uint32_t> result();

private:
    std::thread thread_;
    std::optional<uint32_t> status_;
};

// readlink of /proc/PID/ns/NAME ("net:[4026531840]"), empty when it cannot be read.
std::string nsOf(pid_t pid, const std::string& name);
std::string readText(const std::string& path);
void writeText(const std::string& path, const std::string& text);
bool processAlive(pid_t pid);

}  // namespace pod
