#include "base/prefault.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <time.h>

#include <cerrno>
#include <cstdint>
#include <algorithm>
#include <cstdlib>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace lc {
namespace {

constexpr std::uintptr_t kPage = 4096;

// The lowest heap address malloc handed out in this process (the heap's first chunk is close
// to the start of the brk area); set by warmHeap.
std::uintptr_t heapLow = 0;

// Whether a first touch of a page costs much more than mapping it in a MADV_POPULATE_WRITE
// batch. Measured on the machines this project runs on: about 10 us per fault against 0.5 us
// per populated page on a VM whose faults trap to the hypervisor, but 1.5 us against 1-2 us on
// one with hardware-assisted paging, where mapping pages in advance (some never touched)
// costs more than it saves. Two fresh pages are touched and timed, once per process (a
// child inherits the answer); 4 us per fault is the line. RUNC_CPP_PREFAULT=1 or 0 decides
// instead (tests, and hosts where the probe guesses wrong).
bool faultsAreSlow() {
    static int slow = -1;
    if (slow >= 0) return slow == 1;
    slow = 0;
    if (const char* force = std::getenv("RUNC_CPP_PREFAULT"); force && (force[0] == '0' || force[0] == '1')) {
        slow = force[0] == '1';
        return slow == 1;
    }
    int saved = errno;
    void* p = ::mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        timespec a{}, b{};
        ::clock_gettime(CLOCK_MONOTONIC, &a);  // the first call may fault in the vDSO data
        ::clock_gettime(CLOCK_MONOTONIC, &a);
        static_cast<volatile char*>(p)[0] = 1;
        static_cast<volatile char*>(p)[kPage] = 1;
        ::clock_gettime(CLOCK_MONOTONIC, &b);
        long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
        slow = ns > 2 * 4000 ? 1 : 0;
        ::munmap(p, 2 * kPage);
    }
    errno = saved;
    return slow == 1;
}

void populate(std::uintptr_t lo, std::uintptr_t hi) {
    if (!faultsAreSlow()) return;
    lo &= ~(kPage - 1);
    hi = (hi + kPage - 1) & ~(kPage - 1);
    if (hi > lo) {
        int saved = errno;
        (void)::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_POPULATE_WRITE);
        errno = saved;
    }
}

}  // namespace

void warmHeap(std::size_t bytes) {
    if (bytes == 0 || bytes > (std::size_t{64} << 20)) return;
    // Short-lived processes: no mmap per large buffer, no trimming, `bytes` kept at the top.
    ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 8 << 20);
    ::mallopt(M_TOP_PAD, static_cast<int>(bytes));
    // mallinfo2: keepcost is the free top chunk, arena the bytes the heap took with brk.
    struct mallinfo2 mi = ::mallinfo2();
    if (mi.keepcost < bytes) {
        void* volatile grow = std::malloc(mi.keepcost + 64);  // grows the heap by it + the pad
        std::free(grow);
    }
    mi = ::mallinfo2();
    auto newEnd = reinterpret_cast<std::uintptr_t>(::sbrk(0));
    if (mi.arena == 0 || mi.arena > newEnd) return;
    heapLow = newEnd - mi.arena;
    populate(newEnd - std::min<std::uintptr_t>(mi.arena, mi.keepcost), newEnd);
}

void unshareHeap(std::size_t headroom) {
    if (heapLow == 0) return;
    // The part in use (everything below the free top chunk) and `headroom` above it: what the
    // process will write next. The rest of the free top is copied page by page if ever used.
    auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0));
    struct mallinfo2 mi = ::mallinfo2();
    std::uintptr_t used = mi.keepcost < end - heapLow ? end - mi.keepcost : heapLow;
    populate(heapLow, std::min<std::uintptr_t>(end, used + headroom));
}

}  // namespace lc
