// The helper's wire format (helper/protocol.h) and, without root, a real helper process:
// what it refuses, that errors come back as they were made, and that it ends with its embedder.
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "helper/channel.h"
#include "helper/protocol.h"
#include "libcontainer/remote.h"

using namespace lc;
using namespace lc::helper;

namespace {

RuntimeOptions rootAt(const std::string& root) {
    RuntimeOptions o;
    o.root = root;
    return o;
}

Frame frame(std::string json) { return Frame{std::move(json), {}}; }

std::string tempRoot() {
    char tmpl[] = "/tmp/lc-helper-test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

bool gone(pid_t pid, int ms) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) return errno == ESRCH;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, ms);
    ::close(fd);
    return r == 1;
}

}  // namespace

TEST_CASE("helper frames: header checked", "[core][helper]") {
    std::string wire = encodeFrame(R"({"v":1})");
    auto ok = decodeFrame(wire.data(), wire.size());
    REQUIRE(ok);
    CHECK(*ok == R"({"v":1})");
    CHECK(decodeFrame(wire.data(), 4).error().message() == "helper message: 4 bytes is shorter than its header");
    CHECK_FALSE(decodeFrame(wire.data(), wire.size() - 1));
    std::string bad = wire;
    bad[3] = 'x';  // the magic is in the upper three bytes (the version is byte 0)
    CHECK(decodeFrame(bad.data(), bad.size()).error().message() == "helper message: bad magic");
    std::string v2 = wire;
    v2[0] = 2;  // little-endian: the version is the first byte
    CHECK(decodeFrame(v2.data(), v2.size()).error().message() == "helper message: version 2 is not 1");
}

TEST_CASE("helper messages: every field checked", "[core][helper]") {
    auto m = Message::parse(frame(R"({"v":1,"id":7,"op":"kill","containerId":"c1","signal":9,"all":true})"), "helper request");
    REQUIRE(m);
    CHECK(m->id() == 7);
    CHECK(m->op() == "kill");
    CHECK(m->str("containerId", true) == "c1");
    CHECK(m->integer("signal", 1, 64, true) == 9);
    CHECK(m->boolean("all"));
    CHECK(m->done());

    auto wrongType = Message::parse(frame(R"({"v":1,"id":1,"op":"kill","containerId":"c","signal":"9"})"), "helper request");
    REQUIRE(wrongType);
    (void)wrongType->str("containerId", true);
    (void)wrongType->integer("signal", 1, 64, true);
    CHECK(wrongType->done().error().message() == "helper request kill: field \"signal\": expected integer");

    auto range = Message::parse(frame(R"({"v":1,"id":1,"op":"kill","signal":65})"), "helper request");
    REQUIRE(range);
    (void)range->integer("signal", 1, 64, true);
    CHECK(range->done().error().message() == "helper request kill: field \"signal\": 65 is out of range 1-64");

    auto unknown = Message::parse(frame(R"({"v":1,"id":1,"op":"start","containerId":"c","extra":1})"), "helper request");
    REQUIRE(unknown);
    (void)unknown->str("containerId", true);
    CHECK(unknown->done().error().message() == "helper request start: field \"extra\": unknown field");

    auto missing = Message::parse(frame(R"({"v":1,"id":1,"op":"start"})"), "helper request");
    REQUIRE(missing);
    (void)missing->str("containerId", true);
    CHECK(missing->done().error().message() == "helper request start: field \"containerId\": missing");

    auto nul = Message::parse(frame(R"({"v":1,"id":1,"op":"start","containerId":"a\u0000b"})"), "helper request");
    REQUIRE(nul);
    (void)nul->str("containerId", true);
    CHECK(nul->done().error().message() == "helper request start: field \"containerId\": contains a NUL byte");

    CHECK(Message::parse(frame(R"({"v":2,"id":1})"), "helper request").error().message() ==
          "helper request: field \"v\": version 2 is not 1");
    CHECK(Message::parse(frame(R"({"v":1})"), "helper request").error().message() == "helper request: field \"id\": missing");
    CHECK(Message::parse(frame(R"([1])"), "helper request").error().message() == "helper request: not a JSON object");
    CHECK_FALSE(Message::parse(frame(R"({"v":1,"id":1)"), "helper request"));
}

