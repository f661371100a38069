// The CRIU RPC client: `criu swrk 3` runs as our child with one end of a SOCK_SEQPACKET
// socketpair at fd 3; each message is one criu_req / criu_resp of CRIU's rpc.proto. During a
// dump or restore CRIU sends NOTIFY responses (with notify_scripts) that must be answered.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "criu/rpc.pb.h"
#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"

namespace lc::criu {

// The oldest CRIU runc-cpp talks to (runc's minimum): 3.0.0 as major*10000+minor*100+sub.
inline constexpr int kMinVersion = 30000;

// Where `criu` (a name looked up in PATH, or a path) is; a clear error naming it when not.
Result<std::string> findBinary(const std::string& criu);

struct SpawnOptions {
    std::string binary;              // from findBinary
    int stdio[3] = {-1, -1, -1};     // the child's 0, 1, 2 (-1: /dev/null)
    std::vector<int> extraFds;       // appear as 4, 5, ... in CRIU (inherit_fd numbers)
};

class Swrk {
public:
    static Result<Swrk> start(const SpawnOptions& o);
    Swrk(Swrk&&) noexcept;
    Swrk& operator=(Swrk&&) = delete;
    ~Swrk();
    pid_t pid() const { return pid_; }

    // Sends `req`, then reads responses: each NOTIFY goes to onNotify (with the fd CRIU
    // attached, if any) and is answered with its result; the first other response is returned.
    using NotifyFn = std::function<Result<void>(const criu_notify&, UniqueFd)>;
    Result<criu_resp> call(const criu_req& req, const NotifyFn& onNotify = {});
    // Closes our end and reaps CRIU; its wait status.
    int finish();

private:
    Swrk(pid_t pid, UniqueFd sock) : pid_(pid), sock_(std::move(sock)) {}
    Result<criu_resp> recv(UniqueFd* fd);
    Result<void> send(const criu_req& req);
    pid_t pid_ = -1;
    UniqueFd sock_;
};

// CRIU's version as major*10000 + minor*100 + sublevel (a VERSION request).
Result<int> version(const std::string& binary);
// findBinary + version, failing unless it is at least kMinVersion.
Result<std::string> requireCriu(const std::string& criu);

// The name CRIU's request types have in runc's errors ("DUMP", "RESTORE", ...).
const char* typeName(criu_req_type t);

}  // namespace lc::criu
