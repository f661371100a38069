// spec/ validate(): accepted configs and the exact message for each rejected one.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "spec/defaults.h"
#include "spec/json.h"
#include "spec_test_util.h"

using spec_test::readData;

namespace {

std::string problem(const spec::Spec& s) {
    auto r = spec::validate(s);
    return r ? "<valid>" : r.error().message();
}

}  // namespace

TEST_CASE("real configs and the defaults validate", "[spec]") {
    auto file = GENERATE(as<std::string>{}, "ctr-echo.json", "ctr-tty.json", "docker-run.json",
                         "podman-run.json", "spec/full.json");
    INFO(file);
    auto s = spec::parseSpec(readData(file));
    REQUIRE(s);
    // full.json carries the largest uint32 gid for the reader's sake; validate refuses it.
    if (file == "spec/full.json") {
        CHECK(problem(*s) == "process.user.additionalGids[2]: 4294967295 is out of range 0-2147483647");
        s->process->user.additionalGids.back() = 7;
    }
    CHECK(problem(*s) == "<valid>");
    CHECK(problem(spec::defaultSpec(false)) == "<valid>");
    CHECK(problem(spec::defaultSpec(true)) == "<valid>");
}

TEST_CASE("ociVersion must be 1.x", "[spec]") {
    spec::Spec s = spec::defaultSpec(false);
    for (const char* ok : {"1.0.0", "1.0.2-dev", "1.1.0-rc.1", "1.2.0", "1.3.x", "1.0.0+build.5",
                           "1.10.12"}) {
        s.ociVersion = ok;
        CHECK(problem(s) == "<valid>");
    }
    for (const char* bad : {"2.0.0", "0.9.0", "1", "1.", "1.0", "v1.0.0", "1.0.0garbage",
                            "10.0.0", "1.0.0-", "1.a.0", "garbage", " 1.0.0"}) {
        s.ociVersion = bad;
        CHECK(problem(s) == std::string("ociVersion: unsupported version \"") + bad + "\"");
    }
    s.ociVersion.clear();
    CHECK(problem(s) == "ociVersion: must be set");
}

