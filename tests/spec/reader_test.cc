// spec/ reader: golden configs from real clients, special values, and error messages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "spec/json.h"
#include "spec_test_util.h"

using spec_test::readData;

namespace {

spec::Spec mustParse(const std::string& json) {
    auto s = spec::parseSpec(json);
    if (!s) FAIL("parse failed: " << s.error().message());
    return *s;
}

// strerror texts are capitalised ("No such file"); runc prints them in lower case. Which one
// Error::message() gives is libcontainer's call, so compare without case.
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string parseError(const std::string& json) {
    auto s = spec::parseSpec(json);
    if (s) return "<no error>";
    return s.error().message();
}

bool hasNamespace(const spec::Spec& s, const std::string& type) {
    const auto& ns = s.linux->namespaces;
    return std::any_of(ns.begin(), ns.end(), [&](const auto& n) { return n.type == type; });
}

}  // namespace

TEST_CASE("containerd ctr config parses", "[spec]") {
    auto s = mustParse(readData("ctr-echo.json"));
    CHECK(s.ociVersion == "1.0.2-dev");
    REQUIRE(s.process);
    CHECK_FALSE(s.process->terminal);
    CHECK(s.process->args == std::vector<std::string>{"echo", "hello-from-containerd"});
    CHECK(s.process->user.additionalGids == std::vector<uint32_t>{0});
    CHECK(s.process->cwd == "/");
    REQUIRE(s.process->capabilities);
    CHECK(s.process->capabilities->bounding.size() == 14);
    CHECK(s.process->capabilities->inheritable.empty());
    REQUIRE(s.process->rlimits.size() == 1);
    CHECK(s.process->rlimits[0].type == "RLIMIT_NOFILE");
    CHECK(s.process->rlimits[0].soft == 1024);
    CHECK(s.process->noNewPrivileges);
    CHECK_FALSE(s.process->oomScoreAdj);
    REQUIRE(s.root);
    CHECK(s.root->path == "rootfs");
    CHECK_FALSE(s.root->readonly);
    REQUIRE(s.mounts.size() == 7);
    CHECK(s.mounts[2].destination == "/dev/pts");
    CHECK(s.mounts[2].options.back() == "gid=5");
    REQUIRE(s.linux);
    CHECK(s.linux->cgroupsPath == "/rcpp23441/echo1");
    CHECK(s.linux->namespaces.size() == 5);
    CHECK(hasNamespace(s, "network"));
    CHECK_FALSE(hasNamespace(s, "user"));
    REQUIRE(s.linux->resources);
    const auto& devs = s.linux->resources->devices;
    REQUIRE(devs.size() == 10);
    CHECK_FALSE(devs[0].allow);
    CHECK(devs[0].type.empty());
    CHECK_FALSE(devs[0].major);
    CHECK(devs[8].major == 136);
    CHECK_FALSE(devs[8].minor);  // "all minors"
    REQUIRE(s.linux->resources->cpu);
    CHECK(s.linux->resources->cpu->shares == 1024u);
    CHECK_FALSE(s.linux->resources->memory);
    CHECK(s.linux->maskedPaths.size() == 10);
    CHECK(s.linux->readonlyPaths.size() == 5);
    CHECK_FALSE(s.linux->seccomp);
    CHECK_FALSE(s.hooks);
}

TEST_CASE("containerd ctr tty config parses", "[spec]") {
    auto s = mustParse(readData("ctr-tty.json"));
    CHECK(s.process->terminal);
    CHECK(s.process->env.back() == "TERM=xterm");
    CHECK(s.linux->cgroupsPath == "/rcpp23441/tty1");
}

