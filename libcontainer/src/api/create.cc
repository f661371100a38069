// Runtime::create: validate everything that can be checked up front, then make the state
// dir, fifo and cgroup, clone the init and drive it to "created". Undo it all on failure.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "api/impl.h"
#include "cgroups/checks.h"
#include "cgroups/manager.h"
#include "hooks/hooks.h"
#include "namespaces/plan.h"
#include "process/launch.h"
#include "process/stdio.h"
#include "rootfs/rootfs.h"
#include "security/lsm.h"
#include "security/seccomp_notify.h"
#include "security/security.h"
#include "security/sysctl.h"
#include "spec/json.h"
#include "util/fault.h"
#include "util/fileutil.h"
#include "util/proc.h"
#include "util/unixsock.h"

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

std::string timeOffsets(const spec::Linux& l) {
    std::string out;
    for (const auto& [clock, off] : l.timeOffsets)
        out += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    return out;
}

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
    LC_TRY(cgroups::validateResources(cgOpts, lx));

    std::string rootPath = sp.root->path[0] == '/' ? sp.root->path : *bundle + "/" + sp.root->path;
    auto rootfsPath = realPath(rootPath, "rootfs");
    if (!rootfsPath) return fail(ENOENT, "rootfs (" + rootPath + ") does not exist");
    struct stat st;
    if (::stat(rootfsPath->c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
        return fail(ENOTDIR, "rootfs (" + rootPath + ") is not a directory");

    if (proc.terminal && o.consoleSocket.empty() && !o.keepConsole)
        return fail(EINVAL, "cannot allocate tty if runc will detach without setting console socket");
    if (!proc.terminal && !o.consoleSocket.empty())
        return fail(EINVAL, "cannot use console socket if runc will not detach or allocate tty");
    LC_TRY(process::checkStdio(o.stdio, proc.terminal));

    auto nsPlan = namespaces::plan(lx);
    if (!nsPlan) return std::unexpected(nsPlan.error());
    std::optional<security::CapPlan> caps;
    if (proc.capabilities) {
        std::vector<std::string> notes;
        auto c = security::planCapabilities(*proc.capabilities, o.warnings, &notes);
        for (const auto& n : notes)
            if (opts_.debugLog) opts_.debugLog(n);
        if (!c) return std::unexpected(c.error());
        caps = *c;
    }
    std::optional<security::SeccompProgram> seccomp;
    if (lx.seccomp) {
        auto prog = security::compileSeccomp(*lx.seccomp);
        if (!prog) return std::unexpected(prog.error().wrap("seccomp"));
        seccomp = std::move(*prog);
    }
    UniqueFd seccompListener;  // connected here (host paths); the init sends the notify fd over it
    if (seccomp && seccomp->notify) {  // an empty listenerPath is an error there
        auto l = security::connectSeccompListener(lx.seccomp->listenerPath);
        if (!l) return std::unexpected(l.error());
        seccompListener = std::move(*l);
    }

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
    const bool selfJoins = join->cloneInto.valid() || !join->selfJoin.empty();

    auto joinFds = namespaces::openJoins(*nsPlan);
    if (!joinFds) return std::unexpected(joinFds.error());

    process::InitConfig init;
    init.spec = &sp;
    init.process = &proc;
    init.ns = *nsPlan;
    init.userNs = nsPlan->newUser() || std::any_of(nsPlan->joins.begin(), nsPlan->joins.end(), [](const namespaces::Join& j) { return j.flag == CLONE_NEWUSER; });
    init.containerId = o.id;
    init.fifoFd = fifo.get();
    init.closeFds.push_back(dir->fd());
    init.caps = caps;
    init.seccomp = seccomp;
    init.seccompListenerFd = seccompListener.get();
    init.noNewKeyring = o.noNewKeyring;
    init.preserveFds = o.preserveFds + o.listenFds;
    init.stdio = o.stdio;
    init.listenFds = o.listenFds;
    init.rootfs.spec = &sp;
    init.rootfs.rootfs = *rootfsPath;
    init.rootfs.noPivot = o.noPivot;
    init.rootfs.inUserNs = nsPlan->newUser();
    init.rootfs.newCgroupNs = nsPlan->newFlags & CLONE_NEWCGROUP;
    init.rootfs.cgroupPaths = cgm->paths();
    init.rootfs.cgroupV2Only = cgm->layout() == cgroups::Layout::V2;
    init.rootfs.bundle = *bundle;
    if (nsPlan->hasMount()) LC_TRY_CTX(rootfs::resolve(init.rootfs), "rootfs");

    process::LaunchPlan lp;
    // The cgroup and time namespaces are made later: cgroup once the init is in its cgroup,
    // time by the parent so that the offsets can be written before anything enters it.
    lp.cloneFlags = static_cast<uint64_t>(nsPlan->newFlags & ~(CLONE_NEWCGROUP | CLONE_NEWTIME));
    init.unshareFlags = nsPlan->newFlags & CLONE_NEWCGROUP;
    lp.cgroupFd = join->cloneInto.valid() ? join->cloneInto.get() : -1;
    for (const auto& fd : join->selfJoin) init.cgroupJoinFds.push_back(fd.get());
    lp.newTimeNs = nsPlan->newFlags & CLONE_NEWTIME;
    lp.timeOffsets = timeOffsets(lx);
    lp.nonDumpable = !init.userNs;
    // An init that joins a pid namespace by path (pods) would be seen there by the processes
    // already in it: it builds the container first and only then enters it (process/stage.h).
    if (nsPlan->joinsPid()) {
        bool deferrable = true;
        if (nsPlan->hasMount()) {
            auto d = rootfs::procDeferrable(init.rootfs);
            if (!d) return std::unexpected(d.error().wrap("rootfs"));
            deferrable = *d;
        }
        if (deferrable) {
            lp.twoStage = true;
            init.rootfs.deferProc = nsPlan->hasMount();
        }
    }
    for (size_t i = 0; i < nsPlan->joins.size(); ++i) {
        int flag = nsPlan->joins[i].flag;
        int fd = (*joinFds)[i].get();
        if (flag == CLONE_NEWPID) lp.joinPidFd = fd, fd = -1;
        if (flag == CLONE_NEWTIME) lp.joinTimeFd = fd, fd = -1;
        init.joinFds.push_back(fd);
    }

    state::Record rec;
    rec.id = o.id;
    rec.bundle = *bundle;
    rec.rootfs = *rootfsPath;
    rec.created = api::nowRfc3339();
    rec.ociVersion = sp.ociVersion;
    rec.annotations = sp.annotations;
    rec.cgroupPaths = cgm->paths();
    rec.ownPidNs = nsPlan->newPid();

    auto impl = std::make_unique<Container::Impl>();
    process::LaunchCallbacks cb;
    cb.afterClone = [&](pid_t pid) -> Result<void> {
        rec.pid = pid;
        util::faultPoint(opts_, "create:after-clone");
        if (nsPlan->newUser()) LC_TRY(namespaces::writeIdMaps(pid, lx));
        if (!selfJoins) LC_TRY_CTX(cgm->addProcess(pid), "join cgroup");
        return {};
    };
    cb.onVisible = [&](pid_t pid) -> Result<void> {
        rec.pid = pid;
        return {};
    };
    cb.stateJson = [&](pid_t) {
        std::string p = api::stateJsonFor(rec, "creating");
        p += '\0';
        return p + api::stateJsonFor(rec, "created");
    };
    cb.onMountsReady = [&](pid_t) -> Result<void> {
        if (!sp.hooks) return {};
        std::string stateJson = api::stateJsonFor(rec, "creating");
        undo.stateJson = api::stateJsonFor(rec, "stopped");
        LC_TRY(hooks::runAll(sp.hooks->prestart, stateJson, "prestart"));
        LC_TRY(hooks::runAll(sp.hooks->createRuntime, stateJson, "createRuntime"));
        return {};
    };
    cb.onConsole = [&](UniqueFd master) -> Result<void> {
        if (!o.consoleSocket.empty()) return util::sendFdToSocket(o.consoleSocket, master.get(), "");
        impl->console = std::move(master);
        return {};
    };

    auto launched = process::launch(init, lp, cb);
    if (!launched) {
        return std::unexpected(launched.error().wrap("unable to start container process"));
    }
    util::faultPoint(opts_, "create:after-launch");
    auto pst = util::readProcStat(launched->pid);
    rec.initStartTime = pst ? pst->startTime : 0;

    auto finish = [&]() -> Result<void> {
        LC_TRY(dir->writeRecord(rec));
        util::faultPoint(opts_, "create:after-state");
        if (!o.pidFile.empty()) {
            std::string pidFile = o.pidFile;
            LC_TRY_CTX(util::writeFileAtomic(pidFile, std::to_string(launched->pid), 0644), "write pid file");
        }
        return {};
    };
    if (auto r = finish(); !r) {
        ::kill(launched->pid, SIGKILL);
        int ws;
        ::waitpid(launched->pid, &ws, 0);
        return std::unexpected(r.error());
    }
    undo.armed = false;

    impl->opts = opts_;
    impl->id = o.id;
    impl->rec = std::move(rec);
    impl->hasRecord = true;
    impl->isChild = true;
    impl->pidfd = std::move(launched->pidfd);
    return Container(std::move(impl));
}

}  // namespace lc
