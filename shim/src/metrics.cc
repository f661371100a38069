#include "metrics.h"

#include "cgroups1_metrics.pb.h"

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

}  // namespace shim
