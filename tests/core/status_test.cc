#include <catch2/catch.hpp>

#include "state/record.h"
#include "state/status.h"
#include "util/proc.h"

using namespace lc::state;

TEST_CASE("status is derived from facts", "[core][status]") {
    Facts f;
    CHECK(derive(f) == Status::Stopped);             // no record, nobody creating: leftover
    f.createLocked = true;
    CHECK(derive(f) == Status::Creating);
    f = {};
    f.hasRecord = true;
    CHECK(derive(f) == Status::Stopped);             // init gone
    f.initAlive = true;
    CHECK(derive(f) == Status::Running);
    f.fifoExists = true;
    CHECK(derive(f) == Status::Created);
    f.fifoExists = false;
    f.frozen = true;
    CHECK(derive(f) == Status::Paused);
    CHECK(statusName(Status::Paused) == "paused");
}

TEST_CASE("a recorded init whose start time differs is not alive", "[core][status]") {
    Record r;
    r.id = "x";
    r.pid = ::getpid();
    auto st = lc::util::readProcStat(r.pid);
    REQUIRE(st);
    r.initStartTime = st->startTime;
    CHECK(initAlive(r));
    r.initStartTime += 1;  // pid reused by another process
    CHECK_FALSE(initAlive(r));
    r.pid = 0;
    CHECK_FALSE(initAlive(r));
}

TEST_CASE("proc stat parsing copes with odd comm names", "[core][status]") {
    const char* line = "123 (a) b (c)) S 1 123 123 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 10";
    auto st = lc::util::parseProcStat(line);
    REQUIRE(st);
    CHECK(st->state == 'S');
    CHECK(st->startTime == 98765u);
    CHECK_FALSE(lc::util::parseProcStat("garbage"));
}

TEST_CASE("state records round-trip", "[core][status]") {
    Record r;
    r.id = "c1";
    r.pid = 4242;
    r.initStartTime = 18446744073709551615ull;
    r.bundle = "/b";
    r.rootfs = "/b/rootfs";
    r.created = "2026-01-01T00:00:00.000000001Z";
    r.ociVersion = "1.2.0";
    r.ownPidNs = true;
    r.annotations = {{"a", "b\"q"}};
    r.cgroupPaths = {{"memory", "/sys/fs/cgroup/memory/x"}, {"", "/sys/fs/cgroup/unified/x"}};
    auto back = decodeRecord(encodeRecord(r));
    REQUIRE(back);
    CHECK(back->id == r.id);
    CHECK(back->pid == r.pid);
    CHECK(back->initStartTime == r.initStartTime);
    CHECK(back->annotations == r.annotations);
    CHECK(back->cgroupPaths == r.cgroupPaths);
    CHECK(back->ownPidNs);
    CHECK_FALSE(decodeRecord("{\"id\":\"x\"}"));   // no pid
    CHECK_FALSE(decodeRecord("{\"id\":"));         // truncated
    CHECK_FALSE(decodeRecord("[]"));
}
