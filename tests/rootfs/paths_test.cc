#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "rootfs/paths.h"
#include "rootfs_test_util.h"

using namespace lc;
using namespace lc::rootfs;
using lc::test::TempDir;

TEST_CASE("cleanPath", "[rootfs]") {
    CHECK(cleanPath("/") == "/");
    CHECK(cleanPath("") == "/");
    CHECK(cleanPath("/a//b/../c/") == "/a/c");
    CHECK(cleanPath("a/b") == "/a/b");
    CHECK(cleanPath("/../../etc") == "/etc");
    CHECK(cleanPath("/dev/./pts") == "/dev/pts");
}

TEST_CASE("pathIsUnder and splitPath", "[rootfs]") {
    CHECK(pathIsUnder("/proc", "/proc"));
    CHECK(pathIsUnder("/proc/sys", "/proc"));
    CHECK_FALSE(pathIsUnder("/procfoo", "/proc"));
    CHECK(pathIsUnder("/x", "/"));
    CHECK(splitPath("/dev/net/tun") == std::pair<std::string, std::string>{"/dev/net", "tun"});
    CHECK(splitPath("/x") == std::pair<std::string, std::string>{"/", "x"});
}

namespace {

// Where an fd from openInRoot ended up, relative to the temp dir.
std::string where(const TempDir& t, const UniqueFd& fd) {
    auto p = fdPath(sys::real(), fd.get());
    REQUIRE(p);
    if (p->starts_with(t.path())) return p->substr(t.path().size());
    return "OUTSIDE:" + *p;
}

}  // namespace

TEST_CASE("openInRoot resolves symlinks inside the root", "[rootfs]") {
    TempDir t;
    TempDir outside;
    const std::string root = t / "root";
    test::mkdirs(root + "/etc");
    test::mkdirs(root + "/real/dir");
    test::mkdirs(outside / "host-dir");
    ::symlink((outside / "host-dir").c_str(), (root + "/evil").c_str());
    ::symlink("../../../../..", (root + "/up").c_str());
    ::symlink("/real/dir", (root + "/abs").c_str());
    UniqueFd rootFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(rootFd);

    SECTION("an absolute symlink is taken inside the root") {
        auto fd = openInRoot(sys::real(), rootFd.get(), "/abs");
        REQUIRE(fd);
        CHECK(where(t, *fd) == "/root/real/dir");
    }
    SECTION(".. does not climb out") {
        auto fd = openInRoot(sys::real(), rootFd.get(), "/up/etc");
        REQUIRE(fd);
        CHECK(where(t, *fd) == "/root/etc");
    }
    SECTION("a dangling symlink pointing outside is created inside") {
        auto fd = openInRoot(sys::real(), rootFd.get(), "/evil/sub", Create::Dir);
        REQUIRE(fd);
        CHECK(where(t, *fd) == "/root" + outside.path() + "/host-dir/sub");
        CHECK_FALSE(test::exists(outside / "host-dir/sub"));
    }
    SECTION("files are created when asked") {
        auto fd = openInRoot(sys::real(), rootFd.get(), "/new/dir/file", Create::File);
        REQUIRE(fd);
        struct stat st {};
        REQUIRE(::stat((root + "/new/dir/file").c_str(), &st) == 0);
        CHECK(S_ISREG(st.st_mode));
        CHECK(S_ISDIR([&] { struct stat d {}; ::stat((root + "/new/dir").c_str(), &d); return d.st_mode; }()));
    }
    SECTION("noFollow returns the symlink itself") {
        auto fd = openInRoot(sys::real(), rootFd.get(), "/abs", Create::None, true);
        REQUIRE(fd);
        struct stat st {};
        REQUIRE(::fstatat(fd->get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0);
        CHECK(S_ISLNK(st.st_mode));
    }
    SECTION("missing without create is ENOENT") {
        auto fd = openInRoot(sys::real(), rootFd.get(), "/nope/x");
        REQUIRE_FALSE(fd);
        CHECK(fd.error().errnum() == ENOENT);
    }
    SECTION("a file in the middle of the path is ENOTDIR") {
        test::writeFile(root + "/etc/passwd", "root:x:0:0::/:/bin/sh\n");
        auto fd = openInRoot(sys::real(), rootFd.get(), "/etc/passwd/x", Create::Dir);
        REQUIRE_FALSE(fd);
        CHECK(fd.error().errnum() == ENOTDIR);
    }
}