TEST_CASE("docker config with seccomp profile parses", "[spec]") {
    auto s = mustParse(readData("docker-run.json"));
    CHECK(s.hostname == "45d4fff1d39f");
    REQUIRE(s.process->oomScoreAdj);
    CHECK(*s.process->oomScoreAdj == 0);  // present and zero, not absent
    REQUIRE(s.hooks);
    REQUIRE(s.hooks->prestart.size() == 1);
    CHECK(s.hooks->prestart[0].path == "/proc/24833/exe");
    CHECK(s.hooks->prestart[0].args.size() == 4);
    CHECK_FALSE(s.hooks->prestart[0].timeout);
    CHECK(s.mounts.size() == 10);
    CHECK(s.mounts[7].type == "bind");
    CHECK(s.linux->sysctl.at("net.ipv4.ping_group_range") == "0 2147483647");
    const auto& res = *s.linux->resources;
    REQUIRE(res.memory);
    CHECK(res.memory->disableOOMKiller == false);
    CHECK_FALSE(res.memory->limit);
    CHECK(res.cpu->shares == 0u);
    REQUIRE(res.blockIO);
    CHECK(res.blockIO->weight == uint16_t{0});
    CHECK(res.devices.back().major == 10);
    CHECK(res.devices.back().minor == 229);

    REQUIRE(s.linux->seccomp);
    const auto& sc = *s.linux->seccomp;
    CHECK(sc.defaultAction == "SCMP_ACT_ERRNO");
    CHECK_FALSE(sc.defaultErrnoRet);
    CHECK(sc.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                                                        "SCMP_ARCH_X32"});
    REQUIRE(sc.syscalls.size() == 12);
    CHECK(sc.syscalls[0].names.size() > 300);
    CHECK(sc.syscalls[0].action == "SCMP_ACT_ALLOW");
    const auto& pers = sc.syscalls[6];
    REQUIRE(pers.args.size() == 1);
    CHECK(pers.args[0].value == 4294967295u);
    CHECK(pers.args[0].op == "SCMP_CMP_EQ");
    CHECK(pers.args[0].valueTwo == 0);
    CHECK(sc.syscalls[9].args[0].op == "SCMP_CMP_MASKED_EQ");
    CHECK(sc.syscalls[10].names == std::vector<std::string>{"clone3"});
    CHECK(sc.syscalls[10].errnoRet == 38u);
}

TEST_CASE("podman config parses", "[spec]") {
    auto s = mustParse(readData("podman-run.json"));
    CHECK(s.process->user.umask == 18u);
    REQUIRE(s.process->rlimits.size() == 2);
    CHECK(s.process->rlimits[0].type == "RLIMIT_NOFILE");
    CHECK(s.process->rlimits[0].hard == 20000);
    CHECK(s.process->rlimits[1].type == "RLIMIT_NPROC");
    CHECK(s.process->rlimits[1].soft == 32768);
    CHECK(s.annotations.size() == 8);
    CHECK(s.annotations.at("io.container.manager") == "libpod");
    CHECK(s.linux->resources->pids->limit == 2048);
    CHECK(s.linux->cgroupsPath.starts_with("/rcpppodman25855/libpod-"));
    CHECK(s.linux->seccomp->defaultErrnoRet == 38u);
    CHECK(s.linux->seccomp->syscalls[0].errnoRet == 1u);
    CHECK(s.linux->maskedPaths.back() == "/sys/dev/block");
}

