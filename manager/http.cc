#include "http.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace mgr::http {

namespace {

// RFC 9110 tchar.
bool isTokenChar(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

ParseResult bad(int status, std::string error) {
    ParseResult r;
    r.state = Parse::Bad;
    r.status = status;
    r.error = std::move(error);
    return r;
}

// Whether the comma-separated header value holds `token` (case-insensitive).
bool hasToken(const std::string& value, std::string_view token) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        if (lower(trimOws(std::string_view(value).substr(start, comma - start))) == token) return true;
        start = comma + 1;
    }
    return false;
}

}  // namespace

std::string Request::path() const {
    std::string_view t = target;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (t.size() >= scheme.size() && lower(t.substr(0, scheme.size())) == scheme) {
            t.remove_prefix(scheme.size());
            size_t slash = t.find_first_of("/?");
            t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
            break;
        }
    }
    t = t.substr(0, t.find('?'));
    return t.empty() ? "/" : std::string(t);
}

ParseResult parseRequest(std::string_view buf, size_t maxHeaderBytes) {
    // Split the header block into lines; stop at the empty line that ends it.
    std::vector<std::string_view> lines;
    size_t pos = 0;
    bool complete = false;
    while (pos < buf.size()) {
        size_t nl = buf.find('\n', pos);
        if (nl == std::string_view::npos) break;
        if (nl + 1 > maxHeaderBytes) break;
        std::string_view line = buf.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = nl + 1;
        if (line.empty()) {
            if (lines.empty()) continue;  // empty lines before the request line
            complete = true;
            break;
        }
        if (line.find('\r') != std::string_view::npos) return bad(400, "bare CR in the request header");
        if (lines.size() > kMaxHeaderCount) return bad(431, "too many header fields");
        lines.push_back(line);
    }
    if (!complete) {
        if (buf.size() > maxHeaderBytes) return bad(431, "request header too large");
        return {};
    }
    if (pos > maxHeaderBytes) return bad(431, "request header too large");

    ParseResult r;
    Request& q = r.req;
    // request-line = method SP request-target SP HTTP-version
    std::string_view rl = lines[0];
    size_t sp1 = rl.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : rl.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || rl.find(' ', sp2 + 1) != std::string_view::npos)
        return bad(400, "malformed request line");
    q.method = rl.substr(0, sp1);
    q.target = rl.substr(sp1 + 1, sp2 - sp1 - 1);
    q.version = rl.substr(sp2 + 1);
    if (!isToken(q.method)) return bad(400, "malformed method");
    if (q.target.empty() || std::any_of(q.target.begin(), q.target.end(), [](char c) {
            unsigned char u = static_cast<unsigned char>(c);
            return u <= 0x20 || u == 0x7f;
        }))
        return bad(400, "malformed request target");
    if (q.target[0] != '/' && q.target != "*" && !lower(q.target).starts_with("http://") &&
        !lower(q.target).starts_with("https://"))
        return bad(400, "malformed request target");
    const std::string& v = q.version;
    if (v.size() != 8 || !v.starts_with("HTTP/") || !std::isdigit(static_cast<unsigned char>(v[5])) || v[6] != '.' ||
        !std::isdigit(static_cast<unsigned char>(v[7])))
        return bad(400, "malformed HTTP version");
    if (v[5] != '1') return bad(505, "HTTP version not supported");

    for (size_t i = 1; i < lines.size(); ++i) {
        std::string_view l = lines[i];
        if (l[0] == ' ' || l[0] == '\t') return bad(400, "obsolete line folding in a header");
        size_t colon = l.find(':');
        if (colon == std::string_view::npos || !isToken(l.substr(0, colon))) return bad(400, "malformed header field");
        std::string_view value = trimOws(l.substr(colon + 1));
        if (std::any_of(value.begin(), value.end(), [](char c) {
                unsigned char u = static_cast<unsigned char>(c);
                return (u < 0x20 && u != '\t') || u == 0x7f;
            }))
            return bad(400, "control character in a header value");
        std::string name = lower(l.substr(0, colon));
        auto [it, fresh] = q.headers.try_emplace(name, value);
        if (!fresh) {
            if (name == "host") return bad(400, "more than one Host header");
            if (name == "content-length" && it->second != value) return bad(400, "conflicting Content-Length headers");
            if (name != "content-length") it->second += ", " + std::string(value);
        }
    }
    bool http11 = v[7] != '0';
    if (http11 && !q.headers.contains("host")) return bad(400, "missing Host header");
    if (q.headers.contains("transfer-encoding")) return bad(400, "a request body is not accepted");
    if (auto it = q.headers.find("content-length"); it != q.headers.end()) {
        const std::string& cl = it->second;
        if (cl.empty() || !std::all_of(cl.begin(), cl.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return bad(400, "malformed Content-Length");
        if (cl.find_first_not_of('0') != std::string::npos) return bad(400, "a request body is not accepted");
    }
    const std::string conn = q.headers.contains("connection") ? q.headers.at("connection") : std::string();
    q.keepAlive = http11 ? !hasToken(conn, "close") : hasToken(conn, "keep-alive");
    r.state = Parse::Complete;
    r.consumed = pos;
    return r;
}

std::string_view reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

std::string response(int status, std::string_view contentType, std::string_view body, bool head, bool keepAlive,
                     std::string_view extraHeaders) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)) + "\r\n";
    out += "Content-Type: " + std::string(contentType) + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += extraHeaders;
    out += "\r\n";
    if (!head) out += body;
    return out;
}

std::string ListenAddr::str() const {
    std::string p = ":" + std::to_string(port);
    if (family == AF_UNSPEC) return p;
    return family == AF_INET6 ? "[" + host + "]" + p : host + p;
}

lc::Result<ListenAddr> parseListen(std::string_view s) {
    auto invalid = [&](const std::string& why) -> lc::Result<ListenAddr> {
        return lc::fail(EINVAL, "invalid --listen address \"" + std::string(s) + "\": " + why);
    };
    size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return invalid("want HOST:PORT, [IPV6]:PORT or :PORT");
    std::string_view host = s.substr(0, colon), port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return invalid("the port must be a number from 1 to 65535");
    unsigned long p = std::stoul(std::string(port));
    if (p < 1 || p > 65535) return invalid("the port must be a number from 1 to 65535");
    ListenAddr a;
    a.port = static_cast<uint16_t>(p);
    if (host.empty()) {
        a.family = AF_UNSPEC;
        return a;
    }
    unsigned char bin[sizeof(in6_addr)];
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return invalid("an IPv6 address goes in brackets: [::1]:PORT");
        a.host = host.substr(1, host.size() - 2);
        if (::inet_pton(AF_INET6, a.host.c_str(), bin) != 1) return invalid("\"" + a.host + "\" is not an IPv6 address");
        a.family = AF_INET6;
        return a;
    }
    a.host = host;
    if (::inet_pton(AF_INET, a.host.c_str(), bin) != 1) {
        if (a.host.find(':') != std::string::npos) return invalid("an IPv6 address goes in brackets: [::1]:PORT");
        return invalid("\"" + a.host + "\" is not an IPv4 address (give an IP address, or :PORT for all)");
    }
    a.family = AF_INET;
    return a;
}

}  // namespace mgr::http
