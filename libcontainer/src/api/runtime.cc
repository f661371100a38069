#include <time.h>

#include <cstdio>

#include "api/impl.h"
#include "cgroups/manager.h"
#include "spec/json.h"

namespace lc {

Result<Runtime> Runtime::open(RuntimeOptions opts) {
    if (opts.root.empty()) return fail(EINVAL, "state root must not be empty");
    return Runtime(std::move(opts));
}

Result<Container> Runtime::load(const std::string& id) {
    state::Store store(opts_.root);
    auto dir = store.open(id);
    if (!dir) return std::unexpected(dir.error());
    auto impl = std::make_unique<Container::Impl>();
    impl->opts = opts_;
    impl->id = id;
    // A corrupt state.json loads as a container without a record: shown as stopped, and
    // delete (which finds the cgroup through the saved config) can still clean it up.
    auto rec = dir->readRecordIfSound(&impl->corruptRecord);
    if (!rec) return std::unexpected(rec.error());
    if (*rec) {
        impl->rec = std::move(**rec);
        impl->hasRecord = true;
    }
    return Container(std::move(impl));
}

Result<std::vector<std::string>> Runtime::list() { return state::Store(opts_.root).list(); }

namespace api {


state::Status deriveStatus(const Container::Impl& c, const state::ContainerDir& dir, bool locked) {
    state::Facts f;
    f.hasRecord = c.hasRecord;
    if (!c.hasRecord) {
        f.createLocked = !locked && state::Store::isLocked(dir);
        return state::derive(f);
    }
    f.initAlive = state::initAlive(c.rec);
    if (f.initAlive) {
        f.fifoExists = dir.hasFile(state::kFifoFile) && state::holdsFile(c.rec.pid, dir.fd(), state::kFifoFile);
        // A created container can be paused too (as runc): frozen wins over created.
        if (!c.rec.cgroupPaths.empty()) {
            cgroups::Options o;
            o.mountRoot = c.opts.cgroupRoot;
            if (auto m = cgroups::load(o, c.rec.cgroupPaths)) {
                auto fr = (*m)->isFrozen();
                f.frozen = fr && *fr;
            }
        }
    }
    return state::derive(f);
}

spec::State toOciState(const Container::Impl& c, state::Status st) {
    spec::State s;
    s.ociVersion = c.rec.ociVersion.empty() ? "1.2.0" : c.rec.ociVersion;
    s.id = c.id;
    s.status = std::string(state::statusName(st));
    s.pid = (st == state::Status::Stopped || !c.hasRecord) ? 0 : c.rec.pid;
    s.bundle = c.rec.bundle;
    s.rootfs = c.rec.rootfs;
    s.created = c.rec.created;
    s.owner = c.rec.owner;
    s.annotations = c.rec.annotations;
    return s;
}

std::string stateJsonFor(const state::Record& rec, std::string_view status) {
    spec::State s;
    s.ociVersion = rec.ociVersion;
    s.id = rec.id;
    s.status = std::string(status);
    s.pid = status == "stopped" ? 0 : rec.pid;
    s.bundle = rec.bundle;
    s.rootfs = rec.rootfs;
    s.created = rec.created;
    s.annotations = rec.annotations;
    return spec::toJson(s);
}

}  // namespace api
}  // namespace lc
