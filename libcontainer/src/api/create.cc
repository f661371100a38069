// Runtime::create: validate everything that can be checked up front, then make the state
// dir, fifo and cgroup, clone the init and drive it to "created". Undo it all on failure.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "api/impl.h"
#include "api/launch_plan.h"
#include "cgroups/checks.h"
#include "cgroups/manager.h"
#include "hooks/hooks.h"
#include "namespaces/plan.h"
#include "rootfs/rootfs.h"
#include "security/lsm.h"
#include "security/seccomp_cache.h"
#include "security/security.h"
#include "security/sysctl.h"
#include "spec/json.h"
#include "util/fault.h"
#include "util/fileutil.h"
#include "util/proc.h"

namespace lc {
namespace {

Result<std::string> realPath(const std::string& p, const std::string& what) {
    char buf[PATH_MAX];
    if (!::realpath(p.c_str(), buf)) return errnoError(what + " " + p);
    return std::string(buf);
}

// Everything a failed create made, undone in reverse order.
struct CreateUndo {
    const state::ContainerDir* dir = nullptr;
    cgroups::Manager* cg = nullptr;
    const spec::Spec* spec = nullptr;
    std::string stateJson;  // set once the init existed: poststop hooks then run, as runc does
    std::vector<std::string>* warnings = nullptr;
    bool armed = true;
    ~CreateUndo() {
        if (!armed) return;
        if (cg) (void)cg->destroy();
        if (spec && spec->hooks && !stateJson.empty())
            hooks::runAllWarn(spec->hooks->poststop, stateJson, "poststop", warnings);
        if (dir) (void)dir->remove();
    }
};

}  // namespace

namespace api {
// The spec's resources plus the device rules every container gets, as runc does: deny all
// first, the spec's rules, then the standard devices. Devices listed in linux.devices are
// created but not allowed by themselves (runc does the same).
spec::Resources effectiveResources(const spec::Linux& l) {
    spec::Resources r = l.resources ? *l.resources : spec::Resources{};
    std::vector<spec::DeviceCgroup> rules;
    rules.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
    rules.insert(rules.end(), r.devices.begin(), r.devices.end());
    auto allow = [&](const char* type, std::optional<int64_t> major, std::optional<int64_t> minor, const char* access) {
        rules.push_back({true, type, major, minor, access});
    };
    allow("c", std::nullopt, std::nullopt, "m");
    allow("b", std::nullopt, std::nullopt, "m");
    allow("c", 1, 3, "rwm");    // null
    allow("c", 1, 8, "rwm");    // random
    allow("c", 1, 7, "rwm");    // full
    allow("c", 5, 0, "rwm");    // tty
    allow("c", 1, 5, "rwm");    // zero
    allow("c", 1, 9, "rwm");    // urandom
    allow("c", 136, std::nullopt, "rwm");  // /dev/pts/*
    allow("c", 5, 2, "rwm");    // ptmx
    allow("c", 10, 200, "rwm"); // net/tun
    r.devices = std::move(rules);
    return r;
}

}  // namespace api

namespace {

// runc's rootless cgroup manager: a permission error making the container's own cgroup (no
// linux.cgroupsPath) leaves the container without one.
bool skipCgroup(const RuntimeOptions& ro, const spec::Linux& lx, const Error& e) {
    const int err = e.errnum();
    return ro.rootlessCgroups && !ro.systemdCgroup && lx.cgroupsPath.empty() &&
           (err == EACCES || err == EPERM || err == EROFS);
}

}  // namespace

Result<Container> Runtime::create(const CreateOptions& o) {
    LC_TRY(state::validateId(o.id));
    auto bundle = realPath(o.bundle.empty() ? "." : o.bundle, "bundle");
    if (!bundle) return std::unexpected(bundle.error());
    auto raw = util::readFile(*bundle + "/config.json");
    if (!raw) {
        if (raw.error().errnum() == ENOENT) return fail(ENOENT, "JSON specification file config.json not found");
        return std::unexpected(raw.error());
    }
    auto parsed = spec::parseSpec(*raw);
    if (!parsed) return std::unexpected(parsed.error().wrap("config.json"));
    if (!o.notifySocket.empty()) api::addNotifyMount(*parsed, opts_.root, o.id);
    return createFrom(o, *bundle, *parsed, *raw);
}

Result<Container> Runtime::create(const CreateOptions& o, const spec::Spec& sp) {
    LC_TRY(state::validateId(o.id));
    auto bundle = realPath(o.bundle.empty() ? "." : o.bundle, "bundle");
    if (!bundle) return std::unexpected(bundle.error());
    if (!o.notifySocket.empty()) {
        spec::Spec withNotify = sp;
        api::addNotifyMount(withNotify, opts_.root, o.id);
        return createFrom(o, *bundle, withNotify, spec::toJson(withNotify));
    }
    return createFrom(o, *bundle, sp, spec::toJson(sp));
}

Result<Container> Runtime::createFrom(const CreateOptions& o, const std::string& bundlePath, const spec::Spec& sp,
                                      const std::string& rawConfig) {
    const std::string* bundle = &bundlePath;
    const std::string* raw = &rawConfig;
    LC_TRY(spec::validate(sp));
    if (o.preserveFds < 0 || o.listenFds < 0) return fail(EINVAL, "preserveFds: must not be negative");
    LC_TRY(security::validateSysctls(sp));
    LC_TRY(security::validateLsm(sp));
    const spec::Process& proc = *sp.process;
    static const spec::Linux kNoLinux;
    const spec::Linux& lx = sp.linux ? *sp.linux : kNoLinux;
    cgroups::Options cgOpts;
    cgOpts.mountRoot = opts_.cgroupRoot;
    cgOpts.systemd = opts_.systemdCgroup, cgOpts.systemdHelper = opts_.systemdHelper, cgOpts.annotations = sp.annotations;
    cgOpts.systemdUser = opts_.systemdCgroup && opts_.rootlessCgroups;  // runc: the user's systemd
    LC_TRY(cgroups::validateResources(cgOpts, lx));

    std::string rootPath = sp.root->path[0] == '/' ? sp.root->path : *bundle + "/" + sp.root->path;
    auto rootfsPath = realPath(rootPath, "rootfs");
    if (!rootfsPath) return fail(ENOENT, "rootfs (" + rootPath + ") does not exist");
    struct stat st;
    if (::stat(rootfsPath->c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
        return fail(ENOTDIR, "rootfs (" + rootPath + ") is not a directory");

    LC_TRY(api::checkProcessIo(proc, api::ioOf(o)));

    auto nsPlan = namespaces::plan(lx);
    if (!nsPlan) return std::unexpected(nsPlan.error());

    // From here on, everything made is undone on failure.
    state::Store store(opts_.root);
    auto dir = store.create(o.id);
    if (!dir) return std::unexpected(dir.error());
    std::unique_ptr<cgroups::Manager> cgm;  // outlives `undo`, which uses it
    CreateUndo undo;
    undo.dir = &*dir;
    undo.spec = &sp;
    undo.warnings = o.warnings;

    util::faultPoint(opts_, "create:after-mkdir");
    if (!o.notifySocket.empty() && ::mkdirat(dir->fd(), api::kNotifyDir, 0755) < 0) return errnoError("mkdir notify");
    LC_TRY(util::writeFileAtomic(dir->fd(), state::kConfigFile, *raw, 0600));
    if (::mkfifoat(dir->fd(), state::kFifoFile, 0622) < 0) return errnoError("mkfifo exec.fifo");
    ::fchmodat(dir->fd(), state::kFifoFile, 0622, 0);
    UniqueFd fifo(::openat(dir->fd(), state::kFifoFile, O_PATH | O_CLOEXEC));
    if (!fifo) return errnoError("open exec.fifo");

    auto cg = cgroups::make(cgOpts, lx.cgroupsPath, o.id);
    if (!cg) return std::unexpected(cg.error().wrap("cgroups"));
    cgm = std::move(*cg);
    LC_TRY(cgroups::checkUnused(*cgm));  // before undo owns it: a failure must not touch it
    undo.cg = cgm.get();
    if (auto made = cgm->create(); !made) {
        if (!skipCgroup(opts_, lx, made.error())) return std::unexpected(made.error().wrap("create cgroup"));
        if (cgm->layout() == cgroups::Layout::V2 && lx.resources && !cgroups::firstLimited(*lx.resources).empty())
            return std::unexpected(made.error().wrap(
                "rootless needs no limits + no cgrouppath when no permission is granted for cgroups"));
        (void)cgm->destroy();
        cgm = cgroups::makeNone(cgm->layout());
        undo.cg = cgm.get();
    }
    util::faultPoint(opts_, "create:after-cgroup");
    LC_TRY_CTX(cgm->set(api::effectiveResources(lx)), "set cgroup resources");
    // The init enters its cgroup on its own (clone3 into the v2 leaf, "0" into v1 tasks
    // files), which skips the RCU grace period that a pid written by us costs.
    auto join = cgm->openJoinPlan();
    if (!join) return std::unexpected(join.error());
    auto joinFds = namespaces::openJoins(*nsPlan);
    if (!joinFds) return std::unexpected(joinFds.error());

    api::CreateInput in;
    in.spec = &sp;
    in.opts = &o;
    in.ns = &*nsPlan;
    in.joinFds = &*joinFds;
    in.cgroupJoin = &*join;
    in.cgroupPaths = cgm->paths();
    in.cgroupV2Only = cgm->layout() == cgroups::Layout::V2;
    in.rootfs = *rootfsPath;
    in.bundle = *bundle;
    in.fifoFd = fifo.get();
    in.stateDirFd = dir->fd();
    in.fs = &sys::real();
    in.seccompCache = security::defaultSeccompCacheDir();
    rootfs::Config rcfg = api::rootfsConfigFor(in);
    if (nsPlan->hasMount()) LC_TRY_CTX(rootfs::resolve(rcfg), "rootfs");
    bool deferrable = true;  // asked only for an init that joins a pid namespace by path
    if (nsPlan->joinsPid() && nsPlan->hasMount()) {
        auto d = rootfs::procDeferrable(rcfg);
        if (!d) return std::unexpected(d.error().wrap("rootfs"));
        deferrable = *d;
    }
    auto ls = api::planCreate(in, std::move(rcfg), deferrable);
    if (!ls) return std::unexpected(ls.error());

    state::Record rec;
    rec.id = o.id;
    rec.bundle = *bundle;
    rec.rootfs = *rootfsPath;
    rec.created = api::nowRfc3339();
    rec.ociVersion = sp.ociVersion;
    rec.annotations = sp.annotations;
    rec.cgroupPaths = cgm->paths();
    rec.ownPidNs = nsPlan->newPid();

    api::LaunchSteps steps;
    steps.afterClone = [&](pid_t pid) -> Result<void> {
        rec.pid = pid;
        return {};
    };
    steps.onVisible = steps.afterClone;
    steps.stateJson = [&](pid_t) {
        std::string p = api::stateJsonFor(rec, "creating");
        p += '\0';
        return p + api::stateJsonFor(rec, "created");
    };
    steps.onMountsReady = [&](pid_t) -> Result<void> {
        if (!sp.hooks) return {};
        std::string stateJson = api::stateJsonFor(rec, "creating");
        undo.stateJson = api::stateJsonFor(rec, "stopped");
        LC_TRY(hooks::runAll(sp.hooks->prestart, stateJson, "prestart"));
        LC_TRY(hooks::runAll(sp.hooks->createRuntime, stateJson, "createRuntime"));
        return {};
    };
    steps.afterLaunch = [&](pid_t pid) -> Result<void> {
        auto pst = util::readProcStat(pid);
        rec.initStartTime = pst ? pst->startTime : 0;
        LC_TRY(dir->writeRecord(rec));
        util::faultPoint(opts_, "create:after-state");
        return {};
    };
    auto started = api::launchProcess(*ls, cgm.get(), steps, opts_, sys::realProcessCalls());
    if (!started) return std::unexpected(started.error());
    undo.armed = false;

    auto impl = std::make_unique<Container::Impl>();
    impl->opts = opts_;
    impl->id = o.id;
    impl->rec = std::move(rec);
    impl->hasRecord = true;
    impl->isChild = true;
    impl->pidfd = std::move(started->pidfd);
    impl->console = std::move(started->console);
    return Container(std::move(impl));
}

}  // namespace lc
