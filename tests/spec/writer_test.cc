// spec/ writer: round trips of real configs, omitempty, exact output of small documents.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "spec/json.h"
#include "spec_test_util.h"

using spec_test::parseTree;
using spec_test::readData;
using spec_test::sameJson;

TEST_CASE("configs round-trip: parse, write, parse again", "[spec]") {
    auto file = GENERATE(as<std::string>{}, "ctr-echo.json", "ctr-tty.json", "docker-run.json",
                         "podman-run.json", "spec/full.json");
    INFO(file);
    std::string input = readData(file);
    auto s = spec::parseSpec(input);
    REQUIRE(s);

    for (bool pretty : {false, true}) {
        std::string out = spec::toJson(*s, pretty);
        // What we write means the same as what the client wrote (these inputs have no
        // zero-valued omitempty members), so no field is lost or invented by the writer...
        auto a = parseTree(input);
        auto b = parseTree(out);
        REQUIRE(a);
        REQUIRE(b);
        std::string where;
        CHECK(sameJson(a.get(), b.get(), where));
        CHECK(where.empty());
        INFO(where);
        // ...and reading it back gives the same model, byte for byte once written again.
        auto again = spec::parseSpec(out);
        REQUIRE(again);
        CHECK(spec::toJson(*again, pretty) == out);
        CHECK(spec::toJson(*again) == spec::toJson(*s));
    }
}

TEST_CASE("compact output has no whitespace, pretty output is tab-indented", "[spec]") {
    auto s = spec::parseSpec(readData("ctr-echo.json"));
    REQUIRE(s);
    std::string compact = spec::toJson(*s);
    CHECK(compact.starts_with(R"({"ociVersion":"1.0.2-dev","process":{"user":{"uid":0,"gid":0,)"));
    CHECK(compact.find('\n') == std::string::npos);
    CHECK(compact.find(": ") == std::string::npos);
    std::string pretty = spec::toJson(*s, true);
    CHECK(pretty.starts_with("{\n\t\"ociVersion\": \"1.0.2-dev\",\n\t\"process\": {\n\t\t\"user\""));
}

TEST_CASE("omitempty members are left out, required ones are kept", "[spec]") {
    spec::Spec s;
    CHECK(spec::toJson(s) == R"({"ociVersion":""})");

    s.ociVersion = "1.2.0";
    s.process.emplace();
    s.root = spec::Root{"", false};
    s.mounts.push_back(spec::Mount{"/m", "", "", {}, {}, {}});
    s.linux.emplace();
    s.linux->resources.emplace();
    s.linux->resources->devices.push_back(spec::DeviceCgroup{});
    s.linux->namespaces.push_back(spec::Namespace{"pid", ""});
    s.linux->seccomp.emplace();
    s.linux->seccomp->syscalls.push_back(spec::SeccompSyscall{{"read"}, "SCMP_ACT_ALLOW", {}, {}});
    s.linux->seccomp->syscalls[0].args.push_back(spec::SeccompArg{1, 0, 0, "SCMP_CMP_NE"});
    s.hooks.emplace();
    s.hooks->poststop.push_back(spec::Hook{"/bin/true", {}, {}, std::nullopt});
    CHECK(spec::toJson(s) ==
          R"({"ociVersion":"1.2.0","process":{"user":{"uid":0,"gid":0},"cwd":""},)"
          R"("root":{"path":""},"mounts":[{"destination":"/m"}],)"
          R"("hooks":{"poststop":[{"path":"/bin/true"}]},)"
          R"("linux":{"resources":{"devices":[{"allow":false}]},"namespaces":[{"type":"pid"}],)"
          R"("seccomp":{"defaultAction":"","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW",)"
          R"("args":[{"index":1,"value":0,"op":"SCMP_CMP_NE"}]}]}}})");

    // Present-but-zero optionals are written: they differ from absent ones.
    spec::Resources r;
    r.memory.emplace();
    r.memory->swap = 0;
    r.memory->disableOOMKiller = false;
    r.cpu.emplace();
    r.cpu->shares = 0;
    r.pids = spec::Pids{0};
    CHECK(spec::toJson(r) ==
          R"({"memory":{"swap":0,"disableOOMKiller":false},"cpu":{"shares":0},"pids":{"limit":0}})");
    CHECK(spec::toJson(spec::Resources{}) == "{}");
}

TEST_CASE("strings are escaped and numbers exact", "[spec]") {
    spec::Process p;
    p.args = {"a\"b\\c", "tab\tnl\n", std::string("nul\0x", 5), "\x01\x1f", "\xc3\xa9/"};
    p.cwd = "/";
    p.rlimits.push_back(spec::Rlimit{"RLIMIT_CORE", UINT64_MAX, 0});
    p.oomScoreAdj = -1000;
    std::string out = spec::toJson(p);
    CHECK(out == R"({"user":{"uid":0,"gid":0},"args":["a\"b\\c","tab\tnl\n","nul\u0000x",)"
                 R"("\u0001\u001F","é/"],"cwd":"/","rlimits":[{"type":"RLIMIT_CORE",)"
                 R"("hard":18446744073709551615,"soft":0}],"oomScoreAdj":-1000})");
    auto back = spec::parseProcess(out);
    REQUIRE(back);
    CHECK(back->args == p.args);
    CHECK(back->rlimits[0].hard == UINT64_MAX);
    CHECK(back->oomScoreAdj == -1000);
}

TEST_CASE("state documents: key order, omitted annotations, round trip", "[spec]") {
    spec::State st;
    st.ociVersion = "1.2.0";
    st.id = "c1";
    st.status = "stopped";
    st.pid = 0;
    st.bundle = "/b";
    st.rootfs = "/b/rootfs";
    st.created = "2024-01-02T03:04:05.000000006Z";
    CHECK(spec::toJson(st) ==
          R"({"ociVersion":"1.2.0","id":"c1","pid":0,"status":"stopped","bundle":"/b",)"
          R"("rootfs":"/b/rootfs","created":"2024-01-02T03:04:05.000000006Z","owner":""})");
    st.annotations["k"] = "v";
    st.owner = "alice";
    auto back = spec::parseState(spec::toJson(st, true));
    REQUIRE(back);
    CHECK(back->annotations.at("k") == "v");
    CHECK(back->owner == "alice");
    CHECK(spec::toJson(*back) == spec::toJson(st));

    auto fromFile = spec::parseState(readData("spec/state.json"));
    REQUIRE(fromFile);
    auto a = parseTree(readData("spec/state.json"));
    auto b = parseTree(spec::toJson(*fromFile));
    std::string where;
    CHECK(sameJson(a.get(), b.get(), where));
}

TEST_CASE("process and resources documents round-trip", "[spec]") {
    auto p = spec::parseProcess(readData("spec/process.json"));
    REQUIRE(p);
    auto p2 = spec::parseProcess(spec::toJson(*p, true));
    REQUIRE(p2);
    CHECK(spec::toJson(*p2) == spec::toJson(*p));
    CHECK(spec::toJson(*p).find("unknownField") == std::string::npos);
    CHECK(spec::toJson(*p).find("terminal") == std::string::npos);  // false is omitted

    auto r = spec::parseResources(readData("spec/resources.json"));
    REQUIRE(r);
    CHECK(spec::toJson(*r) ==
          R"({"memory":{"limit":1073741824,"swap":2147483648},"cpu":{"shares":1024,)"
          R"("quota":100000,"period":100000,"cpus":"0,1"},"pids":{"limit":4096},)"
          R"("blockIO":{"weight":300},"unified":{"memory.max":"max"}})");
}