TEST_CASE("every field of the model is read", "[spec]") {
    auto s = mustParse(readData("spec/full.json"));
    const auto& p = *s.process;
    CHECK(p.consoleSize->height == 25);
    CHECK(p.consoleSize->width == 80);
    CHECK(p.user.uid == 1000);
    CHECK(p.user.additionalGids.back() == 4294967295u);
    CHECK(p.user.username == "me");
    CHECK(p.args[2] == "\xc3\xa9 \"quoted\" \\ tab\t nl\n \x01");
    CHECK(p.commandLine == "app.exe --flag");
    CHECK(p.capabilities->inheritable == std::vector<std::string>{"CAP_CHOWN"});
    CHECK(p.capabilities->ambient == std::vector<std::string>{"CAP_NET_RAW"});
    CHECK(p.rlimits[1].hard == UINT64_MAX);
    CHECK(p.rlimits[1].soft == UINT64_MAX);
    CHECK(p.oomScoreAdj == -1000);
    CHECK(p.scheduler->policy == "SCHED_DEADLINE");
    CHECK(p.scheduler->nice == -5);
    CHECK(p.scheduler->period == 300u);
    CHECK(p.ioPriority->klass == "IOPRIO_CLASS_BE");
    CHECK(p.ioPriority->priority == 4);
    CHECK(s.root->readonly);
    CHECK(s.domainname == "example.org");
    CHECK(s.mounts[1].uidMappings.at(0).hostID == 100000);
    CHECK(s.mounts[1].gidMappings.at(0).size == 65536);
    CHECK(s.mounts[2].type.empty());
    CHECK(s.hooks->prestart[0].timeout == 5);
    CHECK(s.hooks->poststop[0].path == "/usr/bin/pst");
    CHECK(s.annotations.at("empty").empty());

    const auto& l = *s.linux;
    CHECK(l.uidMappings.size() == 2);
    CHECK(l.sysctl.at("kernel.msgmax") == "65536");
    const auto& r = *l.resources;
    CHECK(r.devices[2].major == -1);
    CHECK(r.memory->swap == -1);
    CHECK(r.memory->kernel == 0);
    CHECK(r.memory->useHierarchy == false);
    CHECK(r.memory->checkBeforeUpdate == true);
    CHECK(r.cpu->burst == 1000u);
    CHECK(r.cpu->idle == 1);
    CHECK(r.cpu->cpus == "0-3");
    CHECK(r.pids->limit == -1);
    CHECK(r.blockIO->weightDevice[0].leafWeight == uint16_t{65535});
    CHECK_FALSE(r.blockIO->weightDevice[1].weight);
    CHECK(r.blockIO->throttleWriteBpsDevice[0].rate == UINT64_MAX);
    CHECK(r.hugepageLimits[1].pageSize == "1GB");
    CHECK(r.network->classID == 1048577u);
    CHECK(r.network->priorities[0].name == "eth0");
    CHECK(r.rdma.at("mlx5_1").hcaObjects == 10000u);
    CHECK_FALSE(r.rdma.at("mlx4_0").hcaHandles);
    CHECK(r.unified.at("io.weight") == "default 100");
    CHECK(l.namespaces[1].path == "/var/run/netns/full");
    CHECK(l.devices[0].fileMode == 438u);
    CHECK(l.devices[0].uid == 0u);
    CHECK_FALSE(l.devices[1].fileMode);
    const auto& sc = *l.seccomp;
    CHECK(sc.flags.size() == 2);
    CHECK(sc.listenerPath == "/run/seccomp-agent.sock");
    CHECK(sc.listenerMetadata == "meta");
    CHECK(sc.syscalls[1].args[0].value == UINT64_MAX);
    CHECK(sc.syscalls[1].args[0].valueTwo == 9223372036854775808ull);
    CHECK(l.rootfsPropagation == "rslave");
    CHECK(l.mountLabel.starts_with("system_u"));
    CHECK(l.intelRdt->closID == "guaranteed");
    CHECK(l.intelRdt->enableCMT == true);
    CHECK(l.intelRdt->enableMBM == false);
    CHECK(l.personality->domain == "LINUX32");
    CHECK(l.timeOffsets.at("monotonic").secs == -86400);
    CHECK(l.timeOffsets.at("monotonic").nanosecs == 500);
    CHECK(l.timeOffsets.at("boottime").secs == 3600);
}

TEST_CASE("process, resources and state documents parse", "[spec]") {
    auto p = spec::parseProcess(readData("spec/process.json"));
    REQUIRE(p);
    CHECK(p->args.size() == 3);
    CHECK(p->cwd == "/var/www");
    CHECK(p->user.uid == 33);
    CHECK(p->apparmorProfile == "unconfined");

    auto r = spec::parseResources(readData("spec/resources.json"));
    REQUIRE(r);
    CHECK(r->memory->limit == 1073741824);
    CHECK_FALSE(r->memory->reservation);  // null is absent
    CHECK(r->cpu->cpus == "0,1");
    CHECK(r->pids->limit == 4096);
    CHECK(r->unified.at("memory.max") == "max");
    CHECK(r->devices.empty());

    auto st = spec::parseState(readData("spec/state.json"));
    REQUIRE(st);
    CHECK(st->id == "web-1");
    CHECK(st->pid == 4242);
    CHECK(st->status == "running");
    CHECK(st->created == "2024-05-01T10:20:30.123456789Z");
    CHECK(st->owner.empty());
    CHECK(st->annotations.at("org.example.role") == "frontend");

    auto bad = spec::parseResources(R"({"memory":{"limit":"1G"}})");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == "memory.limit: expected integer");
    auto badState = spec::parseState(R"({"pid":2147483648})");
    REQUIRE_FALSE(badState);
    CHECK(badState.error().message() == "pid: value 2147483648 out of range for int32");
}

