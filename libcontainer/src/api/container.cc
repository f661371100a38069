// Container operations on an existing container: state, start, kill, destroy, pause, ...
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/impl.h"
#include "cgroups/manager.h"
#include "hooks/hooks.h"
#include "spec/json.h"
#include "util/fault.h"
#include "util/fileutil.h"

namespace lc {
namespace {

UniqueFd pidfdOpen(pid_t pid) { return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

// Waits until the process behind `pidfd` has exited (bounded); true if it did.
bool waitExit(int pidfd, int timeoutMs) {
    pollfd p{pidfd, POLLIN, 0};
    int n;
    do n = ::poll(&p, 1, timeoutMs); while (n < 0 && errno == EINTR);
    return n > 0;
}

Result<std::unique_ptr<cgroups::Manager>> loadCgroup(const Container::Impl& c) {
    cgroups::Options o;
    o.mountRoot = c.opts.cgroupRoot;
    o.systemdHelper = c.opts.systemdHelper;
    return cgroups::load(o, c.rec.cgroupPaths);
}

// The saved config (for hooks that run after create).
std::optional<spec::Spec> savedConfig(const state::ContainerDir& dir) {
    auto raw = util::readFileAt(dir.fd(), state::kConfigFile);
    if (!raw) return std::nullopt;
    auto sp = spec::parseSpec(*raw);
    if (!sp) return std::nullopt;
    return std::move(*sp);
}

struct Locked {
    state::ContainerDir dir;
    state::Status status;
};

// Locks the container and refreshes the record and status.
Result<Locked> lockAndRefresh(Container::Impl& c) {
    state::Store store(c.opts.root);
    auto dir = store.lock(c.id);
    if (!dir) return std::unexpected(dir.error());
    auto rec = dir->readRecordIfSound(&c.corruptRecord);
    if (!rec) return std::unexpected(rec.error());
    c.hasRecord = rec->has_value();
    if (*rec) c.rec = std::move(**rec);
    auto st = api::deriveStatus(c, *dir, true);
    return Locked{std::move(*dir), st};
}

}  // namespace

Result<state::Status> lockAndRefreshPublic(Container::Impl& c) {
    auto l = lockAndRefresh(c);
    if (!l) return std::unexpected(l.error());
    return l->status;
}
Result<std::unique_ptr<cgroups::Manager>> loadCgroupPublic(const Container::Impl& c) {
    if (c.rec.cgroupPaths.empty()) return fail(ENOENT, "container " + c.id + " has no cgroup");
    return loadCgroup(c);
}

Container::Container(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Container::Container(Container&&) noexcept = default;
Container& Container::operator=(Container&&) noexcept = default;
Container::~Container() = default;

const std::string& Container::id() const { return impl_->id; }
pid_t Container::initPid() const { return impl_->rec.pid; }
int Container::pidfd() const { return impl_->pidfd.get(); }
UniqueFd Container::takeConsole() { return std::move(impl_->console); }

Result<spec::State> Container::state() const {
    state::Store store(impl_->opts.root);
    auto dir = store.open(impl_->id);
    if (!dir) return std::unexpected(dir.error());
    return api::toOciState(*impl_, api::deriveStatus(*impl_, *dir, false));
}

Result<void> Container::start() {
    auto l = lockAndRefresh(*impl_);
    if (!l) return std::unexpected(l.error());
    switch (l->status) {
        case state::Status::Created: break;
        case state::Status::Stopped: return fail(EINVAL, "cannot start a container that has stopped");
        case state::Status::Creating: return fail(EINVAL, "cannot start a container that is still being created");
        // A paused created init cannot read the fifo: start would wait forever (runc's words).
        case state::Status::Paused: return fail(EINVAL, "cannot start a container in the paused state");
        default:
            // A start that died after releasing the init leaves the fifo behind.
            ::unlinkat(l->dir.fd(), state::kFifoFile, 0);
            return fail(EINVAL, "cannot start an already running container");
    }
    // The pidfd first: once the fifo is open the init runs on and may be gone at once.
    UniqueFd pfd = impl_->pidfd.valid() ? UniqueFd(::dup(impl_->pidfd.get())) : pidfdOpen(impl_->rec.pid);
    if (!pfd) return fail(ESRCH, "cannot start a container that has stopped");
    const std::string fifoPath = l->dir.file(state::kFifoFile);
    UniqueFd fifo(::open(fifoPath.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fifo) return errnoError("open " + fifoPath);
    pollfd fds[2] = {{fifo.get(), POLLIN, 0}, {pfd.get(), POLLIN, 0}};
    for (;;) {
        int n = ::poll(fds, 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("poll exec fifo");
        }
        if (fds[0].revents & POLLIN) break;
        if (fds[1].revents) return fail(ESRCH, "cannot start a container that has stopped: the container init exited");
        if (fds[0].revents & (POLLHUP | POLLERR)) {
            // The writer opened and closed without data: the init died on the way.
            return fail(ESRCH, "cannot start container: the container init exited");
        }
    }
    util::faultPoint(impl_->opts, "start:before-release");
    char byte;
    if (::read(fifo.get(), &byte, 1) != 1) return fail(ESRCH, "cannot start container: the container init exited");
    util::faultPoint(impl_->opts, "start:after-release");
    ::unlinkat(l->dir.fd(), state::kFifoFile, 0);

    if (auto cfg = savedConfig(l->dir); cfg && cfg->hooks && !cfg->hooks->poststart.empty()) {
        std::string json = api::stateJsonFor(impl_->rec, "running");
        if (auto r = hooks::runAll(cfg->hooks->poststart, json, "poststart"); !r) {
            // Per the spec a poststart failure is logged, not fatal; runc kills the container.
            (void)::kill(impl_->rec.pid, SIGKILL);
            return std::unexpected(r.error());
        }
    }
    return {};
}

Result<void> Container::kill(int sig, bool all) {
    state::Store store(impl_->opts.root);
    auto dir = store.open(impl_->id);
    if (!dir) return std::unexpected(dir.error());
    if (impl_->hasRecord == false) return fail(ESRCH, "container not running");
    auto st = api::deriveStatus(*impl_, *dir, false);
    if (st == state::Status::Stopped && !all) return fail(ESRCH, "container not running");
    if (all && impl_->rec.cgroupPaths.empty()) {
        // Rootless without a cgroup: the init alone; the rest of its pid namespace goes with it.
        if (st == state::Status::Stopped) return {};
        if (::kill(impl_->rec.pid, sig) < 0 && errno != ESRCH) return errnoError("kill");
        return {};
    }
    if (all) {
        auto cg = loadCgroup(*impl_);
        if (!cg) return std::unexpected(cg.error());
        auto pids = (*cg)->pids();
        if (!pids) return std::unexpected(pids.error());
        bool frozen = st != state::Status::Paused && sig == SIGKILL && (*cg)->freeze().has_value();
        for (pid_t p : *pids) ::kill(p, sig);
        if (frozen) (void)(*cg)->thaw();
        if (st == state::Status::Paused && sig != SIGKILL) (void)0;
        return {};
    }
    UniqueFd pfd = pidfdOpen(impl_->rec.pid);
    int rc = pfd ? static_cast<int>(::syscall(SYS_pidfd_send_signal, pfd.get(), sig, nullptr, 0))
                 : ::kill(impl_->rec.pid, sig);
    if (rc < 0) {
        if (errno == ESRCH) return fail(ESRCH, "container not running");
        return errnoError("kill");
    }
    return {};
}

Result<void> Container::destroy(bool force, std::vector<std::string>* warnings) {
    auto l = lockAndRefresh(*impl_);
    if (!l) return std::unexpected(l.error());
    if (l->status == state::Status::Creating) return fail(EBUSY, "container is still being created");
    bool alive = l->status != state::Status::Stopped;
    if (alive && l->status != state::Status::Created && !force)
        return fail(EBUSY, "cannot delete container " + impl_->id + " that is not stopped: " +
                               std::string(state::statusName(l->status)));
    if (!impl_->hasRecord) {
        // A create that died before writing state.json, or a state.json that is no record
        // (empty, truncated, garbage): the cgroup (and the init in it) can still exist; the
        // saved config tells where, and destroy() kills what is left in it.
        if (auto cfg = savedConfig(l->dir)) {
            cgroups::Options o;
            o.mountRoot = impl_->opts.cgroupRoot;
            o.systemd = impl_->opts.systemdCgroup, o.systemdHelper = impl_->opts.systemdHelper;
            o.systemdUser = impl_->opts.systemdCgroup && impl_->opts.rootlessCgroups;
            std::string path = cfg->linux ? cfg->linux->cgroupsPath : std::string();
            if (auto m = cgroups::make(o, path, impl_->id)) LC_TRY_CTX((*m)->destroy(), "remove cgroup");
        }
    }
    if (impl_->hasRecord) {
        std::unique_ptr<cgroups::Manager> cg;
        if (!impl_->rec.cgroupPaths.empty())
            if (auto m = loadCgroup(*impl_)) cg = std::move(*m);
        if (alive) {
            UniqueFd pfd = pidfdOpen(impl_->rec.pid);
            if (l->status == state::Status::Paused && cg) (void)cg->thaw();
            ::kill(impl_->rec.pid, SIGKILL);
            if (pfd) waitExit(pfd.get(), 10000);
        }
        util::faultPoint(impl_->opts, "delete:after-kill");
        if (cg) LC_TRY_CTX(cg->destroy(), "remove cgroup");
        util::faultPoint(impl_->opts, "delete:after-cgroup");
        if (auto cfg = savedConfig(l->dir); cfg && cfg->hooks && !cfg->hooks->poststop.empty()) {
            std::string json = api::stateJsonFor(impl_->rec, "stopped");
            hooks::runAllWarn(cfg->hooks->poststop, json, "poststop", warnings);
        }
    }
    return l->dir.remove();
}

Result<void> Container::pause() {
    auto l = lockAndRefresh(*impl_);
    if (!l) return std::unexpected(l.error());
    if (l->status != state::Status::Running && l->status != state::Status::Created)
        return fail(EINVAL, "container not running");
    if (impl_->rec.cgroupPaths.empty()) return fail(EPERM, "cannot toggle freezer: cgroups not configured for container");
    auto cg = loadCgroup(*impl_);
    if (!cg) return std::unexpected(cg.error());
    return (*cg)->freeze();
}

Result<void> Container::resume() {
    auto l = lockAndRefresh(*impl_);
    if (!l) return std::unexpected(l.error());
    if (l->status != state::Status::Paused) return fail(EINVAL, "container not paused");
    if (impl_->rec.cgroupPaths.empty()) return fail(EPERM, "cannot toggle freezer: cgroups not configured for container");
    auto cg = loadCgroup(*impl_);
    if (!cg) return std::unexpected(cg.error());
    return (*cg)->thaw();
}

Result<std::vector<pid_t>> Container::pids() const {
    if (!impl_->hasRecord) return std::vector<pid_t>{};
    if (impl_->rec.cgroupPaths.empty()) {  // rootless without a cgroup: the init, while alive
        if (impl_->rec.pid > 0 && ::kill(impl_->rec.pid, 0) == 0) return std::vector<pid_t>{impl_->rec.pid};
        return std::vector<pid_t>{};
    }
    auto cg = loadCgroup(*impl_);
    if (!cg) return std::unexpected(cg.error());
    return (*cg)->pids();
}

Result<int> Container::wait() {
    if (!impl_->isChild) return fail(ECHILD, "container " + impl_->id + " was not created by this process");
    int status = 0;
    pid_t r;
    do r = ::waitpid(impl_->rec.pid, &status, 0); while (r < 0 && errno == EINTR);
    if (r < 0) return errnoError("wait for container init");
    impl_->isChild = false;
    return status;
}

}  // namespace lc

namespace lc {

Result<void> Container::update(const spec::Resources& res) {
    auto l = lockAndRefreshPublic(*impl_);
    if (!l) return std::unexpected(l.error());
    if (*l == state::Status::Stopped) return fail(EINVAL, "container not running");
    auto cg = loadCgroupPublic(*impl_);
    if (!cg) return std::unexpected(cg.error());
    return (*cg)->set(res);
}

Result<Stats> Container::stats() const {
    auto cg = loadCgroupPublic(*impl_);
    if (!cg) return std::unexpected(cg.error());
    return (*cg)->stats();
}

Result<uint64_t> Container::oomKillCount() const {
    auto cg = loadCgroupPublic(*impl_);
    if (!cg) return std::unexpected(cg.error());
    return (*cg)->oomKillCount();
}

}  // namespace lc
