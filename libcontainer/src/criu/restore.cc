// Runtime::restore: a new container (state dir, cgroup) whose processes CRIU restores from
// an image directory, as runc does: the rootfs bind-mounted at <state>/criu-root as CRIU's
// root, the bundle's external mounts mapped to their sources, the saved stdio pipes handed
// over as inherit fds, CRIU itself placed in the container's cgroup, and the restored init a
// child of the caller (rst_sibling). Nothing is left behind when it fails.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <sstream>

#include "api/impl.h"
#include "cgroups/checks.h"
#include "cgroups/manager.h"
#include "criu/request.h"
#include "criu/swrk.h"
#include "hooks/hooks.h"
#include "spec/json.h"
#include "util/fileutil.h"
#include "util/proc.h"
#include "util/unixsock.h"

namespace lc {
namespace {

constexpr const char* kCriuRoot = "criu-root";

struct RestoreUndo {
    const state::ContainerDir* dir = nullptr;
    cgroups::Manager* cg = nullptr;
    std::string criuRoot;  // mounted when set
    bool armed = true;
    ~RestoreUndo() {
        if (!criuRoot.empty()) {
            ::umount2(criuRoot.c_str(), MNT_DETACH);
            ::rmdir(criuRoot.c_str());
        }
        if (!armed) return;
        if (cg) (void)cg->destroy();
        if (dir) (void)dir->remove();
    }
};

// CRIU's cgroup roots: where the process that will be restored must land, read from
// /proc/<criu>/cgroup once CRIU is in the container's cgroup (runc does the same). The v2
// hierarchy has no controller name: its root is CRIU's default root.
void addCgroupRoots(criu_opts& co, pid_t pid) {
    auto text = util::readFile("/proc/" + std::to_string(pid) + "/cgroup");
    if (!text) return;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        auto a = line.find(':');
        auto b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (ctrls.empty()) {
            co.add_cg_root()->set_path(path);
            continue;
        }
        std::istringstream cs(ctrls);
        std::string c;
        while (std::getline(cs, c, ',')) {
            auto* r = co.add_cg_root();
            r->set_ctrl(c);
            r->set_path(path);
        }
    }
}

Result<std::string> realPath(const std::string& p, const std::string& what) {
    char buf[PATH_MAX];
    if (!::realpath(p.c_str(), buf)) return errnoError(what + " " + p);
    return std::string(buf);
}

}  // namespace

bool parseCriuCgroupsMode(const std::string& s, CriuCgroupsMode* out) {
    if (s == "soft") *out = CriuCgroupsMode::Soft;
    else if (s == "full") *out = CriuCgroupsMode::Full;
    else if (s == "strict") *out = CriuCgroupsMode::Strict;
    else if (s == "ignore") *out = CriuCgroupsMode::Ignore;
    else return false;
    return true;
}

