// The shim's ttrpc server and client talking over a real unix socket, with the Task service
// answering the calls that need no container.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "events.h"
#include "task.h"
#include "task_shim.pb.h"
#include "ttrpc_client.h"
#include "ttrpc_server.h"

using namespace shim;

namespace {
lc::UniqueFd listenAt(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    ::unlink(path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    return lc::UniqueFd(fd);
}
}  // namespace

TEST_CASE("ttrpc server: requests are answered, deferred answers do not block others", "[shim]") {
    std::string path = "/tmp/rcpp-shim-test-" + std::to_string(::getpid()) + ".sock";
    auto loop = Loop::create();
    REQUIRE(loop);
    ttrpc::Reply parked;
    ttrpc::Server server(**loop, listenAt(path), [&](const ttrpc::Call& c, ttrpc::Reply r) {
        if (c.method == "Echo") r.ok(c.payload + "/" + c.metadata.at("k"));
        else if (c.method == "Park") parked = r;
        else if (c.method == "Release") {
            parked.ok("released");
            r.ok("");
        } else if (c.method == "Stop") {
            r.ok("");
            (*loop)->stop();
        } else r.error(ttrpc::kUnimplemented, "method " + c.method + ": not implemented");
    });
    REQUIRE(server.start());

    std::string echo, park, unknown, unknownMsg;
    int code = 0;
    std::thread client([&] {
        ttrpc::Client a(path), b(path);
        echo = a.call("svc", "Echo", "ping", {{"k", "v"}}).value_or("error");
        std::thread parker([&] { park = b.call("svc", "Park", "").value_or("error"); });
        ::usleep(100000);
        (void)a.call("svc", "Release", "");
        parker.join();
        auto u = a.call("svc", "Nope", "", {}, 5000, &code);
        unknownMsg = u ? "" : u.error().message();
        (void)a.call("svc", "Stop", "");
    });
    REQUIRE((*loop)->run());
    client.join();
    server.flush();
    ::unlink(path.c_str());
    CHECK(echo == "ping/v");
    CHECK(park == "released");
    CHECK(code == ttrpc::kUnimplemented);
    CHECK(unknownMsg == "method Nope: not implemented");
}

TEST_CASE("task service: Connect, unknown task and Checkpoint answers", "[shim]") {
    auto loop = Loop::create();
    REQUIRE(loop);
    Publisher pub("ns", "", "", "");
    TaskService task(**loop, pub, {"ns", "c1", "/tmp"});
    std::string lastPayload;
    int lastCode = -1;
    std::string lastMsg;
    // Drive the handler directly with a Reply that has no server: answers are dropped, so
    // check what can be seen from outside: no crash and Shutdown calling back.
    bool shut = false;
    task.onShutdown([&] { shut = true; });
    containerd::task::v2::ShutdownRequest sreq;
    sreq.set_id("c1");
    task.handle({"containerd.task.v2.Task", "Shutdown", sreq.SerializeAsString(), {}}, {});
    CHECK(shut);
    task.handle({"containerd.task.v2.Task", "Checkpoint", "", {}}, {});
    task.handle({"containerd.task.v2.Task", "State", "", {}}, {});
    task.handle({"other", "State", "", {}}, {});
    (void)lastPayload;
    (void)lastCode;
    (void)lastMsg;
}

#include "cgroups1_metrics.pb.h"
#include "cgroups2_metrics.pb.h"
#include "metrics.h"

TEST_CASE("metrics: lc::Stats as cgroup v1 and v2 Metrics", "[shim]") {
    lc::Stats s;
    s.pidsCurrent = 3;
    s.cpuUsageTotalNs = 5000000;
    s.memoryUsage = 100;
    s.memoryLimit = 1000;
    s.swapUsage = 150;   // memory + swap
    s.swapLimit = 3000;
    s.memoryStat["total_rss"] = 42;
    s.memoryStat["anon"] = 7;
    s.ioServiceBytes = {{8, 0, "Read", 10}, {8, 0, "Write", 20}};
    io::containerd::cgroups::v1::Metrics m1;
    REQUIRE(m1.ParseFromString(metricsV1(s, 2)));
    CHECK(m1.pids().current() == 3);
    CHECK(m1.cpu().usage().total() == 5000000);
    CHECK(m1.memory().usage().usage() == 100);
    CHECK(m1.memory().total_rss() == 42);
    CHECK(m1.memory_oom_control().oom_kill() == 2);
    REQUIRE(m1.blkio().io_service_bytes_recursive_size() == 2);
    io::containerd::cgroups::v2::Metrics m2;
    REQUIRE(m2.ParseFromString(metricsV2(s, 1)));
    CHECK(m2.cpu().usage_usec() == 5000);
    CHECK(m2.memory().anon() == 7);
    CHECK(m2.memory().swap_usage() == 50);
    CHECK(m2.memory().swap_limit() == 2000);
    REQUIRE(m2.io().usage_size() == 1);
    CHECK(m2.io().usage(0).rbytes() == 10);
    CHECK(m2.io().usage(0).wbytes() == 20);
    CHECK(m2.memory_events().oom_kill() == 1);
}
