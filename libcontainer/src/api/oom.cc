// Container::oomEvents: an OomWatch on the container's memory cgroup (libcontainer/oom.h).
#include "api/impl.h"
#include "libcontainer/oom.h"

namespace lc {

Result<OomWatch> Container::oomEvents() const {
    if (impl_->rec.cgroupPaths.empty()) return fail(ENOENT, "container " + impl_->id + " has no cgroup");
    auto w = OomWatch::open(impl_->rec.cgroupPaths);
    if (!w) return std::unexpected(w.error().wrap("container " + impl_->id));
    return w;
}

}  // namespace lc