Result<Container> Runtime::restore(const RestoreOptions& o) {
    LC_TRY(state::validateId(o.id));
    if (o.imagePath.empty()) return fail(EINVAL, "invalid directory to restore checkpoint");
    auto bundle = realPath(o.bundle.empty() ? "." : o.bundle, "bundle");
    if (!bundle) return std::unexpected(bundle.error());
    auto raw = util::readFile(*bundle + "/config.json");
    if (!raw) {
        if (raw.error().errnum() == ENOENT) return fail(ENOENT, "JSON specification file config.json not found");
        return std::unexpected(raw.error());
    }
    auto sp = spec::parseSpec(*raw);
    if (!sp) return std::unexpected(sp.error().wrap("config.json"));
    LC_TRY(spec::validate(*sp));
    static const spec::Linux kNoLinux;
    const spec::Linux& lx = sp->linux ? *sp->linux : kNoLinux;
    std::string rootPath = sp->root->path[0] == '/' ? sp->root->path : *bundle + "/" + sp->root->path;
    auto rootfsPath = realPath(rootPath, "rootfs");
    if (!rootfsPath) return fail(ENOENT, "rootfs (" + rootPath + ") does not exist");

    UniqueFd images(::open(o.imagePath.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!images) return errnoError("open " + o.imagePath);
    auto descJson = util::readFileAt(images.get(), criu::kDescriptorsFile);
    if (!descJson) return std::unexpected(descJson.error().wrap(o.imagePath));
    auto descriptors = criu::decodeDescriptors(*descJson);
    if (!descriptors) return std::unexpected(descriptors.error());
    UniqueFd work;
    if (!o.workPath.empty()) {
        ::mkdir(o.workPath.c_str(), 0700);
        work.reset(::open(o.workPath.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
        if (!work) return errnoError("open " + o.workPath);
    }
    auto bin = criu::requireCriu(o.criuPath);
    if (!bin) return std::unexpected(bin.error());
    cgroups::Options cgOpts;
    cgOpts.mountRoot = opts_.cgroupRoot;
    cgOpts.systemd = opts_.systemdCgroup, cgOpts.systemdHelper = opts_.systemdHelper, cgOpts.annotations = sp->annotations;
    cgOpts.systemdUser = opts_.systemdCgroup && opts_.rootlessCgroups;
    LC_TRY(cgroups::validateResources(cgOpts, lx));
    std::vector<UniqueFd> nsFds;  // kept open until CRIU is done
    criu::SpawnOptions so;
    so.binary = *bin;
    for (int i = 0; i < 3; ++i) so.stdio[i] = i;
    criu_req req;
    req.set_type(RESTORE);
    criu_opts& co = *req.mutable_opts();
    criu::setCommon(co, o);
    for (auto [type, key] : {std::pair{"network", "extRootNetNS"}, std::pair{"pid", "extRootPidNS"}}) {
        std::string p = criu::joinedNsPath(*sp, type);
        if (p.empty() || (std::string(type) == "network" && (o.emptyNs & CLONE_NEWNET))) continue;
        UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return errnoError("open " + p);
        so.extraFds.push_back(fd.get());
        auto* in = co.add_inherit_fd();
        in->set_key(key);
        in->set_fd(static_cast<int>(3 + so.extraFds.size()));
        nsFds.push_back(std::move(fd));
    }
    for (size_t i = 0; i < descriptors->size() && i < 3; ++i) {
        if ((*descriptors)[i].find("pipe:") == std::string::npos) continue;
        auto* in = co.add_inherit_fd();
        in->set_key((*descriptors)[i]);
        in->set_fd(static_cast<int>(i));
    }

    // From here on, everything made is undone on failure.
    state::Store store(opts_.root);
    auto dir = store.create(o.id);
    if (!dir) return std::unexpected(dir.error());
    std::unique_ptr<cgroups::Manager> cgm;
    RestoreUndo undo;
    undo.dir = &*dir;
    LC_TRY(util::writeFileAtomic(dir->fd(), state::kConfigFile, *raw, 0600));
    auto cg = cgroups::make(cgOpts, lx.cgroupsPath, o.id);
    if (!cg) return std::unexpected(cg.error().wrap("cgroups"));
    cgm = std::move(*cg);
    LC_TRY(cgroups::checkUnused(*cgm));
    undo.cg = cgm.get();
    LC_TRY_CTX(cgm->create(), "create cgroup");
    LC_TRY_CTX(cgm->set(api::effectiveResources(lx)), "set cgroup resources");

    const std::string criuRoot = dir->file(kCriuRoot);
    if (::mkdir(criuRoot.c_str(), 0755) < 0) return errnoError("mkdir " + criuRoot);
    if (::mount(rootfsPath->c_str(), criuRoot.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
        ::rmdir(criuRoot.c_str());
        return errnoError("bind mount " + *rootfsPath + " on " + criuRoot);
    }
    undo.criuRoot = criuRoot;

    co.set_images_dir_fd(images.get());
    if (work) co.set_work_dir_fd(work.get());
    co.set_log_file("restore.log");
    co.set_root(criuRoot);
    co.set_rst_sibling(true);
    co.set_evasive_devices(true);
    const bool v2 = cgm->layout() == cgroups::Layout::V2;
    for (const auto& [k, v] : criu::restoreExtMounts(*sp, *rootfsPath, v2)) {
        auto* m = co.add_ext_mnt();
        m->set_key(k);
        m->set_val(v);
    }

    state::Record rec;
    rec.id = o.id;
    rec.bundle = *bundle;
    rec.rootfs = *rootfsPath;
    rec.created = api::nowRfc3339();
    rec.ociVersion = sp->ociVersion;
    rec.annotations = sp->annotations;
    rec.cgroupPaths = cgm->paths();
    rec.ownPidNs = criu::joinedNsPath(*sp, "pid").empty();

    auto sw = criu::Swrk::start(so);
    if (!sw) return std::unexpected(sw.error());
    nsFds.clear();
    LC_TRY_CTX(cgm->addProcess(sw->pid()), "join cgroup");
    addCgroupRoots(co, sw->pid());

    auto onNotify = [&](const criu_notify& n, UniqueFd fd) -> Result<void> {
        const std::string& script = n.script();
        if (script == "setup-namespaces") {
            if (!sp->hooks) return {};
            rec.pid = n.pid();
            std::string json = api::stateJsonFor(rec, "creating");
            LC_TRY(hooks::runAll(sp->hooks->prestart, json, "prestart"));
            LC_TRY(hooks::runAll(sp->hooks->createRuntime, json, "createRuntime"));
        } else if (script == "post-restore") {
            rec.pid = n.pid();
        } else if (script == "orphan-pts-master") {
            if (!fd) return fail(EINVAL, "criu: orphan-pts-master without a descriptor");
            if (!o.consoleSocket.empty()) LC_TRY(util::sendFdToSocket(o.consoleSocket, fd.get(), ""));
        }
        return {};
    };
    auto resp = sw->call(req, onNotify);
    sw->finish();
    if (!resp) return std::unexpected(resp.error());
    if (!resp->success())
        return fail(resp->cr_errno() ? resp->cr_errno() : EIO,
                    std::string("criu failed: type RESTORE errno ") + std::to_string(resp->cr_errno()) +
                        "\nlog file: " + (o.workPath.empty() ? o.imagePath : o.workPath) + "/restore.log");
    if (resp->has_restore() && resp->restore().pid() > 0) rec.pid = resp->restore().pid();
    if (rec.pid <= 0) return fail(ESRCH, "criu: restore reported no pid");
    auto pst = util::readProcStat(rec.pid);
    rec.initStartTime = pst ? pst->startTime : 0;
    auto finish = [&]() -> Result<void> {
        LC_TRY(dir->writeRecord(rec));
        if (!o.pidFile.empty()) LC_TRY_CTX(util::writeFileAtomic(o.pidFile, std::to_string(rec.pid), 0666), "write pid file");
        return {};
    };
    if (auto r = finish(); !r) {
        (void)cgm->destroy();  // kills the restored processes
        return std::unexpected(r.error());
    }
    undo.armed = false;

    auto impl = std::make_unique<Container::Impl>();
    impl->opts = opts_;
    impl->id = o.id;
    impl->rec = std::move(rec);
    impl->hasRecord = true;
    impl->isChild = true;
    impl->pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, impl->rec.pid, 0)));
    return Container(std::move(impl));
}

}  // namespace lc