TEST_CASE("nulls are absent, unknown fields are ignored", "[spec]") {
    auto s = mustParse(R"({"ociVersion":"1.0.0","process":null,"hostname":null,
        "root":{"path":"r","readonly":null},"linux":{"resources":{"memory":null,
        "cpu":{"shares":null,"quota":5}}},"mounts":[null,{"destination":"/x","options":null}],
        "futureField":{"a":[1,2,{"b":true}],"c":1e400,"d":-99999999999999999999999},
        "annotations":{"k":null}})");
    CHECK_FALSE(s.process);
    CHECK(s.hostname.empty());
    CHECK_FALSE(s.root->readonly);
    CHECK_FALSE(s.linux->resources->memory);
    CHECK_FALSE(s.linux->resources->cpu->shares);
    CHECK(s.linux->resources->cpu->quota == 5);
    REQUIRE(s.mounts.size() == 2);  // a null element is a zero value, as in Go
    CHECK(s.mounts[0].destination.empty());
    CHECK(s.mounts[1].destination == "/x");
    CHECK(s.annotations.at("k").empty());

    auto p = spec::parseProcess(R"({"args":["a",null,"c"],"user":{"uid":1,"extra":"x"}})");
    REQUIRE(p);
    CHECK(p->args == std::vector<std::string>{"a", "", "c"});
    CHECK(p->user.uid == 1);
}

TEST_CASE("integers: full uint64 range, limits of narrower types", "[spec]") {
    auto s = mustParse(R"({"process":{"rlimits":[{"type":"RLIMIT_CORE",
        "hard":18446744073709551615,"soft":0}],"user":{"uid":4294967295,"gid":0}},
        "linux":{"resources":{"memory":{"limit":-9223372036854775808,"swap":9223372036854775807},
        "blockIO":{"weight":65535}}}})");
    CHECK(s.process->rlimits[0].hard == UINT64_MAX);
    CHECK(s.process->user.uid == UINT32_MAX);
    CHECK(s.linux->resources->memory->limit == INT64_MIN);
    CHECK(s.linux->resources->memory->swap == INT64_MAX);
    CHECK(s.linux->resources->blockIO->weight == uint16_t{65535});
}

TEST_CASE("duplicate keys: the last one wins", "[spec]") {
    auto s = mustParse(R"({"hostname":"a","hostname":"b","process":{"args":["x"]},
        "process":{"cwd":"/"}})");
    CHECK(s.hostname == "b");
    // Objects merge, as Go's decoder does.
    CHECK(s.process->args == std::vector<std::string>{"x"});
    CHECK(s.process->cwd == "/");
}

TEST_CASE("deep nesting is handled without recursion trouble", "[spec]") {
    const size_t depth = 200000;
    std::string deep = std::string(depth, '[') + std::string(depth, ']');
    auto s = spec::parseSpec(R"({"ociVersion":"1.0.0","x":)" + deep + "}");
    REQUIRE(s);
    CHECK(s->ociVersion == "1.0.0");
    CHECK(parseError(R"({"process":)" + deep + "}") == "process: expected object");
    std::string objs;
    for (int i = 0; i < 10000; ++i) objs += R"({"a":)";
    objs += "1" + std::string(10000, '}');
    CHECK(spec::parseSpec(R"({"linux":{"resources":{"unknown":)" + objs + "}}}").has_value());
}

