#include "ttrpc_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ttrpc.pb.h"
#include "ttrpc_codec.h"

namespace shim::ttrpc {

lc::Result<lc::UniqueFd> dialUnix(const std::string& address) {
    std::string path = address;
    if (path.starts_with("unix://")) path = path.substr(7);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sa.sun_path) return lc::fail("invalid socket address " + address);
    bool abstract = path[0] == '@' || path[0] == '\0';
    std::memcpy(sa.sun_path, path.data(), path.size());
    if (abstract) sa.sun_path[0] = '\0';
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return lc::errnoError("socket");
    lc::UniqueFd owned(fd);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) < 0) return lc::errnoError("dial " + address);
    return owned;
}

namespace {
int64_t nowMs() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
}  // namespace

lc::Result<std::string> Client::call(const std::string& service, const std::string& method,
                                     const std::string& payload,
                                     const std::map<std::string, std::string>& metadata, int timeoutMs,
                                     int* code) {
    rcpp::ttrpc::Request req;
    req.set_service(service);
    req.set_method(method);
    req.set_payload(payload);
    req.set_timeout_nano(int64_t{timeoutMs} * 1000000);
    for (const auto& [k, v] : metadata) {
        auto* kv = req.add_metadata();
        kv->set_key(k);
        kv->set_value(v);
    }
    // A kept connection may have been closed by the peer: retry once on a fresh one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!fd_) {
            auto fd = dialUnix(address_);
            if (!fd) return std::unexpected(fd.error());
            fd_ = std::move(*fd);
        }
        uint32_t stream = nextStream_;
        nextStream_ += 2;
        auto r = callOnce(encodeFrame(stream, kTypeRequest, 0, req.SerializeAsString()), stream, timeoutMs, code);
        if (r || attempt == 1 || (code && *code != 0)) return r;
        fd_.reset();
    }
    return lc::fail("ttrpc: unreachable");
}

lc::Result<std::string> Client::callOnce(const std::string& frame, uint32_t stream, int timeoutMs, int* code) {
    if (code) *code = 0;
    size_t off = 0;
    while (off < frame.size()) {
        ssize_t n = ::send(fd_.get(), frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return lc::errnoError("ttrpc: send");
        off += static_cast<size_t>(n);
    }
    Decoder dec;
    int64_t deadline = nowMs() + timeoutMs;
    for (;;) {
        auto f = dec.next();
        if (!f) return std::unexpected(f.error());
        if (*f) {
            if ((*f)->stream != stream || (*f)->type != kTypeResponse) continue;
            rcpp::ttrpc::Response resp;
            if (!resp.ParseFromString((*f)->payload)) return lc::fail("ttrpc: cannot parse response");
            if (resp.has_status() && resp.status().code() != 0) {
                if (code) *code = resp.status().code();
                return lc::fail(resp.status().message());
            }
            return resp.payload();
        }
        int64_t left = deadline - nowMs();
        if (left <= 0) {
            fd_.reset();
            return lc::fail("ttrpc: timeout waiting for the response");
        }
        pollfd p{fd_.get(), POLLIN, 0};
        int pr = ::poll(&p, 1, static_cast<int>(left));
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) continue;
        char buf[16384];
        ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fd_.reset();
            return lc::fail("ttrpc: connection closed");
        }
        dec.feed(buf, static_cast<size_t>(n));
    }
}

}  // namespace shim::ttrpc
