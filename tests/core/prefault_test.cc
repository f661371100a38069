// base/prefault.h: the heap's free top is mapped in one call, and stays at least that large.
#include <malloc.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
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
    lc::warmHeap(want);
    struct mallinfo2 mi = ::mallinfo2();
    CHECK(mi.keepcost >= want);
    auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0));
    auto top = end - mi.keepcost;
    // every page of the free top is there without having been touched
    CHECK(residentPages(top, end) == (end - (top & ~std::uintptr_t{4095})) / 4096);
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
            char ok = exclusivePages(lo, hi) == (hi - lo) / 4096 && exclusivePages(hi + 4096, e) == 0 ? 'y' : 'n';
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
    CHECK(residentPages(top, end) > 0);
    // out-of-range sizes are ignored
    lc::warmHeap(0);
    lc::warmHeap(size_t{1} << 40);
}

TEST_CASE("warmHeap: at least the asked bytes are free at the heap's top, mapped; unshareHeap copies the heap in use and its headroom", "[core]") {
    const char* argv[] = {"unit-tests", "[.prefault-probe]", nullptr};
    posix_spawn_file_actions_t fa;
    REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    REQUIRE(posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, const_cast<char**>(argv), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    int st = 0;
    REQUIRE(::waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);  // rerun with: unit-tests "[.prefault-probe]"
}