TEST_CASE("invalid configs are rejected naming the field", "[spec]") {
    using Edit = std::function<void(spec::Spec&)>;
    struct Case {
        const char* what;
        Edit edit;
        const char* error;
    };
    const Case cases[] = {
        {"no root", [](auto& s) { s.root.reset(); }, "root: must be set"},
        {"empty root", [](auto& s) { s.root->path.clear(); }, "root.path: must be set"},
        {"no process", [](auto& s) { s.process.reset(); }, "process: must be set"},
        {"no args", [](auto& s) { s.process->args.clear(); }, "process.args: args must not be empty"},
        {"no cwd", [](auto& s) { s.process->cwd.clear(); }, "process.cwd: must be set"},
        {"relative cwd", [](auto& s) { s.process->cwd = "work"; },
         "process.cwd: must be an absolute path"},
        {"unknown rlimit", [](auto& s) { s.process->rlimits.push_back({"RLIMIT_FOO", 1, 1}); },
         "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\""},
        {"lower-case rlimit", [](auto& s) { s.process->rlimits[0].type = "nofile"; },
         "process.rlimits[0].type: unknown rlimit \"nofile\""},
        {"duplicate rlimit", [](auto& s) { s.process->rlimits.push_back({"RLIMIT_NOFILE", 1, 1}); },
         "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\""},
        {"soft above hard", [](auto& s) { s.process->rlimits[0].soft = 2048; },
         "process.rlimits[0].soft: must not exceed hard"},
        {"io class", [](auto& s) { s.process->ioPriority = spec::IoPriority{"RT", 0}; },
         "process.ioPriority.class: unknown class \"RT\""},
        {"io priority",
         [](auto& s) { s.process->ioPriority = spec::IoPriority{"IOPRIO_CLASS_BE", 8}; },
         "process.ioPriority.priority: must be between 0 and 7"},
        {"sched policy", [](auto& s) { s.process->scheduler.emplace().policy = "FAST"; },
         "process.scheduler.policy: unknown policy \"FAST\""},
        {"sched nice",
         [](auto& s) {
             s.process->scheduler.emplace().policy = "SCHED_OTHER";
             s.process->scheduler->nice = 20;
         },
         "process.scheduler.nice: must be between -20 and 19"},
        {"relative mount", [](auto& s) { s.mounts[3].destination = "dev/shm"; },
         "mounts[3].destination: must be an absolute path"},
        {"empty mount", [](auto& s) { s.mounts.push_back({}); },
         "mounts[7].destination: must be an absolute path"},
        {"idmap on a non-bind mount", [](auto& s) { s.mounts[3].options.push_back("idmap"); },
         "mounts[3].options: idmapped mounts must be bind mounts (type \"bind\" or option \"bind\"/\"rbind\")"},
        {"mount mappings on a non-bind mount", [](auto& s) { s.mounts[3].uidMappings.push_back({0, 1000, 1}); },
         "mounts[3].uidMappings: idmapped mounts must be bind mounts (type \"bind\" or option \"bind\"/\"rbind\")"},
        {"idmap without userns or mappings",
         [](auto& s) { s.mounts.push_back({"/data", "none", "/srv", {"rbind", "ridmap"}, {}, {}}); },
         "mounts[7].options: idmap without the mount's uidMappings/gidMappings uses the container's user "
         "namespace mappings, but there is no user namespace"},
        {"mount uid mappings alone",
         [](auto& s) { s.mounts.push_back({"/data", "bind", "/srv", {"idmap"}, {{0, 1000, 1}}, {}}); },
         "mounts[7].gidMappings: must be given together with uidMappings"},
        {"mount gid mappings alone",
         [](auto& s) { s.mounts.push_back({"/data", "bind", "/srv", {"idmap"}, {}, {{0, 1000, 1}}}); },
         "mounts[7].uidMappings: must be given together with gidMappings"},
        {"mount mapping of size 0",
         [](auto& s) { s.mounts.push_back({"/data", "bind", "/srv", {"idmap"}, {{0, 1000, 1}}, {{0, 1000, 0}}}); },
         "mounts[7].gidMappings[0].size: must be positive"},
        {"relative hook",
         [](auto& s) { s.hooks.emplace().poststart.push_back({"hook", {}, {}, {}}); },
         "hooks.poststart[0].path: must be an absolute path"},
        {"zero timeout",
         [](auto& s) {
             s.hooks.emplace().prestart.push_back({"/bin/hook", {}, {}, 0});
         },
         "hooks.prestart[0].timeout: must be positive"},
        {"negative timeout",
         [](auto& s) {
             s.hooks.emplace().createRuntime = {{"/a", {}, {}, 1}, {"/b", {}, {}, -3}};
         },
         "hooks.createRuntime[1].timeout: must be positive"},
        {"hostname without uts",
         [](auto& s) { std::erase_if(s.linux->namespaces, [](auto& n) { return n.type == "uts"; }); },
         "hostname: unable to set hostname without a private UTS namespace"},
        {"domainname without uts",
         [](auto& s) {
             s.hostname.clear();
             s.domainname = "example.org";
             s.linux->namespaces.clear();
         },
         "domainname: unable to set domainname without a private UTS namespace"},
        {"hostname without linux", [](auto& s) { s.linux.reset(); },
         "hostname: unable to set hostname without a private UTS namespace"},
        {"unknown namespace", [](auto& s) { s.linux->namespaces.push_back({"net", ""}); },
         "linux.namespaces[5].type: unknown namespace type \"net\""},
        {"duplicate namespace", [](auto& s) { s.linux->namespaces.push_back({"pid", "/proc/1/ns/pid"}); },
         "linux.namespaces: duplicate namespace \"pid\""},
        {"relative ns path", [](auto& s) { s.linux->namespaces[1].path = "netns"; },
         "linux.namespaces[1].path: must be an absolute path"},
        {"mappings without userns",
         [](auto& s) { s.linux->uidMappings.push_back({0, 1000, 1}); },
         "linux.uidMappings: id mappings require a user namespace"},
        {"gid mappings without userns",
         [](auto& s) { s.linux->gidMappings.push_back({0, 1000, 1}); },
         "linux.uidMappings: id mappings require a user namespace"},
        {"userns without mappings", [](auto& s) { s.linux->namespaces.push_back({"user", ""}); },
         "linux.uidMappings: a new user namespace needs uid mappings"},
        {"userns without gid mappings",
         [](auto& s) {
             s.linux->namespaces.push_back({"user", ""});
             s.linux->uidMappings.push_back({0, 1000, 1});
         },
         "linux.gidMappings: a new user namespace needs gid mappings"},
        {"zero-size mapping",
         [](auto& s) {
             s.linux->namespaces.push_back({"user", ""});
             s.linux->uidMappings.push_back({0, 1000, 1});
             s.linux->gidMappings = {{0, 1000, 1}, {1, 2000, 0}};
         },
         "linux.gidMappings[1].size: must be positive"},
        {"time offsets without timens", [](auto& s) { s.linux->timeOffsets["monotonic"] = {1, 0}; },
         "linux.timeOffsets: time offsets require a new time namespace"},
        {"time offsets, joined timens",
         [](auto& s) {
             s.linux->namespaces.push_back({"time", "/proc/1/ns/time"});
             s.linux->timeOffsets["boottime"] = {1, 0};
         },
         "linux.timeOffsets: time offsets require a new time namespace"},
        {"unknown clock",
         [](auto& s) {
             s.linux->namespaces.push_back({"time", ""});
             s.linux->timeOffsets["realtime"] = {1, 0};
         },
         "linux.timeOffsets: unknown clock \"realtime\""},
        {"device type", [](auto& s) { s.linux->devices.push_back({"x", "/dev/x", 1, 1, {}, {}, {}}); },
         "linux.devices[0].type: unknown device type \"x\""},
        {"device path", [](auto& s) { s.linux->devices.push_back({"c", "dev/null", 1, 3, {}, {}, {}}); },
         "linux.devices[0].path: must be an absolute path"},
        {"cgroup device type", [](auto& s) { s.linux->resources->devices[0].type = "u"; },
         "linux.resources.devices[0].type: unknown device type \"u\""},
        {"empty sysctl key", [](auto& s) { s.linux->sysctl[""] = "1"; },
         "linux.sysctl: keys must not be empty"},
        {"propagation", [](auto& s) { s.linux->rootfsPropagation = "recursive"; },
         "linux.rootfsPropagation: unknown propagation \"recursive\""},
        {"seccomp default", [](auto& s) { s.linux->seccomp.emplace(); },
         "linux.seccomp.defaultAction: must be set"},
        {"seccomp action",
         [](auto& s) {
             s.linux->seccomp.emplace().defaultAction = "SCMP_ACT_ALLOW";
             s.linux->seccomp->syscalls.push_back({{"read"}, "", {}, {}});
         },
         "linux.seccomp.syscalls[0].action: must be set"},
        {"personality", [](auto& s) { s.linux->personality = spec::Personality{"LINUX64", {}}; },
         "linux.personality.domain: unknown domain \"LINUX64\""},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        spec::Spec s = spec::defaultSpec(false);
        c.edit(s);
        CHECK(problem(s) == c.error);
    }
}

