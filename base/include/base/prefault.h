// Page faults are the largest single cost of a short-lived runtime process on a VM: each
// first touch of a heap page traps to the hypervisor (about 10 us measured on this project's
// CI machines, against ~0.5 us per page when the kernel fills a whole range in one call).
// A command touches a few hundred KiB of heap; these helpers make the kernel map it at once,
// where that is cheaper than faulting: the first call times two page faults and, on a machine
// where a fault costs under 4 us, they map nothing in advance (only the malloc settings stay).
#pragma once

#include <cstddef>

namespace lc {

// Grows the malloc heap so that at least `bytes` are free at its top, keeps that much free
// there from now on (M_TOP_PAD), and maps the free top in one MADV_POPULATE_WRITE. Best
// effort: a kernel without MADV_POPULATE_WRITE (before 5.14) simply faults later.
void warmHeap(std::size_t bytes);

// After a fork: the pages of the heap are shared copy-on-write with the other process, and
// every first write would fault. Copies the part in use and `headroom` bytes of the free top
// above it in one MADV_POPULATE_WRITE (not all of the pre-mapped top: a child that execs
// soon touches little of it). Best effort.
void unshareHeap(std::size_t headroom = 128 << 10);

}  // namespace lc
