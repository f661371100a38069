// The two ends of the helper (libcontainer/remote.h): the embedder's Channel, which many
// threads share, and the helper's loop.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "helper/protocol.h"
#include "libcontainer/remote.h"
#include "libcontainer/runtime.h"

namespace lc::helper {

// Requests carry ids; one thread at a time reads the socket and files each reply under its
// id, waking the thread that asked (so a long wait does not hold up the other threads).
struct Channel {
    UniqueFd sock;
    pid_t pid = -1;
    UniqueFd pidfd;  // the helper's (a child of the embedder)

    // Sends the request and returns its reply, checked: an error reply becomes the Error it
    // carries; `fds` are attached in the order the writer named them.
    Result<Message> call(Writer& req);
    // The same for a packet built by hand (tests of the helper's checks): the reply filed
    // under `replyId` (0: the reply to a packet whose id could not be read).
    Result<Message> callRaw(uint64_t replyId, std::string_view packet, const std::vector<int>& fds);
    uint64_t nextId();
    ~Channel();

private:
    std::mutex sendMu_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool reading_ = false;
    std::optional<Error> dead_;
    std::map<uint64_t, Message> replies_;
    uint64_t next_ = 1;
};

// For tests: the channel of a RemoteRuntime (raw requests, the helper's checks).
struct Access {
    static Channel& of(RemoteRuntime& rt) { return *rt.ch_; }
};

// The helper process: serves requests on `sock` until it closes, then _exits.
[[noreturn]] void serve(UniqueFd sock, Runtime rt);

}  // namespace lc::helper
