// An HTTP/1.1 server on the eventio epoll loop (shared with the shim) (one thread, non-blocking sockets): keep-alive
// and pipelined requests answered in order, a bounded header size (http.h), one timeout for
// a request to arrive, for an idle keep-alive connection and for a stalled reader, a cap on
// connections, and a lingering close after an error so that the client reads the answer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "http.h"
#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "loop.h"

namespace mgr::http {

struct ServerOptions {
    int timeoutMs = 10000;       // request arrival, keep-alive idle time, write stall
    size_t maxConnections = 128;
};

// Returns the complete response to a request (see response()).
using Handler = std::function<std::string(const Request&)>;

class Server {
public:
    // Binds and listens on `addr` (":PORT" is every IPv6 and IPv4 address when the host has
    // IPv6, else every IPv4 one) and serves on `loop` until the Server is destroyed.
    static lc::Result<std::unique_ptr<Server>> start(shim::Loop& loop, const ListenAddr& addr, ServerOptions opts,
                                                     Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] uint16_t port() const { return port_; }
    [[nodiscard]] size_t connections() const { return conns_.size(); }

private:
    struct Conn {
        lc::UniqueFd fd;
        std::string in, out;
        size_t outOff = 0;
        bool closing = false;   // close once `out` is written
        bool draining = false;  // write side shut; discarding input until EOF
        bool peerEof = false;
        int64_t deadlineMs = 0;
    };
    Server(shim::Loop& loop, lc::UniqueFd listener, ServerOptions opts, Handler handler);
    void onAccept();
    void onConn(int fd, uint32_t events);
    void process(Conn& c);
    bool write(Conn& c);  // false when the connection was closed
    void close(int fd);
    void onTick();
    void armTimer();

    shim::Loop& loop_;
    lc::UniqueFd listener_, timer_;
    ServerOptions opts_;
    Handler handler_;
    uint16_t port_ = 0;
    bool acceptPaused_ = false;
    bool timerArmed_ = false;
    std::map<int, std::unique_ptr<Conn>> conns_;
};

}  // namespace mgr::http
