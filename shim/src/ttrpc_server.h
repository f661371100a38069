// A ttrpc server on a listening unix socket, driven by a Loop. Requests are handed to one
// handler with a Reply that may be answered later (Wait answers when the process exits);
// other requests on the same connection are served meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "libcontainer/unique_fd.h"
#include "loop.h"
#include "ttrpc_codec.h"

namespace shim::ttrpc {

class Server;

// Where the answer to one request goes. Copyable; answering twice or after the connection
// closed does nothing.
class Reply {
public:
    Reply() = default;
    Reply(Server* s, uint64_t conn, uint32_t stream) : server_(s), conn_(conn), stream_(stream) {}
    void ok(const std::string& payload) const;
    void error(int32_t code, const std::string& message) const;
    [[nodiscard]] bool valid() const { return server_ != nullptr; }

private:
    Server* server_ = nullptr;
    uint64_t conn_ = 0;
    uint32_t stream_ = 0;
};

struct Call {
    std::string service;
    std::string method;
    std::string payload;
    std::map<std::string, std::string> metadata;
};

class Server {
public:
    using Handler = std::function<void(const Call&, Reply)>;

    Server(Loop& loop, lc::UniqueFd listener, Handler h);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    lc::Result<void> start();
    // Writes out what is queued on every connection, blocking briefly (before exit).
    void flush();
    [[nodiscard]] size_t connections() const { return conns_.size(); }
    // Called when the last client connection closes.
    void onIdle(std::function<void()> fn) { onIdle_ = std::move(fn); }

    void send(uint64_t conn, uint32_t stream, const std::string& responseBytes);

private:
    struct Conn {
        lc::UniqueFd fd;
        Decoder dec;
        std::string out;
    };
    void accept();
    void onConn(uint64_t id, uint32_t events);
    void closeConn(uint64_t id);
    void writeSome(uint64_t id, Conn& c);

    Loop& loop_;
    lc::UniqueFd listener_;
    Handler handler_;
    std::map<uint64_t, std::unique_ptr<Conn>> conns_;
    uint64_t nextId_ = 1;
    std::function<void()> onIdle_;
};

}  // namespace shim::ttrpc
