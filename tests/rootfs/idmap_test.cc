// The user namespace helper behind idmapped mounts: real namespaces, so [root].
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <catch2/catch.hpp>

#include "rootfs/idmap.h"

using namespace lc;
using namespace lc::rootfs;

namespace {

// What /proc/self/uid_map (or gid_map) reads inside the user namespace `ns`, from a child
// that joins it ("" on failure).
std::string mapSeenInside(int ns, const char* file) {
    int p[2];
    if (::pipe(p) < 0) return "";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        if (::setns(ns, CLONE_NEWUSER) < 0) ::_exit(1);
        int fd = ::open((std::string("/proc/self/") + file).c_str(), O_RDONLY);
        char buf[256];
        ssize_t n = fd < 0 ? -1 : ::read(fd, buf, sizeof buf);
        if (n > 0) (void)!::write(p[1], buf, static_cast<size_t>(n));
        ::_exit(n > 0 ? 0 : 1);
    }
    ::close(p[1]);
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    return out;
}

}  // namespace

TEST_CASE("idMapText is what uid_map takes", "[rootfs]") {
    CHECK(idMapText({{0, 100000, 65536}, {65536, 1000, 1}}) == "0 100000 65536\n65536 1000 1\n");
    CHECK(idMapText({}).empty());
}

TEST_CASE("userNamespaceWith: a user namespace with the mappings, its helper reaped", "[root][rootfs]") {
    auto ns = userNamespaceWith({{0, 100000, 65536}}, {{0, 200000, 10}, {10, 5, 1}});
    REQUIRE(ns);
    CHECK(::ioctl(ns->get(), NS_GET_NSTYPE) == CLONE_NEWUSER);
    // No child is left behind, not even a zombie.
    errno = 0;
    CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
    CHECK(errno == ECHILD);

    auto squash = [](std::string s) {
        std::string out;
        bool space = false;
        for (char c : s) {
            if (c == ' ' || c == '\n') space = !out.empty();
            else {
                if (space) out += ' ';
                out += c;
                space = false;
            }
        }
        return out;
    };
    CHECK(squash(mapSeenInside(ns->get(), "uid_map")) == "0 100000 65536");
    CHECK(squash(mapSeenInside(ns->get(), "gid_map")) == "0 200000 10 10 5 1");
}

TEST_CASE("userNamespaceWith: a refused mapping is an error, and the helper is still reaped", "[root][rootfs]") {
    // Overlapping ranges: the kernel refuses the map.
    auto ns = userNamespaceWith({{0, 1000, 10}, {5, 2000, 10}}, {{0, 1000, 1}});
    REQUIRE_FALSE(ns);
    CHECK(ns.error().message().find("uid_map") != std::string::npos);
    errno = 0;
    CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
    CHECK(errno == ECHILD);
}
