#include "ttrpc_server.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "ttrpc.pb.h"

namespace shim::ttrpc {

void Reply::ok(const std::string& payload) const {
    if (!server_) return;
    rcpp::ttrpc::Response r;
    r.mutable_status()->set_code(kOk);
    r.set_payload(payload);
    server_->send(conn_, stream_, r.SerializeAsString());
}

void Reply::error(int32_t code, const std::string& message) const {
    if (!server_) return;
    rcpp::ttrpc::Response r;
    r.mutable_status()->set_code(code);
    r.mutable_status()->set_message(message);
    server_->send(conn_, stream_, r.SerializeAsString());
}

Server::Server(Loop& loop, lc::UniqueFd listener, Handler h)
    : loop_(loop), listener_(std::move(listener)), handler_(std::move(h)) {}

Server::~Server() {
    for (auto& [id, c] : conns_) loop_.unwatch(c->fd.get());
    if (listener_) loop_.unwatch(listener_.get());
}

lc::Result<void> Server::start() {
    return loop_.watch(listener_.get(), EPOLLIN, [this](uint32_t) { accept(); });
}

void Server::accept() {
    for (;;) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;  // EAGAIN, or a transient error: the next wakeup retries
        uint64_t id = nextId_++;
        auto c = std::make_unique<Conn>();
        c->fd.reset(fd);
        if (!loop_.watch(fd, EPOLLIN, [this, id](uint32_t ev) { onConn(id, ev); })) continue;
        conns_[id] = std::move(c);
    }
}

void Server::onConn(uint64_t id, uint32_t events) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    Conn& c = *it->second;
    if (events & EPOLLOUT) writeSome(id, c);
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    char buf[65536];
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        closeConn(id);
        return;
    }
    c.dec.feed(buf, static_cast<size_t>(n));
    for (;;) {
        auto f = c.dec.next();
        if (!f) {
            closeConn(id);
            return;
        }
        if (!*f) break;
        Frame& fr = **f;
        if (fr.type != kTypeRequest) continue;  // clients send only requests
        rcpp::ttrpc::Request req;
        Reply reply(this, id, fr.stream);
        if (!req.ParseFromString(fr.payload)) {
            reply.error(kInvalidArgument, "ttrpc: cannot parse request");
            continue;
        }
        Call call{req.service(), req.method(), req.payload(), {}};
        for (const auto& kv : req.metadata()) call.metadata[kv.key()] = kv.value();
        handler_(call, reply);
        // The handler may have closed connections (shutdown): stop if ours is gone.
        if (!conns_.contains(id)) return;
    }
}

void Server::send(uint64_t id, uint32_t stream, const std::string& responseBytes) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    Conn& c = *it->second;
    c.out += encodeFrame(stream, kTypeResponse, 0, responseBytes);
    writeSome(id, c);
}

void Server::writeSome(uint64_t id, Conn& c) {
    while (!c.out.empty()) {
        ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            closeConn(id);
            return;
        }
        c.out.erase(0, static_cast<size_t>(n));
    }
    loop_.modify(c.fd.get(), c.out.empty() ? EPOLLIN : (EPOLLIN | EPOLLOUT));
}

void Server::closeConn(uint64_t id) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    loop_.unwatch(it->second->fd.get());
    conns_.erase(it);
    if (conns_.empty() && onIdle_) onIdle_();
}

void Server::flush() {
    for (auto& [id, c] : conns_) {
        for (int tries = 0; !c->out.empty() && tries < 100; ++tries) {
            ssize_t n = ::send(c->fd.get(), c->out.data(), c->out.size(), MSG_NOSIGNAL);
            if (n > 0) {
                c->out.erase(0, static_cast<size_t>(n));
            } else if (n < 0 && errno == EAGAIN) {
                pollfd p{c->fd.get(), POLLOUT, 0};
                ::poll(&p, 1, 10);
            } else if (n < 0 && errno != EINTR) {
                break;
            }
        }
    }
}

}  // namespace shim::ttrpc
