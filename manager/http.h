// A small HTTP/1.1 server side: request parsing (RFC 9112, requests without a body), responses,
// listen addresses. Pure functions; the sockets are in http_server.h.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "libcontainer/error.h"

namespace mgr::http {

struct Request {
    std::string method, target, version;  // "GET", "/metrics?x=1", "HTTP/1.1"
    std::map<std::string, std::string> headers;  // names lower-cased; repeated ones joined by ", "
    bool keepAlive = false;  // HTTP/1.1 without "Connection: close"
    [[nodiscard]] std::string path() const;  // the target without its query; origin form of an absolute URI
};

enum class Parse {
    Incomplete,  // need more bytes
    Complete,    // req and consumed are set
    Bad,         // answer `status` (400, 431, 505) with `error` and close
};

struct ParseResult {
    Parse state = Parse::Incomplete;
    Request req;
    size_t consumed = 0;   // bytes of the request (header block) when Complete
    int status = 400;      // when Bad
    std::string error;     // when Bad
};

inline constexpr size_t kMaxHeaderBytes = 8192;
inline constexpr size_t kMaxHeaderCount = 100;

// Parses one request from the start of `buf`. Lines end in CRLF (a bare LF is accepted);
// empty lines before the request line are skipped. A body (Content-Length > 0 or any
// Transfer-Encoding) is refused as Bad (400): nothing served here takes one. HTTP/1.1 needs
// a Host header. A header block over maxHeaderBytes is Bad with 431.
ParseResult parseRequest(std::string_view buf, size_t maxHeaderBytes = kMaxHeaderBytes);

// "200 OK" style reason phrase.
std::string_view reason(int status);
// A complete response: status line, Content-Type, Content-Length, Connection, the body (not
// for HEAD), and any extra header lines ("Allow: GET, HEAD\r\n").
std::string response(int status, std::string_view contentType, std::string_view body, bool head, bool keepAlive,
                     std::string_view extraHeaders = {});

struct ListenAddr {
    int family = AF_INET;   // AF_INET, AF_INET6; AF_UNSPEC for every address (":PORT")
    std::string host;       // the literal address ("" for every address)
    uint16_t port = 0;
    [[nodiscard]] std::string str() const;  // "127.0.0.1:9100", "[::1]:9100", ":9100"
};

// "127.0.0.1:PORT", "[::1]:PORT" (any IPv4 or IPv6 literal) or ":PORT" (every address); the
// port 1..65535 in decimal.
lc::Result<ListenAddr> parseListen(std::string_view s);

}  // namespace mgr::http
