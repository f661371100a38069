#include "http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace mgr::http {

namespace {

constexpr int kTickMs = 250;
constexpr int kLingerMs = 2000;

int64_t monoMs() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

lc::Result<lc::UniqueFd> bindListener(const ListenAddr& addr) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = addr.family;
    if (family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(addr.port);
        if (::inet_pton(AF_INET, addr.host.c_str(), &sin->sin_addr) != 1) return lc::fail(EINVAL, "bad address " + addr.host);
        len = sizeof *sin;
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(addr.port);
        if (family == AF_INET6 && ::inet_pton(AF_INET6, addr.host.c_str(), &sin6->sin6_addr) != 1)
            return lc::fail(EINVAL, "bad address " + addr.host);
        if (family == AF_UNSPEC) sin6->sin6_addr = in6addr_any;
        len = sizeof *sin6;
        family = AF_INET6;
    }
    lc::UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd && addr.family == AF_UNSPEC && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT)) {
        // no IPv6 here: every IPv4 address
        ss = {};
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(addr.port);
        sin->sin_addr.s_addr = htonl(INADDR_ANY);
        len = sizeof *sin;
        family = AF_INET;
        fd = lc::UniqueFd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }
    if (!fd) return lc::errnoError("socket");
    int one = 1, zero = 0;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) return lc::errnoError("SO_REUSEADDR");
    if (family == AF_INET6 && addr.family == AF_UNSPEC &&
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0)
        return lc::errnoError("IPV6_V6ONLY");
    if (family == AF_INET6 && addr.family == AF_INET6 &&
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
        return lc::errnoError("IPV6_V6ONLY");
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) return lc::errnoError("listen tcp " + addr.str());
    if (::listen(fd.get(), 128) < 0) return lc::errnoError("listen tcp " + addr.str());
    return fd;
}

}  // namespace

lc::Result<std::unique_ptr<Server>> Server::start(shim::Loop& loop, const ListenAddr& addr, ServerOptions opts,
                                                  Handler handler) {
    if (opts.timeoutMs <= 0 || opts.maxConnections == 0) return lc::fail(EINVAL, "invalid server options");
    LC_TRY_ASSIGN(auto fd, bindListener(addr));
    lc::UniqueFd timer(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer) return lc::errnoError("timerfd_create");
    std::unique_ptr<Server> s(new Server(loop, std::move(fd), opts, std::move(handler)));
    s->timer_ = std::move(timer);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(s->listener_.get(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) return lc::errnoError("getsockname");
    s->port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    Server* self = s.get();
    LC_TRY(loop.watch(s->listener_.get(), EPOLLIN, [self](uint32_t) { self->onAccept(); }));
    LC_TRY(loop.watch(s->timer_.get(), EPOLLIN, [self](uint32_t) { self->onTick(); }));
    return s;
}

Server::Server(shim::Loop& loop, lc::UniqueFd listener, ServerOptions opts, Handler handler)
    : loop_(loop), listener_(std::move(listener)), opts_(opts), handler_(std::move(handler)) {}

Server::~Server() {
    for (auto& [fd, c] : conns_) loop_.unwatch(fd);
    conns_.clear();
    if (listener_) loop_.unwatch(listener_.get());
    if (timer_) loop_.unwatch(timer_.get());
}

void Server::armTimer() {
    bool want = !conns_.empty();
    if (want == timerArmed_) return;
    itimerspec its{};
    if (want) {
        its.it_value.tv_nsec = kTickMs * 1000000L;
        its.it_interval.tv_nsec = kTickMs * 1000000L;
    }
    ::timerfd_settime(timer_.get(), 0, &its, nullptr);
    timerArmed_ = want;
}

void Server::onAccept() {
    for (;;) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // out of fds: stop accepting until a connection closes (level-triggered
                // epoll would otherwise spin on the pending connection)
                loop_.modify(listener_.get(), 0);
                acceptPaused_ = true;
            }
            return;
        }
        lc::UniqueFd cfd(fd);
        if (conns_.size() >= opts_.maxConnections) {
            std::string r = response(503, "text/plain; charset=utf-8", "too many connections\n", false, false);
            (void)!::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            continue;  // closed by cfd
        }
        auto c = std::make_unique<Conn>();
        c->fd = std::move(cfd);
        c->deadlineMs = monoMs() + opts_.timeoutMs;
        if (!loop_.watch(fd, EPOLLIN | EPOLLRDHUP, [this, fd](uint32_t ev) { onConn(fd, ev); })) continue;
        conns_.emplace(fd, std::move(c));
    }
    armTimer();
}