TEST_CASE("wrong types and malformed JSON are reported with their path", "[spec]") {
    struct Case {
        const char* json;
        const char* error;
    };
    const Case cases[] = {
        {R"([])", "json: expected object"},
        {R"("str")", "json: expected object"},
        {R"(null)", "json: expected object"},
        {R"({"ociVersion":1})", "ociVersion: expected string"},
        {R"({"process":[]})", "process: expected object"},
        {R"({"process":{"args":"sh"}})", "process.args: expected array"},
        {R"({"process":{"args":["sh",2]}})", "process.args[1]: expected string"},
        {R"({"process":{"terminal":"yes"}})", "process.terminal: expected boolean"},
        {R"({"process":{"terminal":1}})", "process.terminal: expected boolean"},
        {R"({"process":{"user":{"uid":-1}}})", "process.user.uid: value -1 out of range for uint32"},
        {R"({"process":{"user":{"uid":4294967296}}})",
         "process.user.uid: value 4294967296 out of range for uint32"},
        {R"({"process":{"user":{"gid":1.5}}})", "process.user.gid: expected integer"},
        {R"({"process":{"user":{"gid":1e3}}})", "process.user.gid: expected integer"},
        {R"({"process":{"user":{"gid":"0"}}})", "process.user.gid: expected integer"},
        {R"({"process":{"user":{"additionalGids":[1,-2]}}})",
         "process.user.additionalGids[1]: value -2 out of range for uint32"},
        {R"({"process":{"oomScoreAdj":2147483648}})",
         "process.oomScoreAdj: value 2147483648 out of range for int32"},
        {R"({"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551616}]}})",
         "process.rlimits[0].hard: value 18446744073709551616 out of range for uint64"},
        {R"({"process":{"rlimits":[{"type":"RLIMIT_NOFILE","soft":-1}]}})",
         "process.rlimits[0].soft: value -1 out of range for uint64"},
        {R"({"process":{"ioPriority":{"class":3}}})", "process.ioPriority.class: expected string"},
        {R"({"linux":{"resources":{"memory":{"limit":"1g"}}}})",
         "linux.resources.memory.limit: expected integer"},
        {R"({"linux":{"resources":{"memory":{"limit":9223372036854775808}}}})",
         "linux.resources.memory.limit: value 9223372036854775808 out of range for int64"},
        {R"({"linux":{"resources":{"blockIO":{"weight":65536}}}})",
         "linux.resources.blockIO.weight: value 65536 out of range for uint16"},
        {R"({"linux":{"resources":{"devices":[{"allow":true},{"allow":"no"}]}}})",
         "linux.resources.devices[1].allow: expected boolean"},
        {R"({"linux":{"seccomp":{"syscalls":[{"names":["read"],"args":[{"value":-1}]}]}}})",
         "linux.seccomp.syscalls[0].args[0].value: value -1 out of range for uint64"},
        {R"({"linux":{"sysctl":{"net.ipv4.ip_forward":1}}})",
         R"(linux.sysctl["net.ipv4.ip_forward"]: expected string)"},
        {R"({"linux":{"timeOffsets":{"boottime":{"nanosecs":-1}}}})",
         R"(linux.timeOffsets["boottime"].nanosecs: value -1 out of range for uint32)"},
        {R"({"annotations":["a"]})", "annotations: expected object"},
        {R"({"mounts":{}})", "mounts: expected array"},
        {R"({"mounts":[{"destination":"/a"},{"options":[true]}]})",
         "mounts[1].options[0]: expected string"},
        {R"({"hooks":{"prestart":[{"path":"/x","timeout":"5"}]}})",
         "hooks.prestart[0].timeout: expected integer"},
    };
    for (const auto& c : cases) {
        INFO(c.json);
        CHECK(parseError(c.json) == c.error);
    }
}

TEST_CASE("malformed JSON carries yajl's message", "[spec]") {
    const char* bad[] = {
        "", "{", R"({"ociVersion":"1.0.0")", R"({"ociVersion":"1.0.0",})", R"({"a" 1})",
        "{} {}", "{}x", R"({"a":tru})", "{'a':1}", "{\"a\":\"\xff\"}", "{/* c */}", "[1,]",
    };
    for (const char* json : bad) {
        INFO(json);
        std::string e = parseError(json);
        CHECK(e.starts_with("invalid JSON: "));
        CHECK(e.find(" at offset ") != std::string::npos);
        CHECK(e.find('\n') == std::string::npos);
    }
    CHECK(parseError(R"({"process":{"args":["sh")") ==
          "invalid JSON: parse error: premature EOF at offset 24");
    CHECK(parseError(R"({"a":tru})").find("lexical error") != std::string::npos);
}

TEST_CASE("loadSpecFile reports the file", "[spec]") {
    auto missing = spec::loadSpecFile("/nonexistent/config.json");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().context == "open /nonexistent/config.json");
    CHECK(lower(missing.error().message()) ==
          "open /nonexistent/config.json: no such file or directory");
    CHECK(missing.error().errnum() == ENOENT);

    auto ok = spec::loadSpecFile(std::string(TEST_DATA_DIR) + "/podman-run.json");
    REQUIRE(ok);
    CHECK(ok->process->args == std::vector<std::string>{"sleep", "1000"});

    auto bad = spec::loadSpecFile(std::string(TEST_DATA_DIR) + "/spec/state.json");
    REQUIRE(bad);  // a state document is an object with unknown fields: fine, if useless

    auto proc = spec::loadProcessFile(std::string(TEST_DATA_DIR) + "/spec/process.json");
    REQUIRE(proc);
    CHECK(proc->cwd == "/var/www");
    auto notJson = spec::loadSpecFile(std::string(TEST_DATA_DIR) + "/spec/not-json.txt");
    REQUIRE_FALSE(notJson);
    CHECK(notJson.error().message().starts_with("parse " + std::string(TEST_DATA_DIR) +
                                                "/spec/not-json.txt: invalid JSON: "));
    auto dir = spec::loadSpecFile(TEST_DATA_DIR);
    REQUIRE_FALSE(dir);
    CHECK(lower(dir.error().message()) == "read " + std::string(TEST_DATA_DIR) + ": is a directory");
}
