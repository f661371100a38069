#include <catch2/catch.hpp>

#include "libcontainer/builder.h"

TEST_CASE("the spec builder produces a valid spec", "[core][builder]") {
    auto s = lc::SpecBuilder()
                 .rootfs("/srv/rootfs")
                 .args({"sh", "-c", "echo hi"})
                 .env("FOO=1")
                 .env("FOO=2")
                 .cwd("/tmp")
                 .hostname("demo")
                 .namespace_("network", "/proc/1/ns/net")
                 .withoutNamespace("ipc")
                 .bindMount("/data", "/data", true)
                 .memoryLimit(64 << 20)
                 .pidsLimit(10)
                 .rlimit("RLIMIT_NOFILE", 100, 200)
                 .annotation("k", "v")
                 .build();
    REQUIRE(s);
    CHECK(s->root->path == "/srv/rootfs");
    CHECK(s->process->args.size() == 3);
    CHECK_FALSE(s->process->terminal);
    CHECK(std::count(s->process->env.begin(), s->process->env.end(), "FOO=2") == 1);
    CHECK(std::count(s->process->env.begin(), s->process->env.end(), "FOO=1") == 0);
    CHECK(s->process->cwd == "/tmp");
    bool joinsNet = false, hasIpc = false;
    for (const auto& n : s->linux->namespaces) {
        if (n.type == "network") joinsNet = n.path == "/proc/1/ns/net";
        if (n.type == "ipc") hasIpc = true;
    }
    CHECK(joinsNet);
    CHECK_FALSE(hasIpc);
    CHECK(s->mounts.back().destination == "/data");
    CHECK(*s->linux->resources->memory->limit == (64 << 20));
    CHECK(s->linux->resources->pids->limit == 10);
    CHECK(s->annotations.at("k") == "v");
}

TEST_CASE("the spec builder keeps the first error", "[core][builder]") {
    auto s = lc::SpecBuilder().args({}).cwd("relative").namespace_("bogus").build();
    REQUIRE_FALSE(s);
    CHECK(s.error().message() == "args: must not be empty");
    auto t = lc::SpecBuilder().namespace_("bogus").build();
    REQUIRE_FALSE(t);
    CHECK(t.error().message() == "namespace: unknown type \"bogus\"");
    auto u = lc::SpecBuilder().rlimit("RLIMIT_NOFILE", 10, 5).build();
    REQUIRE_FALSE(u);
    CHECK(u.error().message().find("soft limit above the hard limit") != std::string::npos);
    // Validation of the whole spec still applies (hostname needs a UTS namespace).
    auto v = lc::SpecBuilder().withoutNamespace("uts").hostname("x").build();
    REQUIRE_FALSE(v);
}

TEST_CASE("setEnv replaces the variable of the same name or appends it", "[builder]") {
    std::vector<std::string> env{"PATH=/bin", "FOO=1", "FOOBAR=x"};
    lc::setEnv(env, "FOO=2");
    lc::setEnv(env, "NEW=");
    lc::setEnv(env, "PATH=/usr/bin:/bin");
    CHECK(env == std::vector<std::string>{"PATH=/usr/bin:/bin", "FOO=2", "FOOBAR=x", "NEW="});
    lc::setEnv(env, "FOOBAR=y=z");  // the first '=' ends the name
    CHECK(env[2] == "FOOBAR=y=z");
    CHECK(env.size() == 4);
}
