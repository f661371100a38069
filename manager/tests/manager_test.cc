// The manager's pure parts: flag parsing, sizes, JSON, log lines, log rotation and reading.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../args.h"
#include "../commands.h"
#include "../json.h"
#include "../logfile.h"
#include "../store.h"

using namespace mgr;

namespace {
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/mgr-unit.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::vector<std::string> texts(const std::vector<LogEntry>& es) {
    std::vector<std::string> out;
    for (const auto& e : es) out.push_back(e.stream + ":" + e.log);
    return out;
}
}  // namespace

TEST_CASE("args: flags before the first positional, the rest is the command", "[manager]") {
    std::vector<Flag> flags = {{'d', "detach", false}, {'t', "tty", false}, {0, "name", true}, {'e', "env", true}};
    auto a = Args::parse({"-dt", "--name", "x", "-e", "A=1", "--env=B=2", "rootfs", "sh", "-c", "echo -d"}, flags);
    REQUIRE(a);
    CHECK(a->has("detach"));
    CHECK(a->has("tty"));
    CHECK(a->value("name") == "x");
    CHECK(a->values("env") == std::vector<std::string>{"A=1", "B=2"});
    CHECK(a->positional == std::vector<std::string>{"rootfs", "sh", "-c", "echo -d"});

    auto b = Args::parse({"--name=y", "--", "-notaflag"}, flags);
    REQUIRE(b);
    CHECK(b->value("name") == "y");
    CHECK(b->positional == std::vector<std::string>{"-notaflag"});

    CHECK_FALSE(Args::parse({"--nope"}, flags));
    CHECK_FALSE(Args::parse({"-x"}, flags));
    CHECK_FALSE(Args::parse({"--name"}, flags));
    auto c = Args::parse({"-ex=1"}, flags);  // a value flag takes the rest of the word
    REQUIRE(c);
    CHECK(c->value("env") == "x=1");
}

TEST_CASE("sizes and integers", "[manager]") {
    CHECK(parseSize("4096").value() == 4096);
    CHECK(parseSize("2k").value() == 2048);
    CHECK(parseSize("10m").value() == 10 << 20);
    CHECK(parseSize("1G").value() == 1LL << 30);
    CHECK(parseSize("3mb").value() == 3 << 20);
    CHECK_FALSE(parseSize(""));
    CHECK_FALSE(parseSize("0"));
    CHECK_FALSE(parseSize("-1k"));
    CHECK_FALSE(parseSize("12q"));
    CHECK_FALSE(parseInt("1x", "n"));
}

