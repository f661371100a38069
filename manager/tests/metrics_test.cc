// metrics: the Prometheus exposition format, /proc/net/dev parsing, memory figures, the HTTP
// request parser and --listen addresses.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "../http.h"
#include "../metrics_collect.h"
#include "../metrics_format.h"

using namespace mgr;

TEST_CASE("prom: label values escape backslash, quote and newline; invalid UTF-8 becomes U+FFFD") {
    CHECK(prom::escapeLabelValue("plain") == "plain");
    CHECK(prom::escapeLabelValue("a\\b") == "a\\\\b");
    CHECK(prom::escapeLabelValue("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(prom::escapeLabelValue("two\nlines") == "two\\nlines");
    CHECK(prom::escapeLabelValue("tab\tstays") == "tab\tstays");
    CHECK(prom::escapeLabelValue("caf\xC3\xA9") == "caf\xC3\xA9");
    CHECK(prom::escapeLabelValue("bad\xFF!") == "bad\xEF\xBF\xBD!");
    CHECK(prom::escapeLabelValue("cut\xC3") == "cut\xEF\xBF\xBD");
    // HELP escapes backslash and newline but not quotes
    CHECK(prom::escapeHelp("a \"b\"\\c\nd") == "a \"b\"\\\\c\\nd");
}

TEST_CASE("prom: label names are sanitized to [a-zA-Z_][a-zA-Z0-9_]*") {
    CHECK(prom::sanitizeLabelName("name") == "name");
    CHECK(prom::sanitizeLabelName("com.example.app-version") == "com_example_app_version");
    CHECK(prom::sanitizeLabelName("9lives") == "_9lives");
    CHECK(prom::sanitizeLabelName("") == "_");
    CHECK(prom::sanitizeLabelName("container_label_org.opencontainers.image.title") ==
          "container_label_org_opencontainers_image_title");
    CHECK(prom::sanitizeLabelName("\xC3\xA9t\xC3\xA9") == "__t__");
}

TEST_CASE("prom: values") {
    CHECK(prom::formatValue(0) == "0");
    CHECK(prom::formatValue(-0.0) == "0");
    CHECK(prom::formatValue(1073741824) == "1073741824");
    CHECK(prom::formatValue(9007199254740991.0) == "9007199254740991");
    CHECK(prom::formatValue(0.25) == "0.25");
    CHECK(prom::formatValue(1.5e-9) == "1.5e-09");
    CHECK(prom::formatValue(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(prom::formatValue(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(prom::formatValue(std::nan("")) == "NaN");
    // what it writes reads back the same
    CHECK(prom::formatValue(1e300) == "1e+300");
    for (double v : {0.1, 1.0 / 3, 12345.678901234567, 1e300, 1.8446744073709552e19})
        CHECK(std::stod(prom::formatValue(v)) == v);
}

TEST_CASE("prom: families sorted by name, HELP and TYPE once, labels sorted, bad and repeated names handled") {
    prom::Exposition e;
    CHECK(e.empty());
    e.add("b_total", "counter", "B things.\nSecond line", {{"name", "x\"y"}, {"id", "/a"}}, 3);
    e.add("a_bytes", "gauge", "A.", {}, 1.5);
    e.add("b_total", "gauge", "ignored", {{"id", "/b"}, {"id", "dup"}, {"bad-name", "v"}}, 4);
    CHECK(e.text() ==
          "# HELP a_bytes A.\n"
          "# TYPE a_bytes gauge\n"
          "a_bytes 1.5\n"
          "# HELP b_total B things.\\nSecond line\n"
          "# TYPE b_total counter\n"
          "b_total{id=\"/a\",name=\"x\\\"y\"} 3\n"
          "b_total{bad_name=\"v\",id=\"/b\"} 4\n");
}

TEST_CASE("metrics: /proc/net/dev") {
    const char* text =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
        "    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0\n"
        "  eth0: 1234567    1000    3    4    0     0          0         7   765432     900    5    6    0     0       0          0\n"
        "broken line\n"
        "  short: 1 2 3\n";
    auto devs = metrics::parseNetDev(text);
    REQUIRE(devs.size() == 2);
    CHECK(devs[0].name == "lo");
    CHECK(devs[1].name == "eth0");
    CHECK(devs[1].rxBytes == 1234567);
    CHECK(devs[1].rxPackets == 1000);
    CHECK(devs[1].rxErrors == 3);
    CHECK(devs[1].rxDropped == 4);
    CHECK(devs[1].txBytes == 765432);
    CHECK(devs[1].txPackets == 900);
    CHECK(devs[1].txErrors == 5);
    CHECK(devs[1].txDropped == 6);
    CHECK(metrics::ignoredInterface("lo"));
    CHECK(metrics::ignoredInterface("veth1a2b"));
    CHECK_FALSE(metrics::ignoredInterface("eth0"));
    CHECK(metrics::parseNetDev("").empty());
}

TEST_CASE("metrics: working set, memory.stat keys of v1 and v2, unlimited limits") {
    lc::Stats v1;
    v1.memoryUsage = 1000;
    v1.memoryStat = {{"total_inactive_file", 300}, {"inactive_file", 5}, {"total_rss", 600}, {"rss", 1}};
    CHECK(metrics::workingSet(v1) == 700);
    CHECK(metrics::memoryStat(v1, "total_rss", "anon") == 600);
    lc::Stats v2;
    v2.memoryUsage = 1000;
    v2.memoryStat = {{"inactive_file", 200}, {"anon", 400}};
    CHECK(metrics::workingSet(v2) == 800);
    CHECK(metrics::memoryStat(v2, "total_rss", "anon") == 400);
    CHECK(metrics::memoryStat(v2, "total_cache", "file") == 0);
    lc::Stats over;
    over.memoryUsage = 10;
    over.memoryStat = {{"inactive_file", 20}};
    CHECK(metrics::workingSet(over) == 0);
    CHECK(metrics::memoryLimitValue(64 << 20) == 64 << 20);
    CHECK(metrics::memoryLimitValue(9223372036854771712ULL) == 0);  // v1 "unlimited"
    CHECK(metrics::memoryLimitValue(UINT64_MAX) == 0);              // v2 "max"
}

TEST_CASE("metrics: block devices sum Read and Write per device") {
    lc::Stats st;
    st.ioServiceBytes = {{7, 99, "Read", 10}, {7, 99, "Write", 20}, {7, 99, "Total", 30}, {7, 99, "Read", 1}};
    st.ioServiced = {{7, 99, "Read", 2}, {7, 99, "Write", 3}};
    auto devs = metrics::blockDevices(st);
    REQUIRE(devs.size() == 1);
    CHECK(devs[0].readBytes == 11);
    CHECK(devs[0].writeBytes == 20);
    CHECK(devs[0].reads == 2);
    CHECK(devs[0].writes == 3);
    CHECK((devs[0].device == "7:99" || devs[0].device.starts_with("/dev/")));
}

TEST_CASE("http: a complete GET, keep-alive by default in HTTP/1.1") {
    auto r = http::parseRequest("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: text/plain\r\nUser-Agent:  p/2 \r\n\r\nNEXT");
    REQUIRE(r.state == http::Parse::Complete);
    CHECK(r.consumed == std::string("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: text/plain\r\nUser-Agent:  p/2 \r\n\r\n").size());
    CHECK(r.req.method == "GET");
    CHECK(r.req.target == "/metrics?x=1");
    CHECK(r.req.path() == "/metrics");
    CHECK(r.req.version == "HTTP/1.1");
    CHECK(r.req.headers.at("user-agent") == "p/2");
    CHECK(r.req.keepAlive);
}

TEST_CASE("http: Connection, HTTP/1.0, bare LF, leading empty lines, absolute form") {
    auto close = http::parseRequest("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Close\r\n\r\n");
    REQUIRE(close.state == http::Parse::Complete);
    CHECK_FALSE(close.req.keepAlive);
    auto h10 = http::parseRequest("GET /metrics HTTP/1.0\n\n");
    REQUIRE(h10.state == http::Parse::Complete);
    CHECK_FALSE(h10.req.keepAlive);
    auto h10ka = http::parseRequest("GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    REQUIRE(h10ka.state == http::Parse::Complete);
    CHECK(h10ka.req.keepAlive);
    auto lead = http::parseRequest("\r\n\r\nHEAD /metrics HTTP/1.1\r\nhost: x\r\n\r\n");
    REQUIRE(lead.state == http::Parse::Complete);
    CHECK(lead.req.method == "HEAD");
    auto abs = http::parseRequest("GET http://h:9/metrics?q HTTP/1.1\r\nHost: h:9\r\n\r\n");
    REQUIRE(abs.state == http::Parse::Complete);
    CHECK(abs.req.path() == "/metrics");
    auto zero = http::parseRequest("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
    CHECK(zero.state == http::Parse::Complete);
}

TEST_CASE("http: incomplete requests wait for more bytes") {
    CHECK(http::parseRequest("").state == http::Parse::Incomplete);
    CHECK(http::parseRequest("GET /metrics HTTP/1.1\r\n").state == http::Parse::Incomplete);
    CHECK(http::parseRequest("GET /metrics HTTP/1.1\r\nHost: a\r\n").state == http::Parse::Incomplete);
    CHECK(http::parseRequest("\r\n").state == http::Parse::Incomplete);
}

TEST_CASE("http: bad requests") {
    auto bad = [](std::string_view text, int status = 400) {
        auto r = http::parseRequest(text);
        INFO(text);
        CHECK(r.state == http::Parse::Bad);
        CHECK(r.status == status);
        CHECK_FALSE(r.error.empty());
    };
    bad("GET /metrics\r\n\r\n");                                  // no version
    bad("GET  /metrics HTTP/1.1\r\nHost: a\r\n\r\n");              // two spaces
    bad("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n");
    bad("G(T / HTTP/1.1\r\nHost: a\r\n\r\n");                     // not a token
    bad("GET metrics HTTP/1.1\r\nHost: a\r\n\r\n");               // not origin form
    bad("GET / HTTP/1.1\r\n\r\n");                                 // no Host
    bad("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
    bad("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\n");
    bad("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    bad("GET / HTTP/1.x\r\nHost: a\r\n\r\n");
    bad("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
    bad("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", 431);
    bad("GET /" + std::string(9000, 'a'), 431);  // too large before its end arrived
    std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 120; ++i) many += "X" + std::to_string(i) + ": y\r\n";
    bad(many + "\r\n", 431);
}

TEST_CASE("http: responses") {
    std::string r = http::response(200, "text/plain", "body", false, true);
    CHECK(r == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\nbody");
    std::string h = http::response(405, "text/plain", "no", true, false, "Allow: GET, HEAD\r\n");
    CHECK(h == "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n"
               "Allow: GET, HEAD\r\n\r\n");
}

TEST_CASE("http: --listen addresses") {
    auto v4 = http::parseListen("127.0.0.1:9100");
    REQUIRE(v4);
    CHECK(v4->family == AF_INET);
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 9100);
    CHECK(v4->str() == "127.0.0.1:9100");
    auto v6 = http::parseListen("[::1]:65535");
    REQUIRE(v6);
    CHECK(v6->family == AF_INET6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 65535);
    CHECK(v6->str() == "[::1]:65535");
    auto any = http::parseListen(":1");
    REQUIRE(any);
    CHECK(any->family == AF_UNSPEC);
    CHECK(any->str() == ":1");
    for (const char* s : {"", "9100", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:99999999999",
                          "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:8 0", "localhost:80", "300.0.0.1:80", "::1:80",
                          "[::1:80", "[]:80", "[127.0.0.1]:80", "[fe80::1%eth0]:80"}) {
        INFO(s);
        auto r = http::parseListen(s);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("invalid --listen address") != std::string::npos);
    }
}
