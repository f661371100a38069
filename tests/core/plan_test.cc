#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

#include "namespaces/plan.h"
#include "process/attrs.h"

using namespace lc;

TEST_CASE("namespace plans split new and joined namespaces", "[core][namespaces]") {
    spec::Linux l;
    l.namespaces = {{"pid", ""}, {"mount", "/proc/1/ns/mnt"}, {"network", ""}, {"user", "/proc/1/ns/user"},
                    {"ipc", "/proc/1/ns/ipc"}};
    auto p = namespaces::plan(l);
    REQUIRE(p);
    CHECK(p->newFlags == (CLONE_NEWPID | CLONE_NEWNET));
    REQUIRE(p->joins.size() == 3);
    CHECK(p->joins[0].flag == CLONE_NEWUSER);  // user first
    CHECK(p->joins[1].flag == CLONE_NEWIPC);
    CHECK(p->joins[2].flag == CLONE_NEWNS);    // mount last
    CHECK(p->newPid());
    CHECK(p->hasMount());
    CHECK_FALSE(p->newUser());
}

TEST_CASE("namespace plans reject unknown and duplicate types", "[core][namespaces]") {
    spec::Linux l;
    l.namespaces = {{"pid", ""}, {"bogus", ""}};
    auto p = namespaces::plan(l);
    REQUIRE_FALSE(p);
    CHECK(p.error().message().find("linux.namespaces[1].type") != std::string::npos);
    l.namespaces = {{"pid", ""}, {"pid", "/proc/1/ns/pid"}};
    p = namespaces::plan(l);
    REQUIRE_FALSE(p);
    CHECK(p.error().message().find("duplicate namespace \"pid\"") != std::string::npos);
}

TEST_CASE("id maps are formatted one mapping per line", "[core][namespaces]") {
    CHECK(namespaces::formatIdMap({{0, 1000, 1}, {1, 100000, 65536}}) == "0 1000 1\n1 100000 65536\n");
}

TEST_CASE("rlimit names map to resources", "[core][process]") {
    CHECK(process::rlimitResource("RLIMIT_NOFILE") == RLIMIT_NOFILE);
    CHECK(process::rlimitResource("RLIMIT_RTTIME") == RLIMIT_RTTIME);
    CHECK(process::rlimitResource("RLIMIT_BOGUS") == -1);
}

TEST_CASE("the container's /dev/ptmx: only the multiplexer or a link to pts/ptmx", "[core][process]") {
    CHECK(process::ptmxLinkAllowed("pts/ptmx"));
    CHECK(process::ptmxLinkAllowed("/dev/pts/ptmx"));
    CHECK_FALSE(process::ptmxLinkAllowed("/proc/keys"));
    CHECK_FALSE(process::ptmxLinkAllowed("../pts/ptmx"));
    CHECK_FALSE(process::ptmxLinkAllowed("pts/ptmx/"));
    CHECK_FALSE(process::ptmxLinkAllowed(""));
    struct stat st{};
    st.st_mode = S_IFCHR | 0666;
    st.st_rdev = makedev(5, 2);
    CHECK(process::isPtyMultiplexer(st));
    st.st_rdev = makedev(5, 1);  // /dev/console
    CHECK_FALSE(process::isPtyMultiplexer(st));
    st.st_rdev = makedev(10, 130);  // /dev/watchdog: opening it arms the watchdog
    CHECK_FALSE(process::isPtyMultiplexer(st));
    st.st_mode = S_IFBLK | 0666;
    st.st_rdev = makedev(5, 2);
    CHECK_FALSE(process::isPtyMultiplexer(st));
    st.st_mode = S_IFIFO | 0666;
    CHECK_FALSE(process::isPtyMultiplexer(st));
}

TEST_CASE("executables are resolved with runc's error wording", "[core][process]") {
    auto sh = process::resolveExecutable("sh", {"PATH=/nonexistent:/bin:/usr/bin"});
    REQUIRE(sh);
    CHECK(sh->find("/sh") != std::string::npos);
    auto missing = process::resolveExecutable("/no/such/binary", {});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message() == "exec: \"/no/such/binary\": stat /no/such/binary: no such file or directory");
    auto notFound = process::resolveExecutable("no-such-cmd-xyz", {"PATH=/bin"});
    REQUIRE_FALSE(notFound);
    CHECK(notFound.error().message() == "exec: \"no-such-cmd-xyz\": executable file not found in $PATH");
    auto dir = process::resolveExecutable("/tmp", {});
    REQUIRE_FALSE(dir);
}
