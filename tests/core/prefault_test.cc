// base/prefault.h: the heap's free top is mapped in one call, and stays at least that large.
#include <malloc.h>
#include <sys/mman.h>
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

}  // namespace

TEST_CASE("warmHeap: at least the asked bytes are free at the heap's top, mapped; unshareHeap keeps them", "[core]") {
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
    lc::unshareHeap();  // nothing to check beyond "does not fail": it only pre-copies pages
    CHECK(residentPages(top, end) > 0);
    // out-of-range sizes are ignored
    lc::warmHeap(0);
    lc::warmHeap(size_t{1} << 40);
}