TEST_CASE("helper messages: attached fds must be the named ones", "[core][helper]") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    Frame f{R"({"v":1,"id":1,"op":"x","fds":["stdout"]})", {}};
    f.fds.emplace_back(p[0]);
    f.fds.emplace_back(p[1]);
    CHECK(Message::parse(std::move(f), "helper request").error().message() ==
          "helper request x: field \"fds\": names 1 fds, 2 attached");

    REQUIRE(::pipe(p) == 0);
    Frame g{R"({"v":1,"id":1,"op":"x","fds":["stdout","stderr"]})", {}};
    g.fds.emplace_back(p[0]);
    g.fds.emplace_back(p[1]);
    auto m = Message::parse(std::move(g), "helper request");
    REQUIRE(m);
    UniqueFd out = m->takeFd("stdout");
    CHECK(out.get() >= 0);
    CHECK(m->done().error().message() == "helper request x: field \"fds\": fd \"stderr\" is not used by this message");
}

TEST_CASE("helper errors come back with the same message and errno", "[core][helper]") {
    const Error cases[] = {errnoError("open /x", ENOENT).error(), fail(ENOENT, "container does not exist").error(),
                           fail("no code at all").error()};
    for (const Error& e : cases) {
        auto m = Message::parse(frame(encodeError(3, e)), "helper reply");
        REQUIRE(m);
        CHECK(m->id() == 3);
        CHECK_FALSE(m->boolean("ok"));
        Error back = decodeError(*m);
        CHECK(back.message() == e.message());
        CHECK(back.errnum() == e.errnum());
    }
    auto bad = Message::parse(frame(R"({"v":1,"id":3,"ok":false,"errno":2,"category":"posix","context":"x"})"), "helper reply");
    REQUIRE(bad);
    (void)bad->boolean("ok");
    CHECK(decodeError(*bad).message() == "helper reply: field \"category\": unknown category \"posix\"");
}

TEST_CASE("helper stats round-trip and are checked", "[core][helper]") {
    Stats s;
    s.cpuUsageTotalNs = 12345678901234ull, s.cpuPerCpuNs = {1, 2, 3};
    s.memoryUsage = 4096, s.swapLimit = UINT64_MAX, s.memoryStat = {{"anon", 10}, {"file", 20}};
    s.pidsCurrent = 3, s.pidsLimit = 100;
    s.ioServiceBytes = {{8, 0, "Read", 512}};
    s.hugetlb["2MB"] = {1, 2, 3};
    json::Writer w;
    writeStats(w, s);
    auto doc = json::Document::parseOwned(w.text());
    REQUIRE(doc);
    auto back = readStats(doc->root());
    REQUIRE(back);
    CHECK(back->cpuUsageTotalNs == s.cpuUsageTotalNs);
    CHECK(back->cpuPerCpuNs == s.cpuPerCpuNs);
    CHECK(back->swapLimit == UINT64_MAX);
    CHECK(back->memoryStat == s.memoryStat);
    CHECK(back->pidsCurrent == 3);
    REQUIRE(back->ioServiceBytes.size() == 1);
    CHECK(back->ioServiceBytes[0].op == "Read");
    CHECK(back->hugetlb["2MB"].failcnt == 3);
    auto wrong = json::Document::parseOwned(R"({"cpuTotal":"1"})");
    REQUIRE(wrong);
    CHECK(readStats(wrong->root()).error().message() == "helper reply stats: field \"cpuTotal\": wrong type");
}

