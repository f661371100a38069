// Container::checkpoint: dump (or pre-dump) the container's process tree with CRIU, as runc
// does: the rootfs as CRIU's root, external mounts and namespaces described, the cgroup
// frozen by CRIU, the stdio targets saved in descriptors.json for the restore.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>

#include "api/impl.h"
#include "cgroups/manager.h"
#include "criu/request.h"
#include "criu/swrk.h"
#include "spec/json.h"
#include "util/fileutil.h"

namespace lc {
namespace {

Result<void> mkdirAll(const std::string& path, mode_t mode) {
    if (path.empty()) return fail(EINVAL, "empty directory path");
    std::string cur;
    size_t pos = 0;
    while (pos != std::string::npos) {
        size_t next = path.find('/', pos + 1);
        cur = path.substr(0, next);
        if (!cur.empty() && ::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) return errnoError("mkdir " + cur);
        pos = next;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return errnoError("stat " + path);
    if (!S_ISDIR(st.st_mode)) return errnoError("mkdir " + path, ENOTDIR);
    return {};
}

bool maskedIsDir(const std::string& path, const void* ctx) {
    const pid_t pid = *static_cast<const pid_t*>(ctx);
    struct stat st;
    std::string p = "/proc/" + std::to_string(pid) + "/root" + path;
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "net[<inode>]:extRootNetNS": a namespace joined by path is external to the dump.
Result<std::string> externalNs(const std::string& path, const char* criuName, const char* key) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return errnoError("stat " + path);
    return std::string(criuName) + "[" + std::to_string(st.st_ino) + "]:" + key;
}

}  // namespace

Result<void> Container::checkpoint(const CheckpointOptions& o) {
    if (o.imagePath.empty()) return fail(EINVAL, "invalid directory to save checkpoint");
    state::Store store(impl_->opts.root);
    auto dir = store.lock(impl_->id);
    if (!dir) return std::unexpected(dir.error());
    auto rec = dir->readRecord();
    if (rec) impl_->rec = std::move(*rec), impl_->hasRecord = true;
    auto st = api::deriveStatus(*impl_, *dir, true);
    if (st == state::Status::Created || st == state::Status::Stopped || st == state::Status::Creating)
        return fail(EINVAL, "Container cannot be checkpointed in " + std::string(state::statusName(st)) + " state");
    auto raw = util::readFileAt(dir->fd(), state::kConfigFile);
    if (!raw) return std::unexpected(raw.error());
    auto sp = spec::parseSpec(*raw);
    if (!sp) return std::unexpected(sp.error().wrap("config.json"));

    LC_TRY(mkdirAll(o.imagePath, 0700));
    LC_TRY(criu::checkParentPath(o.imagePath, o.parentPath));
    auto bin = criu::requireCriu(o.criuPath);
    if (!bin) return std::unexpected(bin.error());

    UniqueFd images(::open(o.imagePath.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!images) return errnoError("open " + o.imagePath);
    UniqueFd work;
    const std::string workPath = o.workPath.empty() ? o.imagePath : o.workPath;
    if (!o.workPath.empty()) {
        LC_TRY(mkdirAll(o.workPath, 0700));
        work.reset(::open(o.workPath.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
        if (!work) return errnoError("open " + o.workPath);
    }

    criu::SpawnOptions so;
    so.binary = *bin;
    criu_req req;
    req.set_type(o.preDump ? PRE_DUMP : DUMP);
    criu_opts& co = *req.mutable_opts();
    criu::setCommon(co, o);
    co.set_images_dir_fd(images.get());
    if (work) co.set_work_dir_fd(work.get());
    co.set_log_file(o.preDump ? "pre-dump.log" : "dump.log");
    co.set_root(impl_->rec.rootfs);
    co.set_pid(impl_->rec.pid);
    co.set_leave_running(o.leaveRunning);
    for (auto [type, name, key] : {std::tuple{"network", "net", "extRootNetNS"}, std::tuple{"pid", "pid", "extRootPidNS"}}) {
        std::string p = criu::joinedNsPath(*sp, type);
        if (p.empty()) continue;
        auto ext = externalNs(p, name, key);
        if (!ext) return std::unexpected(ext.error());
        co.add_external(*ext);
    }
    if (auto cg = cgroups::load({.mountRoot = impl_->opts.cgroupRoot, .systemdHelper = impl_->opts.systemdHelper},
                                impl_->rec.cgroupPaths);
        cg) {
        auto paths = (*cg)->paths();
        if (auto it = paths.find("freezer"); it != paths.end()) co.set_freeze_cgroup(it->second);
        else if (auto u = paths.find(""); u != paths.end()) co.set_freeze_cgroup(u->second);
    }
    if (!o.pageServer.empty()) {
        auto ps = criu::parsePageServer(o.pageServer);
        if (!ps) return std::unexpected(ps.error());
        co.mutable_ps()->set_address(ps->first);
        co.mutable_ps()->set_port(ps->second);
    }
    if (!o.parentPath.empty()) {
        co.set_parent_img(o.parentPath);
        co.set_track_mem(true);
    }
    if (o.lazyPages && o.statusFd >= 0) {
        so.extraFds.push_back(o.statusFd);
        co.set_status_fd(4);
    }
    if (!o.preDump) {
        const pid_t pid = impl_->rec.pid;
        for (const auto& [k, v] : criu::dumpExtMounts(*sp, impl_->rec.rootfs, maskedIsDir, &pid, {})) {
            auto* m = co.add_ext_mnt();
            m->set_key(k);
            m->set_val(v);
        }
        std::vector<std::string> targets;
        for (int fd = 0; fd < 3; ++fd) {
            char buf[PATH_MAX];
            std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
            ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
            targets.emplace_back(n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("/dev/null"));
        }
        LC_TRY(util::writeFileAtomic(images.get(), criu::kDescriptorsFile, criu::encodeDescriptors(targets), 0600));
    }

    auto sw = criu::Swrk::start(so);
    if (!sw) return std::unexpected(sw.error());
    auto resp = sw->call(req);
    sw->finish();
    if (!resp) return std::unexpected(resp.error());
    if (!resp->success())
        return fail(resp->cr_errno() ? resp->cr_errno() : EIO,
                    std::string("criu failed: type ") + criu::typeName(req.type()) + " errno " +
                        std::to_string(resp->cr_errno()) + "\nlog file: " + workPath + "/" + co.log_file());
    return {};
}

}  // namespace lc