void Server::close(int fd) {
    loop_.unwatch(fd);
    conns_.erase(fd);
    if (acceptPaused_) {
        loop_.modify(listener_.get(), EPOLLIN);
        acceptPaused_ = false;
    }
    armTimer();
}

void Server::onConn(int fd, uint32_t events) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    Conn& c = *it->second;
    if (events & EPOLLERR) return close(fd);
    if (events & EPOLLOUT) {
        if (!write(c)) return;
        if (c.out.empty()) process(c);  // a pipelined request may be waiting
        return;
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))) return;
    char buf[16384];
    // Read what is there, but no more than a header block can hold: the parser refuses more.
    while (c.draining || c.in.size() <= kMaxHeaderBytes) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            return close(fd);
        }
        if (n == 0) {
            c.peerEof = true;
            break;
        }
        if (!c.draining) c.in.append(buf, static_cast<size_t>(n));
    }
    if (c.draining) {
        if (c.peerEof) close(fd);
        return;
    }
    process(c);
}

// Answers the complete requests in `in` in order; the next one is parsed only once the
// previous answer is written (a client that pipelines without reading is not buffered for).
void Server::process(Conn& c) {
    int fd = c.fd.get();
    while (!c.closing && !c.draining && c.out.empty()) {
        auto r = parseRequest(c.in);
        if (r.state == Parse::Incomplete) {
            if (c.peerEof) close(fd);
            return;
        }
        if (r.state == Parse::Bad) {
            c.out = response(r.status, "text/plain; charset=utf-8", r.error + "\n", false, false);
            c.closing = true;
            c.in.clear();
        } else {
            c.in.erase(0, r.consumed);
            c.out = handler_(r.req);
            if (!r.req.keepAlive || c.peerEof) c.closing = true;
        }
        if (!write(c)) return;
    }
}

bool Server::write(Conn& c) {
    int fd = c.fd.get();
    while (c.outOff < c.out.size()) {
        ssize_t n = ::send(fd, c.out.data() + c.outOff, c.out.size() - c.outOff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                loop_.modify(fd, EPOLLOUT);  // nothing more is read until this is written
                return true;
            }
            close(fd);
            return false;
        }
        c.outOff += static_cast<size_t>(n);
        c.deadlineMs = monoMs() + opts_.timeoutMs;  // progress
    }
    c.out.clear();
    c.outOff = 0;
    if (c.closing) {
        if (c.peerEof) {
            close(fd);
            return false;
        }
        // Lingering close: shut our side and read until the client closes (bounded), so
        // that unread input does not turn our close into a reset that loses the answer.
        ::shutdown(fd, SHUT_WR);
        c.draining = true;
        c.in.clear();
        c.deadlineMs = monoMs() + std::min(opts_.timeoutMs, kLingerMs);
    } else {
        c.deadlineMs = monoMs() + opts_.timeoutMs;  // keep-alive: the next request's time starts now
    }
    loop_.modify(fd, EPOLLIN | EPOLLRDHUP);
    return true;
}

void Server::onTick() {
    uint64_t expirations;
    while (::read(timer_.get(), &expirations, sizeof expirations) > 0) {
    }
    int64_t now = monoMs();
    std::vector<int> expired;
    for (auto& [fd, c] : conns_)
        if (now >= c->deadlineMs) expired.push_back(fd);
    for (int fd : expired) {
        Conn& c = *conns_.at(fd);
        if (!c.in.empty() && !c.draining && c.out.empty()) {
            // a request that did not arrive in time: say so (best effort) and close
            std::string r = response(408, "text/plain; charset=utf-8", "request timeout\n", false, false);
            (void)!::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        close(fd);
    }
}

}  // namespace mgr::http
