// The typed channel between the runtime (parent) and the container init (child): a
// SOCK_SEQPACKET socketpair, one message per packet, an optional fd by SCM_RIGHTS.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"

namespace lc::process {

enum class Msg : uint32_t {
    Go = 1,         // parent -> child: maps written, cgroup joined; payload: state JSON
    MountsReady,    // child -> parent: rootfs prepared, run prestart/createRuntime hooks
    HooksDone,      // parent -> child: go on to createContainer hooks and pivot
    Console,        // child -> parent: the pty master (fd attached)
    Ready,          // child -> parent: all set, now waiting for start
    Error,          // either way: err = errno (0 if none), payload = message
    Child,          // stage 1 -> parent: the process made in the container's pid namespace
                    // (payload: its pid as the runtime sees it; fd: its pidfd)
};

struct SyncMsg {
    Msg type = Msg::Error;
    int32_t err = 0;
    std::string payload;
    UniqueFd fd;
};

inline constexpr size_t kSyncHeader = 16;
inline constexpr size_t kSyncMaxPayload = 64 * 1024;

// Pure codec (no I/O): header is magic, type, err, length, all native-endian u32.
std::string encodeMsg(Msg type, int32_t err, std::string_view payload);
Result<SyncMsg> decodeMsg(const char* data, size_t len);

Result<void> sendMsg(int sock, Msg type, int32_t err = 0, std::string_view payload = {}, int fd = -1);
// A peer that closed its end yields ECONNRESET.
Result<SyncMsg> recvMsg(int sock);

}  // namespace lc::process