TEST_CASE("validate accepts what runc accepts", "[spec]") {
    spec::Spec s = spec::defaultSpec(false);
    // Joining a user namespace needs no mappings; joining a uts namespace allows a hostname.
    s.linux->namespaces.push_back({"user", "/proc/42/ns/user"});
    s.linux->namespaces[3].path = "/proc/42/ns/uts";
    s.linux->namespaces.push_back({"time", ""});
    s.linux->timeOffsets["monotonic"] = {-10, 999999999};
    s.linux->rootfsPropagation = "rprivate";
    s.linux->personality = spec::Personality{"LINUX", {}};
    s.linux->seccomp.emplace().defaultAction = "SCMP_ACT_ALLOW";
    s.linux->devices.push_back({"p", "/dev/fifo", 0, 0, {}, {}, {}});
    s.process->capabilities->bounding.push_back("CAP_NOT_A_THING");  // warned about later
    s.process->rlimits.push_back({"RLIMIT_CORE", UINT64_MAX, UINT64_MAX});
    s.process->ioPriority = spec::IoPriority{"IOPRIO_CLASS_IDLE", 7};
    s.hooks.emplace().prestart.push_back({"/bin/hook", {"hook"}, {}, 3});
    s.mounts.push_back({"/", "bind", "/", {"rbind"}, {}, {}});
    CHECK(problem(s) == "<valid>");
}