TEST_CASE("helper process: refuses bad requests, answers as the library would", "[core][helper]") {
    std::string root = tempRoot();
    auto rt = RemoteRuntime::start(rootAt(root));
    REQUIRE(rt);
    const pid_t helper = rt->helperPid();
    CHECK(helper > 0);
    auto list = rt->list();
    REQUIRE(list);
    CHECK(list->empty());
    // The same error as lc::Runtime::load gives.
    auto local = Runtime::open(rootAt(root));
    REQUIRE(local);
    auto missing = rt->load("nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message() == local->load("nope").error().message());
    CHECK(missing.error().errnum() == local->load("nope").error().errnum());
    CHECK(rt->load("../x").error().message() == local->load("../x").error().message());

    Channel& ch = Access::of(*rt);
    auto raw = [&](uint64_t id, const std::string& json) { return ch.callRaw(id, encodeFrame(json), {}); };
    CHECK(raw(900, R"({"v":1,"id":900,"op":"frobnicate"})").error().message() == "helper request: unknown op \"frobnicate\"");
    CHECK(raw(901, R"({"v":1,"id":901,"op":"kill","containerId":"x","signal":0})").error().message() ==
          "helper request kill: field \"signal\": 0 is out of range 1-64");
    CHECK(raw(902, R"({"v":1,"id":902,"op":"start","containerId":"x","x":1})").error().message() ==
          "helper request start: field \"x\": unknown field");
    CHECK(raw(903, R"({"v":1,"id":903,"op":"waitProcess","pid":-5})").error().message() ==
          "helper request waitProcess: field \"pid\": -5 is out of range 1-2147483647");
    CHECK(raw(904, R"({"v":7,"id":904,"op":"list"})").error().message() == "helper request: field \"v\": version 7 is not 1");
    CHECK(ch.callRaw(0, "garbage!!", {}).error().message() == "helper message: bad magic");
    // An fd the request does not name.
    int p[2];
    REQUIRE(::pipe(p) == 0);
    auto fdReply = ch.callRaw(905, encodeFrame(R"({"v":1,"id":905,"op":"list"})"), {p[0]});
    CHECK(fdReply.error().message() == "helper request list: field \"fds\": names 0 fds, 1 attached");
    ::close(p[0]), ::close(p[1]);
    // Options the helper cannot carry are refused before anything is sent.
    CreateOptions co;
    co.id = "c";
    co.preserveFds = 1;
    CHECK(rt->create(co).error().message() == "preserveFds, listenFds: not supported through the runc-cpp helper");
    // Still serving after all that.
    CHECK(rt->list());

    rt = std::unexpected(Error{});  // closes the socket, reaps the helper
    CHECK(gone(helper, 2000));
    std::filesystem::remove_all(root);
}

TEST_CASE("helper process: refused once threads run, gone with its embedder", "[core][helper]") {
    std::string root = tempRoot();
    {
        std::thread t([] { ::usleep(200 * 1000); });
        auto rt = RemoteRuntime::start(rootAt(root));
        t.join();
        REQUIRE_FALSE(rt);
        CHECK(rt.error().errnum() == EBUSY);
        CHECK(rt.error().message() == "runc-cpp helper: start it before the program starts threads (this process runs 2)");
    }
    int p[2];
    REQUIRE(::pipe(p) == 0);
    pid_t embedder = ::fork();
    REQUIRE(embedder >= 0);
    if (embedder == 0) {
        auto rt = RemoteRuntime::start(rootAt(root));
        pid_t h = rt ? rt->helperPid() : -1;
        (void)!::write(p[1], &h, sizeof h);
        ::pause();
        ::_exit(0);
    }
    ::close(p[1]);
    pid_t helper = -1;
    REQUIRE(::read(p[0], &helper, sizeof helper) == sizeof helper);
    ::close(p[0]);
    REQUIRE(helper > 0);
    CHECK_FALSE(gone(helper, 100));  // alive while the embedder is
    ::kill(embedder, SIGKILL);
    ::waitpid(embedder, nullptr, 0);
    CHECK(gone(helper, 5000));
    std::filesystem::remove_all(root);
}
