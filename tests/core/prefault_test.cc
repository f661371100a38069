// base/prefault.h: the heap's free top is mapped in one call, and stays at least that large.
#include <malloc.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "base/prefault.h"

namespace {

// How many of the pages in [lo, hi) are mapped (mincore: resident).
size_t residentPages(std::uintptr_t lo, std::uintptr_t hi) {
    lo &= ~std::uintptr_t{4095};
    std::vector<unsigned char> vec((hi - lo + 4095) / 4096);
    REQUIRE(::mincore(reinterpret_cast<void*>(lo), hi - lo, vec.data()) == 0);
    size_t n = 0;
    for (unsigned char v : vec) n += v & 1;
    return n;
}

// How many of the pages in [lo, hi) are mapped by this process alone (pagemap bit 56).
size_t exclusivePages(std::uintptr_t lo, std::uintptr_t hi) {
    lo &= ~std::uintptr_t{4095};
    int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SIZE_MAX;
    size_t n = 0;
    for (std::uintptr_t a = lo; a < hi; a += 4096) {
        std::uint64_t e = 0;
        if (::pread(fd, &e, sizeof e, static_cast<off_t>(a / 4096 * sizeof e)) != sizeof e) break;
        n += (e >> 56) & 1;
    }
    ::close(fd);
    return n;
}

}  // namespace

// Run in a fresh process by the test below: in a heap that earlier tests fragmented, a free
// chunk may serve warmHeap's growth request, which is fine for the runtime (it calls it at
// start) but would make the numbers below depend on the test order.
TEST_CASE("warmHeap probe (a fresh process)", "[.prefault-probe]") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    WARN("SKIP: the sanitizer's allocator replaces glibc's heap (no brk top, no mallinfo2)");
    return;
#endif
    constexpr size_t want = 256 << 10;
    const char* mode = std::getenv("RUNC_CPP_PREFAULT");
    // RUNC_CPP_PREFAULT=1: maps in advance; 0: does not; unset: the machine decides (not checked)
    const bool populates = mode && mode[0] == '1';
    const bool never = mode && mode[0] == '0';
    lc::warmHeap(want);
    struct mallinfo2 mi = ::mallinfo2();
    CHECK(mi.keepcost >= want);
    auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0));
    auto top = end - mi.keepcost;
    // every page of the free top is there without having been touched (or, where faults are
    // cheap, none but the one holding the top chunk's header)
    const size_t topPages = (end - (top & ~std::uintptr_t{4095})) / 4096;
    if (populates) CHECK(residentPages(top, end) == topPages);
    if (never) CHECK(residentPages(top, end) <= 2);
    // the pad holds: a block taken from the top does not shrink the heap below it
    void* volatile p = std::malloc(64 << 10);
    std::free(p);
    CHECK(::mallinfo2().keepcost >= want);
    // After a fork the child copies what is in use and the headroom above it, not the rest
    // of the pre-mapped top (pagemap bit 56: the page is mapped by this process alone).
    {
        int pfd[2];
        REQUIRE(::pipe(pfd) == 0);
        pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            constexpr std::uintptr_t headroom = 64 << 10;
            lc::unshareHeap(headroom);
            auto e = reinterpret_cast<std::uintptr_t>(::sbrk(0));
            auto used = e - ::mallinfo2().keepcost;
            const std::uintptr_t lo = (used + 4095) & ~std::uintptr_t{4095};
            const std::uintptr_t hi = (used + headroom) & ~std::uintptr_t{4095};
            const size_t copied = exclusivePages(lo, hi);
            char ok = (populates ? copied == (hi - lo) / 4096 : !never || copied == 0) && exclusivePages(hi + 4096, e) == 0
                          ? 'y'
                          : 'n';
            (void)!::write(pfd[1], &ok, 1);
            ::_exit(0);
        }
        ::close(pfd[1]);
        char ok = 0;
        CHECK(::read(pfd[0], &ok, 1) == 1);
        ::close(pfd[0]);
        ::waitpid(child, nullptr, 0);
        CHECK(ok == 'y');
    }
    if (populates) CHECK(residentPages(top, end) > 0);
    // out-of-range sizes are ignored
    lc::warmHeap(0);
    lc::warmHeap(size_t{1} << 40);
}

namespace {

// Runs the probe above in a fresh process with RUNC_CPP_PREFAULT set to `mode`.
int runProbe(const char* mode) {
    const char* argv[] = {"unit-tests", "[.prefault-probe]", nullptr};
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e)
        if (std::string_view(*e).substr(0, 18) != "RUNC_CPP_PREFAULT=") envs.emplace_back(*e);
    envs.push_back(std::string("RUNC_CPP_PREFAULT=") + mode);
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    REQUIRE(posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, const_cast<char**>(argv), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&fa);
    int st = 0;
    REQUIRE(::waitpid(pid, &st, 0) == pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

TEST_CASE("warmHeap: at least the asked bytes are free at the heap's top, mapped; unshareHeap copies the heap in use and its headroom", "[core]") {
    CHECK(runProbe("1") == 0);  // rerun with: RUNC_CPP_PREFAULT=1 unit-tests "[.prefault-probe]"
}

TEST_CASE("warmHeap and unshareHeap map nothing in advance where faults are cheap (RUNC_CPP_PREFAULT=0)", "[core]") {
    CHECK(runProbe("0") == 0);  // rerun with: RUNC_CPP_PREFAULT=0 unit-tests "[.prefault-probe]"
}