TEST_CASE("json: writer escapes, reader finds values by path", "[manager]") {
    CHECK(json::quote("a\"b\\c\n\t\x01") == "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    // UTF-8 passes, invalid bytes become U+FFFD (and the result parses)
    CHECK(json::quote("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    CHECK(json::quote("\xff\xfe x") == "\"\\ufffd\\ufffd x\"");
    CHECK(json::quote("\xc3") == "\"\\ufffd\"");                  // truncated sequence
    CHECK(json::quote(std::string_view("a\0b", 3)) == "\"a\\ufffdb\"");  // NUL
    CHECK(json::quote("\xc0\xaf") == "\"\\ufffd\\ufffd\"");     // overlong
    CHECK(json::quote("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
    auto bin = json::Doc::parse(json::Obj().str("log", "\xff ok\n").done());
    REQUIRE(bin);
    CHECK(bin->str({"log"}) == "\xef\xbf\xbd ok\n");
    std::string doc = json::Obj().str("s", "x y").num("n", -5).boolean("b", true)
        .raw("o", json::Obj().num("k", 7).done()).strs("l", {"p", "q"}).done();
    CHECK(doc == R"({"s":"x y","n":-5,"b":true,"o":{"k":7},"l":["p","q"]})");
    auto d = json::Doc::parse(doc);
    REQUIRE(d);
    CHECK(d->str({"s"}) == "x y");
    CHECK(d->num({"n"}) == -5);
    CHECK(d->boolean({"b"}));
    CHECK(d->num({"o", "k"}) == 7);
    CHECK(d->strs({"l"}) == std::vector<std::string>{"p", "q"});
    CHECK(d->scalar("o.k").value() == "7");
    CHECK(d->scalar("b").value() == "true");
    CHECK_FALSE(d->scalar("o"));
    CHECK_FALSE(d->scalar("missing.x"));
    CHECK(d->str({"missing"}, "def") == "def");
    CHECK_FALSE(json::Doc::parse("{nope"));
}

TEST_CASE("log lines: docker's json-file shape, round trip", "[manager]") {
    std::string line = encodeLogLine("stderr", "tab\there\n", 1700000000123456789);
    CHECK(line == "{\"log\":\"tab\\there\\n\",\"stream\":\"stderr\",\"time\":\"2023-11-14T22:13:20.123456789Z\"}\n");
    LogEntry e;
    REQUIRE(decodeLogLine(line.substr(0, line.size() - 1), e));
    CHECK(e.stream == "stderr");
    CHECK(e.log == "tab\there\n");
    CHECK(e.time == "2023-11-14T22:13:20.123456789Z");
    CHECK_FALSE(decodeLogLine("{\"x\":1}", e));
    CHECK_FALSE(decodeLogLine("garbage", e));
}

TEST_CASE("log writer: one entry per line, partial lines wait, long lines split", "[manager]") {
    TempDir t;
    std::string path = t.path + "/container.log";
    LogWriter w(path, 1 << 20, 3);
    REQUIRE(w.open());
    w.write("stdout", "a\nb");
    w.write("stderr", "E1\n");
    w.write("stdout", "c\n");
    w.write("stdout", std::string(16 * 1024 + 10, 'x'));
    w.write("stdout", "tail");
    w.flush();
    LogReader r(path);
    auto es = r.readAll();
    REQUIRE(es.size() == 5);
    CHECK(texts(es)[0] == "stdout:a\n");
    CHECK(texts(es)[1] == "stderr:E1\n");
    CHECK(texts(es)[2] == "stdout:bc\n");
    CHECK(es[3].log == std::string(16 * 1024, 'x'));
    CHECK(es[4].log == "xxxxxxxxxxtail");
}

TEST_CASE("log writer: rotation keeps maxFiles files under maxSize; the reader reads them in order and follows", "[manager]") {
    TempDir t;
    std::string path = t.path + "/container.log";
    LogWriter w(path, 600, 3);
    REQUIRE(w.open());
    LogReader follower(path);
    std::vector<std::string> followed;
    auto collect = [&](const LogEntry& e) { followed.push_back(e.log); };
    for (int i = 0; i < 100; ++i) {
        w.write("stdout", "line " + std::to_string(i) + "\n");
        if (i % 7 == 0) follower.readNew(collect);  // rotations happen between reads
    }
    follower.readNew(collect);
    CHECK(std::filesystem::exists(path + ".1"));
    CHECK(std::filesystem::exists(path + ".2"));
    CHECK_FALSE(std::filesystem::exists(path + ".3"));
    for (const char* f : {"", ".1", ".2"}) CHECK(std::filesystem::file_size(path + f) <= 600);

    LogReader r(path);
    auto es = r.readAll();
    REQUIRE(!es.empty());
    CHECK(es.back().log == "line 99\n");
    int first = std::stoi(es.front().log.substr(5));
    CHECK(es.size() == static_cast<size_t>(100 - first));
    for (size_t i = 0; i < es.size(); ++i) CHECK(es[i].log == "line " + std::to_string(first + static_cast<int>(i)) + "\n");
    // the follower saw every line, across rotations, once
    REQUIRE(followed.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(followed[static_cast<size_t>(i)] == "line " + std::to_string(i) + "\n");
}

TEST_CASE("log writer with one file truncates it; a follower starts over", "[manager]") {
    TempDir t;
    std::string path = t.path + "/container.log";
    LogWriter w(path, 300, 1);
    REQUIRE(w.open());
    LogReader follower(path);
    std::vector<std::string> followed;
    for (int i = 0; i < 20; ++i) {
        w.write("stdout", "line " + std::to_string(i) + "\n");
        follower.readNew([&](const LogEntry& e) { followed.push_back(e.log); });
    }
    CHECK_FALSE(std::filesystem::exists(path + ".1"));
    CHECK(std::filesystem::file_size(path) <= 300);
    REQUIRE(followed.size() == 20);
    CHECK(followed.back() == "line 19\n");
    auto es = LogReader(path).readAll();
    REQUIRE(!es.empty());
    CHECK(es.back().log == "line 19\n");
}

TEST_CASE("times as ps and the log print them", "[manager]") {
    CHECK(rfc3339(0) == "1970-01-01T00:00:00.000000000Z");
    CHECK(humanDuration(0) == "Less than a second");
    CHECK(humanDuration(1) == "1 second");
    CHECK(humanDuration(59) == "59 seconds");
    CHECK(humanDuration(60) == "About a minute");
    CHECK(humanDuration(150) == "2 minutes");
    CHECK(humanDuration(3600) == "About an hour");
    CHECK(humanDuration(5 * 3600) == "5 hours");
    CHECK(humanDuration(72 * 3600) == "3 days");
}

TEST_CASE("time flags: unix seconds, RFC 3339 with fraction, durations ago", "[manager]") {
    CHECK(parseTimeArg("1700000000").value() == 1700000000000000000);
    CHECK(parseTimeArg("1700000000.5").value() == 1700000000500000000);
    CHECK(parseTimeArg("2023-11-14T22:13:20Z").value() == 1700000000000000000);
    CHECK(parseTimeArg("2023-11-14T22:13:20.123456789Z").value() == 1700000000123456789);
    CHECK(parseTimeArg("2023-11-14T22:13:20.5Z").value() == 1700000000500000000);
    int64_t before = nowNs();
    int64_t t = parseTimeArg("10s").value();
    int64_t after = nowNs();
    CHECK(before - t <= 10000000000);
    CHECK(after - t >= 10000000000);
    before = nowNs();
    t = parseTimeArg("2h").value();
    CHECK(before - t <= 7200000000000);
    CHECK(nowNs() - t >= 7200000000000);
    CHECK_FALSE(parseTimeArg(""));
    CHECK_FALSE(parseTimeArg("soon"));
    CHECK_FALSE(parseTimeArg("2023-11-14T22:13:20+02:00"));
}

TEST_CASE("signals by name or number", "[manager]") {
    CHECK(signalNumber("TERM") == SIGTERM);
    CHECK(signalNumber("SIGKILL") == SIGKILL);
    CHECK(signalNumber("USR1") == SIGUSR1);
    CHECK(signalNumber("9") == 9);
    CHECK(signalNumber("NOPE") == 0);
    CHECK(signalNumber("0") == 0);
    CHECK(signalNumber("") == 0);
}