TEST_CASE("a NUL in a string that becomes a C string is rejected; in an annotation it is kept", "[spec]") {
    // The reader keeps "\u0000" (JSON allows it); validate names the field instead of letting
    // execve or mount(2) cut the string short.
    std::string json = spec::toJson(spec::defaultSpec(false));
    auto withArg = json;
    withArg.replace(withArg.find("\"sh\""), 4, R"("s\u0000h")");
    auto s = spec::parseSpec(withArg);
    REQUIRE(s);
    REQUIRE(s->process->args[0] == std::string("s\0h", 3));
    CHECK(problem(*s) == "process.args[0]: must not contain a NUL byte");

    spec::Spec d = spec::defaultSpec(false);
    d.process->env.push_back(std::string("A=\0B", 4));
    CHECK(problem(d) == "process.env[" + std::to_string(d.process->env.size() - 1) + "]: must not contain a NUL byte");
    d = spec::defaultSpec(false);
    d.root->path = std::string("root\0fs", 7);
    CHECK(problem(d) == "root.path: must not contain a NUL byte");
    d = spec::defaultSpec(false);
    d.mounts[0].options.push_back(std::string("mode=\0", 6));
    CHECK(problem(d) == "mounts[0].options[" + std::to_string(d.mounts[0].options.size() - 1) +
                            "]: must not contain a NUL byte");
    d = spec::defaultSpec(false);
    d.hostname = std::string("h\0", 2);
    CHECK(problem(d) == "hostname: must not contain a NUL byte");
    d = spec::defaultSpec(false);
    d.linux->maskedPaths.push_back(std::string("/proc/\0x", 8));
    CHECK(problem(d).ends_with("]: must not contain a NUL byte"));

    d = spec::defaultSpec(false);
    d.annotations[std::string("k\0", 2)] = std::string("v\0w", 3);
    CHECK(problem(d) == "<valid>");
}

TEST_CASE("ids outside 0-2147483647 and other integers with a sentinel meaning are refused", "[spec]") {
    auto mutated = [](const std::function<void(spec::Spec&)>& f) {
        spec::Spec s = spec::defaultSpec(false);
        f(s);
        return problem(s);
    };
    CHECK(mutated([](spec::Spec& s) { s.process->user.uid = 4294967295U; }) ==
          "process.user.uid: 4294967295 is out of range 0-2147483647");
    CHECK(mutated([](spec::Spec& s) { s.process->user.gid = 2147483648U; }) ==
          "process.user.gid: 2147483648 is out of range 0-2147483647");
    CHECK(mutated([](spec::Spec& s) { s.process->user.additionalGids = {5, 4294967295U}; }) ==
          "process.user.additionalGids[1]: 4294967295 is out of range 0-2147483647");
    CHECK(mutated([](spec::Spec& s) { s.process->user.uid = s.process->user.gid = 2147483647U; }) == "<valid>");
    CHECK(mutated([](spec::Spec& s) { s.process->oomScoreAdj = -1001; }) ==
          "process.oomScoreAdj: must be between -1000 and 1000");
    CHECK(mutated([](spec::Spec& s) { s.process->oomScoreAdj = 1000; }) == "<valid>");
    CHECK(mutated([](spec::Spec& s) { s.process->consoleSize = spec::Box{65536, 80}; }) ==
          "process.consoleSize: height and width must be between 0 and 65535");
    CHECK(mutated([](spec::Spec& s) {
              s.linux->devices.push_back({"c", "/dev/x", 1, 3, std::nullopt, 4294967295U, std::nullopt});
          }) == "linux.devices[0].uid: 4294967295 is out of range 0-2147483647");
    CHECK(mutated([](spec::Spec& s) {
              s.linux->devices.push_back({"c", "/dev/x", -1, 3, std::nullopt, std::nullopt, std::nullopt});
          }) == "linux.devices[0].major: must be between 0 and 4095");

    spec::Process p = *spec::defaultSpec(false).process;
    p.user.uid = 4294967295U;
    auto r = spec::validateProcess(p);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "process.user.uid: 4294967295 is out of range 0-2147483647");
}
