// protectRuntimeExe: the re-executed test binary runs from a copy nobody can write to.
#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#include "child.h"
#include "security/exe_protect.h"

using namespace lc::security;
using namespace lc::security::test;

namespace {
constexpr int kProtectedMount = 42, kProtectedMemfd = 43, kUnprotected = 44, kError = 45;
}

// Hidden: run by the test below in the re-executed binary.
TEST_CASE("exe protection probe", "[.exe-protect-probe]") {
    // The marker is set: protectRuntimeExe must return without another exec.
    auto r = protectRuntimeExe(nullptr, environ);
    if (!r) ::_exit(kError);
    if (std::getenv(kExeProtectEnv)) ::_exit(kError);  // the marker must not leak on
    // Writing to our own file through /proc/self/exe must fail.
    int fd = ::open("/proc/self/exe", O_RDWR | O_CLOEXEC);
    if (fd >= 0 && ::write(fd, "", 0) == 0 && ::pwrite(fd, "x", 1, 1 << 30) == 1) ::_exit(kUnprotected);
    switch (currentExeProtection()) {
        case ExeProtection::ReadOnlyMount: ::_exit(kProtectedMount);
        case ExeProtection::SealedMemfd: ::_exit(kProtectedMemfd);
        case ExeProtection::None: ::_exit(kUnprotected);
    }
    ::_exit(kError);
}

namespace {
// Whether our own file is on a read-only mount as this process sees it (another test may have
// left the process in a mount namespace where it is).
bool exeOnReadOnlyMount() {
    struct statvfs sv;
    return ::statvfs("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY);
}
}  // namespace

TEST_CASE("the test binary itself is not protected (a writable build dir)", "[security]") {
    CHECK(currentExeProtection() == (exeOnReadOnlyMount() ? ExeProtection::ReadOnlyMount : ExeProtection::None));
}

TEST_CASE("protectRuntimeExe re-executes from a read-only copy of the binary", "[root][security]") {
    if (exeOnReadOnlyMount()) {
        WARN("the test binary is already on a read-only mount here: nothing to re-execute");
        return;
    }
    int status = runInChild([] {
        char self[] = "unit-tests";
        char tag[] = "[.exe-protect-probe]";
        char* argv[] = {self, tag, nullptr};
        ::unsetenv(kExeProtectEnv);
        auto r = protectRuntimeExe(argv, environ);
        return r ? 1 : 2;  // only reached when no exec happened
    });
    INFO("wait status " << status);
    CHECK((exitedWith(status, kProtectedMount) || exitedWith(status, kProtectedMemfd)));
}

TEST_CASE("protectRuntimeExe refuses to loop when the marker is set but the binary is writable",
          "[security]") {
    if (exeOnReadOnlyMount()) {
        WARN("the test binary is on a read-only mount here: it counts as protected");
        return;
    }
    int status = runInChild([] {
        ::setenv(kExeProtectEnv, "1", 1);
        auto r = protectRuntimeExe(nullptr, environ);
        if (r) return 1;
        return r.error().message().find("still writable") != std::string::npos ? 0 : 2;
    });
    CHECK(exitedWith(status, 0));
}
