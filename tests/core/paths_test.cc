// The default state root (lc::defaultStateRoot): runc's rule for $XDG_RUNTIME_DIR.
#include <unistd.h>

#include <cstdlib>

#include <catch2/catch.hpp>

#include "libcontainer/runtime.h"

TEST_CASE("$XDG_RUNTIME_DIR is honoured as runc honours it", "[core][paths]") {
    // a user who is not root: whenever it is set
    CHECK(lc::honorsXdgRuntimeDir(1000, false, "/run/user/1000", "alice"));
    CHECK(lc::honorsXdgRuntimeDir(1000, true, "/run/user/1000", nullptr));
    CHECK_FALSE(lc::honorsXdgRuntimeDir(1000, false, nullptr, "alice"));
    CHECK_FALSE(lc::honorsXdgRuntimeDir(1000, false, "", "alice"));
    // root of the initial user namespace: never
    CHECK_FALSE(lc::honorsXdgRuntimeDir(0, false, "/run/user/0", "alice"));
    // root only inside a user namespace (rootless Podman): unless $USER says root
    CHECK(lc::honorsXdgRuntimeDir(0, true, "/run/user/1000", "alice"));
    CHECK(lc::honorsXdgRuntimeDir(0, true, "/run/user/1000", nullptr));
    CHECK_FALSE(lc::honorsXdgRuntimeDir(0, true, "/run/user/1000", "root"));
}

TEST_CASE("defaultStateRoot follows the caller", "[core][paths]") {
    const char* old = std::getenv("XDG_RUNTIME_DIR");
    std::string saved = old ? old : "";
    ::setenv("XDG_RUNTIME_DIR", "/tmp/xdg-unit", 1);
    std::string got = lc::defaultStateRoot("prog");
    if (::geteuid() != 0) CHECK(got == "/tmp/xdg-unit/prog");
    else if (!lc::inNonInitialUserNs()) CHECK(got == "/run/prog");
    ::unsetenv("XDG_RUNTIME_DIR");
    CHECK(lc::defaultStateRoot("prog") == "/run/prog");
    if (old) ::setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
}
