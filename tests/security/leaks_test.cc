// Inherited fds and a cwd outside the root (CVE-2024-21626 class), in forked children.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#include "child.h"
#include "security/leaks.h"

using namespace lc::security;
using namespace lc::security::test;

namespace {
bool isOpen(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }
}  // namespace

TEST_CASE("closeInheritedFds closes everything from `from` on except the kept fds", "[security]") {
    int status = runInChild([] {
        int fds[5];
        for (int& fd : fds) {
            fd = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: inherited-style fds
            if (fd < 0) return 10;
        }
        // fds are ascending; keep the second and the fourth.
        auto r = closeInheritedFds(fds[0], {fds[1], fds[3], -1}, lc::sys::realProcessCalls());
        if (!r) return 11;
        if (isOpen(fds[0]) || isOpen(fds[2]) || isOpen(fds[4])) return 12;
        if (!isOpen(fds[1]) || !isOpen(fds[3])) return 13;
        return 0;
    });
    CHECK(exitedWith(status, 0));
}

TEST_CASE("closeInheritedFds with nothing to keep closes the whole range", "[security]") {
    int status = runInChild([] {
        int a = ::open("/dev/null", O_RDONLY);
        int b = ::dup2(a, 150);
        if (a < 0 || b != 150) return 10;
        if (!closeInheritedFds(a, {}, lc::sys::realProcessCalls())) return 11;
        return isOpen(a) || isOpen(150) ? 12 : 0;
    });
    CHECK(exitedWith(status, 0));
}

TEST_CASE("checkCwdInsideRoot accepts a cwd under the root", "[security]") {
    int status = runInChild([] {
        if (::chdir("/tmp") < 0) return 10;
        return checkCwdInsideRoot("/tmp") ? 0 : 11;
    });
    CHECK(exitedWith(status, 0));
}

TEST_CASE("checkCwdInsideRoot refuses a cwd reached through an fd to a directory outside the root",
          "[root][security]") {
    char tmpl[] = "/tmp/lc-leaks-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    std::string root = tmpl;
    int status = runInChild([&] {
        int outside = ::open("/", O_PATH | O_DIRECTORY);  // an fd the "container" inherited
        if (outside < 0) return 10;
        if (::chroot(root.c_str()) < 0 || ::chdir("/") < 0) return 11;
        if (!checkCwdInsideRoot("/")) return 12;
        if (::fchdir(outside) < 0) return 13;  // what chdir("/proc/self/fd/N") would do
        auto r = checkCwdInsideRoot("/proc/self/fd/3");
        if (r) return 14;
        if (r.error().message().find("outside the container's root") == std::string::npos) return 15;
        return 0;
    });
    ::rmdir(root.c_str());
    CHECK(exitedWith(status, 0));
}
