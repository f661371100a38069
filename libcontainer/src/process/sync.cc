#include "process/sync.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstring>
#include <memory>
#include <vector>

#include "util/unixsock.h"

namespace lc::process {
namespace {
constexpr uint32_t kMagic = 0x72637070;  // "rcpp"

void putU32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
uint32_t getU32(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
}  // namespace

namespace {
// Header and payload into `out` (kSyncHeader + payload.size() bytes).
void encodeInto(char* out, Msg type, int32_t err, std::string_view payload) {
    putU32(out, kMagic);
    putU32(out + 4, static_cast<uint32_t>(type));
    putU32(out + 8, static_cast<uint32_t>(err));
    putU32(out + 12, static_cast<uint32_t>(payload.size()));
    if (!payload.empty()) std::memcpy(out + kSyncHeader, payload.data(), payload.size());
}
}  // namespace

std::string encodeMsg(Msg type, int32_t err, std::string_view payload) {
    std::string out(kSyncHeader + payload.size(), '\0');
    encodeInto(out.data(), type, err, payload);
    return out;
}

Result<SyncMsg> decodeMsg(const char* data, size_t len) {
    if (len < kSyncHeader) return fail(EPROTO, "sync: short message");
    if (getU32(data) != kMagic) return fail(EPROTO, "sync: bad magic");
    uint32_t type = getU32(data + 4);
    if (type < static_cast<uint32_t>(Msg::Go) || type > static_cast<uint32_t>(Msg::Child))
        return fail(EPROTO, "sync: unknown message type " + std::to_string(type));
    uint32_t plen = getU32(data + 12);
    if (plen > kSyncMaxPayload || plen != len - kSyncHeader) return fail(EPROTO, "sync: bad payload length");
    SyncMsg m;
    m.type = static_cast<Msg>(type);
    m.err = static_cast<int32_t>(getU32(data + 8));
    m.payload.assign(data + kSyncHeader, plen);
    return m;
}

Result<void> sendMsg(int sock, Msg type, int32_t err, std::string_view payload, int fd) {
    if (payload.size() > kSyncMaxPayload) payload = payload.substr(0, kSyncMaxPayload);
    ssize_t n;
    if (kSyncHeader + payload.size() <= 1024) {
        // Small messages (a pid, an error) from the stack: stage 1 may run in the runtime's
        // own memory and must not touch its heap (process/stage.h).
        char small[1024];
        encodeInto(small, type, err, payload);
        n = util::sendWithFd(sock, small, kSyncHeader + payload.size(), fd);
    } else {
        std::string buf = encodeMsg(type, err, payload);
        n = util::sendWithFd(sock, buf.data(), buf.size(), fd);
    }
    if (n < 0) return errnoError("sync: send");
    return {};
}

Result<SyncMsg> recvMsg(int sock) {
    // Not zero-filled: only the bytes the kernel writes are touched (a fresh process would
    // otherwise fault in and clear 64 KiB for every message).
    constexpr size_t kBufSize = kSyncHeader + kSyncMaxPayload;
    std::unique_ptr<char[]> buf(new char[kBufSize]);
    iovec iov{buf.get(), kBufSize};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    ssize_t n;
    do n = ::recvmsg(sock, &mh, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) return errnoError("sync: receive");
    if (n == 0) return fail(ECONNRESET, "sync: peer closed the channel");
    auto m = decodeMsg(buf.get(), static_cast<size_t>(n));
    if (!m) return m;
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
            m->fd.reset(fd);
        }
    }
    return m;
}

}  // namespace lc::process
