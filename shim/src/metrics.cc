#include "metrics.h"

#include <sys/vfs.h>

#include <cstdint>
#include <map>
#include <utility>

#include "cgroups1_metrics.pb.h"
#include "cgroups2_metrics.pb.h"

namespace shim {

namespace {
uint64_t stat(const lc::Stats& s, const char* key) {
    auto it = s.memoryStat.find(key);
    return it == s.memoryStat.end() ? 0 : it->second;
}
}  // namespace

std::string metricsV1(const lc::Stats& s, uint64_t oomKills) {
    namespace m = io::containerd::cgroups::v1;
    m::Metrics out;
    auto* pids = out.mutable_pids();
    pids->set_current(s.pidsCurrent);
    pids->set_limit(s.pidsLimit);

    auto* cpu = out.mutable_cpu();
    auto* usage = cpu->mutable_usage();
    usage->set_total(s.cpuUsageTotalNs);
    usage->set_kernel(s.cpuUsageKernelNs);
    usage->set_user(s.cpuUsageUserNs);
    for (uint64_t v : s.cpuPerCpuNs) usage->add_per_cpu(v);
    auto* thr = cpu->mutable_throttling();
    thr->set_periods(s.cpuThrottlingPeriods);
    thr->set_throttled_periods(s.cpuThrottledPeriods);
    thr->set_throttled_time(s.cpuThrottledTimeNs);

    auto* mem = out.mutable_memory();
    mem->set_cache(stat(s, "cache"));
    mem->set_rss(stat(s, "rss"));
    mem->set_rss_huge(stat(s, "rss_huge"));
    mem->set_mapped_file(stat(s, "mapped_file"));
    mem->set_dirty(stat(s, "dirty"));
    mem->set_writeback(stat(s, "writeback"));
    mem->set_pg_pg_in(stat(s, "pgpgin"));
    mem->set_pg_pg_out(stat(s, "pgpgout"));
    mem->set_pg_fault(stat(s, "pgfault"));
    mem->set_pg_maj_fault(stat(s, "pgmajfault"));
    mem->set_inactive_anon(stat(s, "inactive_anon"));
    mem->set_active_anon(stat(s, "active_anon"));
    mem->set_inactive_file(stat(s, "inactive_file"));
    mem->set_active_file(stat(s, "active_file"));
    mem->set_unevictable(stat(s, "unevictable"));
    mem->set_hierarchical_memory_limit(stat(s, "hierarchical_memory_limit"));
    mem->set_hierarchical_swap_limit(stat(s, "hierarchical_memsw_limit"));
    mem->set_total_cache(stat(s, "total_cache"));
    mem->set_total_rss(stat(s, "total_rss"));
    mem->set_total_rss_huge(stat(s, "total_rss_huge"));
    mem->set_total_mapped_file(stat(s, "total_mapped_file"));
    mem->set_total_dirty(stat(s, "total_dirty"));
    mem->set_total_writeback(stat(s, "total_writeback"));
    mem->set_total_pg_pg_in(stat(s, "total_pgpgin"));
    mem->set_total_pg_pg_out(stat(s, "total_pgpgout"));
    mem->set_total_pg_fault(stat(s, "total_pgfault"));
    mem->set_total_pg_maj_fault(stat(s, "total_pgmajfault"));
    mem->set_total_inactive_anon(stat(s, "total_inactive_anon"));
    mem->set_total_active_anon(stat(s, "total_active_anon"));
    mem->set_total_inactive_file(stat(s, "total_inactive_file"));
    mem->set_total_active_file(stat(s, "total_active_file"));
    mem->set_total_unevictable(stat(s, "total_unevictable"));
    auto* u = mem->mutable_usage();
    u->set_usage(s.memoryUsage);
    u->set_max(s.memoryMaxUsage);
    u->set_limit(s.memoryLimit);
    u->set_failcnt(s.memoryFailcnt);
    auto* sw = mem->mutable_swap();
    sw->set_usage(s.swapUsage);
    sw->set_limit(s.swapLimit);

    auto* blk = out.mutable_blkio();
    for (const auto& e : s.ioServiceBytes) {
        auto* b = blk->add_io_service_bytes_recursive();
        b->set_major(e.major);
        b->set_minor(e.minor);
        b->set_op(e.op);
        b->set_value(e.value);
    }
    for (const auto& e : s.ioServiced) {
        auto* b = blk->add_io_serviced_recursive();
        b->set_major(e.major);
        b->set_minor(e.minor);
        b->set_op(e.op);
        b->set_value(e.value);
    }
    for (const auto& [size, h] : s.hugetlb) {
        auto* e = out.add_hugetlb();
        e->set_pagesize(size);
        e->set_usage(h.usage);
        e->set_max(h.max);
        e->set_failcnt(h.failcnt);
    }
    out.mutable_memory_oom_control()->set_oom_kill(oomKills);
    return out.SerializeAsString();
}

bool unifiedHost() {
    struct statfs fs{};
    return ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == 0x63677270;  // CGROUP2_SUPER_MAGIC
}

std::string metricsV2(const lc::Stats& s, uint64_t oomKills) {
    namespace m = io::containerd::cgroups::v2;
    m::Metrics out;
    out.mutable_pids()->set_current(s.pidsCurrent);
    out.mutable_pids()->set_limit(s.pidsLimit);
    auto* cpu = out.mutable_cpu();
    cpu->set_usage_usec(s.cpuUsageTotalNs / 1000);
    cpu->set_user_usec(s.cpuUsageUserNs / 1000);
    cpu->set_system_usec(s.cpuUsageKernelNs / 1000);
    cpu->set_nr_periods(s.cpuThrottlingPeriods);
    cpu->set_nr_throttled(s.cpuThrottledPeriods);
    cpu->set_throttled_usec(s.cpuThrottledTimeNs / 1000);
    auto* mem = out.mutable_memory();
    mem->set_anon(stat(s, "anon"));
    mem->set_file(stat(s, "file"));
    mem->set_kernel_stack(stat(s, "kernel_stack"));
    mem->set_slab(stat(s, "slab"));
    mem->set_sock(stat(s, "sock"));
    mem->set_shmem(stat(s, "shmem"));
    mem->set_file_mapped(stat(s, "file_mapped"));
    mem->set_file_dirty(stat(s, "file_dirty"));
    mem->set_file_writeback(stat(s, "file_writeback"));
    mem->set_anon_thp(stat(s, "anon_thp"));
    mem->set_inactive_anon(stat(s, "inactive_anon"));
    mem->set_active_anon(stat(s, "active_anon"));
    mem->set_inactive_file(stat(s, "inactive_file"));
    mem->set_active_file(stat(s, "active_file"));
    mem->set_unevictable(stat(s, "unevictable"));
    mem->set_slab_reclaimable(stat(s, "slab_reclaimable"));
    mem->set_slab_unreclaimable(stat(s, "slab_unreclaimable"));
    mem->set_pgfault(stat(s, "pgfault"));
    mem->set_pgmajfault(stat(s, "pgmajfault"));
    mem->set_workingset_refault(stat(s, "workingset_refault"));
    mem->set_workingset_activate(stat(s, "workingset_activate"));
    mem->set_workingset_nodereclaim(stat(s, "workingset_nodereclaim"));
    mem->set_pgrefill(stat(s, "pgrefill"));
    mem->set_pgscan(stat(s, "pgscan"));
    mem->set_pgsteal(stat(s, "pgsteal"));
    mem->set_pgactivate(stat(s, "pgactivate"));
    mem->set_pgdeactivate(stat(s, "pgdeactivate"));
    mem->set_pglazyfree(stat(s, "pglazyfree"));
    mem->set_pglazyfreed(stat(s, "pglazyfreed"));
    mem->set_thp_fault_alloc(stat(s, "thp_fault_alloc"));
    mem->set_thp_collapse_alloc(stat(s, "thp_collapse_alloc"));
    mem->set_usage(s.memoryUsage);
    mem->set_usage_limit(s.memoryLimit);
    // lc::Stats gives memory+swap (v1 memsw semantics); v2 metrics want swap alone
    mem->set_swap_usage(s.swapUsage > s.memoryUsage ? s.swapUsage - s.memoryUsage : 0);
    mem->set_swap_limit(s.swapLimit == UINT64_MAX || s.memoryLimit == UINT64_MAX
                            ? UINT64_MAX
                            : (s.swapLimit > s.memoryLimit ? s.swapLimit - s.memoryLimit : 0));
    std::map<std::pair<uint64_t, uint64_t>, m::IOEntry> io;
    auto entry = [&](const lc::Stats::BlkioEntry& e) -> m::IOEntry& {
        auto& x = io[{e.major, e.minor}];
        x.set_major(e.major);
        x.set_minor(e.minor);
        return x;
    };
    for (const auto& e : s.ioServiceBytes) {
        if (e.op == "Read") entry(e).set_rbytes(e.value);
        else if (e.op == "Write") entry(e).set_wbytes(e.value);
    }
    for (const auto& e : s.ioServiced) {
        if (e.op == "Read") entry(e).set_rios(e.value);
        else if (e.op == "Write") entry(e).set_wios(e.value);
    }
    for (auto& [k, e] : io) *out.mutable_io()->add_usage() = e;
    for (const auto& [size, h] : s.hugetlb) {
        auto* e = out.add_hugetlb();
        e->set_pagesize(size);
        e->set_current(h.usage);
        e->set_max(h.max);
    }
    out.mutable_memory_events()->set_oom_kill(oomKills);
    return out.SerializeAsString();
}

}  // namespace shim
