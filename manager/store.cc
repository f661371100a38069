#include "store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "json.h"
#include "libcontainer/runtime.h"
#include "restart.h"

namespace mgr {



std::string humanDuration(int64_t s) {
    if (s < 1) return "Less than a second";
    if (s == 1) return "1 second";
    if (s < 60) return std::to_string(s) + " seconds";
    int64_t m = s / 60;
    if (m == 1) return "About a minute";
    if (m < 60) return std::to_string(m) + " minutes";
    int64_t h = (s + 1800) / 3600;
    if (h == 1) return "About an hour";
    if (h < 48) return std::to_string(h) + " hours";
    return std::to_string(h / 24) + " days";
}

uint64_t procStartTime(pid_t pid) {
    if (pid <= 0) return 0;
    std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    auto rp = stat.rfind(')');
    if (rp == std::string::npos) return 0;
    std::istringstream in(stat.substr(rp + 2));
    std::string field;
    // fields after the comm: state is field 3, starttime field 22
    std::vector<std::string> f;
    while (in >> field) f.push_back(field);
    if (f.size() < 20 || f[0] == "Z" || f[0] == "X") return 0;
    return std::strtoull(f[19].c_str(), nullptr, 10);  // no exceptions on odd input
}

lc::Result<void> Store::init() const {
    // The root is 0700 from its mkdir on (issue 12 item 4): the containers' environments, ids
    // and logs are root's only. Its parents are created as usual.
    std::error_code ec;
    auto parent = std::filesystem::path(root_).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return lc::fail(ec.value(), "mkdir " + parent.string() + ": " + ec.message());
    if (::mkdir(root_.c_str(), 0700) < 0) {
        if (errno != EEXIST) return lc::errnoError("mkdir " + root_);
        // A root an older manager made (it has our lock file) is tightened; any other existing
        // directory given as --root is the caller's and keeps its mode.
        struct stat st{};
        if (::stat((root_ + "/.lock").c_str(), &st) == 0 && ::stat(root_.c_str(), &st) == 0 && (st.st_mode & 077))
            if (::chmod(root_.c_str(), 0700) < 0) return lc::errnoError("chmod " + root_);
    }
    if (::mkdir(runcRoot().c_str(), 0700) < 0 && errno != EEXIST) return lc::errnoError("mkdir " + runcRoot());
    return {};
}

lc::Result<lc::UniqueFd> Store::lock() const {
    std::string p = root_ + "/.lock";
    int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return lc::errnoError("open " + p);
    lc::UniqueFd f(fd);
    while (::flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) return lc::errnoError("flock " + p);
    return f;
}

namespace {
bool isId(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}
}  // namespace

lc::Result<std::vector<Meta>> Store::list() const {
    std::vector<Meta> out;
    DIR* d = ::opendir(root_.c_str());
    if (!d) {
        if (errno == ENOENT) return out;
        return lc::errnoError("open " + root_);
    }
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (!isId(name)) continue;
        if (auto m = readMeta(name)) out.push_back(std::move(*m));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const Meta& a, const Meta& b) { return a.created < b.created; });
    return out;
}

lc::Result<Meta> Store::resolve(const std::string& ref) const {
    auto all = list();
    if (!all) return std::unexpected(all.error());
    for (auto& m : *all)
        if (m.id == ref || m.name == ref) return m;
    const Meta* found = nullptr;
    for (auto& m : *all) {
        if (!ref.empty() && m.id.starts_with(ref)) {
            if (found) return lc::fail(EINVAL, "multiple containers match " + ref);
            found = &m;
        }
    }
    if (found) return *found;
    return lc::fail(ENOENT, "no such container: " + ref);
}

lc::Result<Meta> Store::readMeta(const std::string& id) const {
    auto d = json::Doc::load(dir(id) + "/meta.json");
    if (!d) return std::unexpected(d.error());
    Meta m;
    m.id = d->str({"id"});
    m.name = d->str({"name"});
    m.bundle = d->str({"bundle"});
    m.image = d->str({"image"});
    m.imageRef = d->str({"imageRef"});
    m.volumes = d->strs({"volumes"});
    m.args = d->strs({"args"});
    m.restart = d->str({"restart"});
    auto labels = d->obj({"labels"});
    for (const auto& k : labels.keys({})) m.labels[k] = labels.str({k.c_str()});
    m.tty = d->boolean({"tty"});
    m.interactive = d->boolean({"interactive"});
    m.autoRemove = d->boolean({"autoRemove"});
    m.created = d->num({"created"});
    m.logMaxSize = d->num({"logMaxSize"}, m.logMaxSize);
    m.logMaxFiles = d->num({"logMaxFiles"}, m.logMaxFiles);
    if (m.id != id) return lc::fail(EINVAL, "meta.json of " + id + " names another id");
    return m;
}

std::string labelsJson(const std::map<std::string, std::string>& labels) {
    json::Obj o;
    for (const auto& [k, v] : labels) o.str(k, v);
    return o.done();
}

lc::Result<void> Store::writeMeta(const Meta& m) const {
    return writeFileAtomic(dir(m.id) + "/meta.json", json::Obj()
                                                          .str("id", m.id)
                                                          .str("name", m.name)
                                                          .str("bundle", m.bundle)
                                                          .str("image", m.image)
                                                          .str("imageRef", m.imageRef)
                                                          .strs("volumes", m.volumes)
                                                          .strs("args", m.args)
                                                          .raw("labels", labelsJson(m.labels))
                                                          .str("restart", m.restart)
                                                          .boolean("tty", m.tty)
                                                          .boolean("interactive", m.interactive)
                                                          .boolean("autoRemove", m.autoRemove)
                                                          .num("created", m.created)
                                                          .num("logMaxSize", m.logMaxSize)
                                                          .num("logMaxFiles", m.logMaxFiles)
                                                          .done() + "\n");
}

lc::Result<void> Store::writeStarted(const std::string& id, pid_t pid, int64_t at) const {
    return writeFileAtomic(dir(id) + "/started.json", json::Obj().num("pid", pid).num("startedAt", at).done() + "\n");
}

lc::Result<void> Store::writeExit(const std::string& id, const ExitRecord& e) const {
    return writeFileAtomic(dir(id) + "/exit.json", json::Obj()
                                                       .num("exitCode", e.code)
                                                       .num("finishedAt", e.finishedAt)
                                                       .boolean("oomKilled", e.oomKilled)
                                                       .done() + "\n");
}

std::optional<ExitRecord> Store::readExit(const std::string& id) const {
    auto d = json::Doc::load(dir(id) + "/exit.json");
    if (!d) return std::nullopt;
    ExitRecord e;
    e.code = static_cast<int>(d->num({"exitCode"}, -1));
    e.finishedAt = d->num({"finishedAt"});
    e.oomKilled = d->boolean({"oomKilled"});
    return e;
}

lc::Result<void> Store::writeSupervisorPid(const std::string& id, pid_t pid) const {
    return writeFileAtomic(dir(id) + "/supervisor.pid", std::to_string(pid) + " " + std::to_string(procStartTime(pid)) + "\n");
}

pid_t Store::supervisorPid(const std::string& id) const {
    std::istringstream in(readFile(dir(id) + "/supervisor.pid"));
    pid_t pid = 0;
    uint64_t start = 0;
    if (!(in >> pid >> start) || pid <= 0) return 0;
    uint64_t now = procStartTime(pid);
    return now != 0 && now == start ? pid : 0;
}

Status Store::status(const Meta& m) const {
    Status s;
    s.supervisor = supervisorPid(m.id);
    if (auto d = json::Doc::load(dir(m.id) + "/started.json")) {
        s.pid = static_cast<pid_t>(d->num({"pid"}));
        s.startedAt = d->num({"startedAt"});
    }
    s.exit = readExit(m.id);
    if (s.exit) {
        // a restart policy's back-off (restart.h): the supervisor waits to start it again
        s.state = s.supervisor && isRestarting(*this, m.id) ? "restarting" : "exited";
        s.pid = 0;
        return s;
    }
    if (s.startedAt == 0) {
        s.state = s.supervisor ? "created" : "dead";
        return s;
    }
    // Running as far as our files go: ask libcontainer (paused, or gone behind our back).
    s.state = "dead";
    if (auto rt = lc::Runtime::open({.root = runcRoot()})) {
        if (auto c = rt->load(m.id)) {
            if (auto st = c->state()) {
                if (st->status == "running" || st->status == "paused") s.state = st->status;
                else if (st->status == "stopped" && s.supervisor) s.state = "running";  // exit being recorded
            }
        }
    }
    if (s.state == "dead") s.pid = 0;
    return s;
}

void Store::event(const std::string& action, const Meta& m, const std::map<std::string, std::string>& attrs) const {
    int64_t t = nowNs();
    json::Obj a;
    a.str("name", m.name);
    for (const auto& [k, v] : attrs) a.str(k, v);
    std::string line = json::Obj()
                           .str("time", rfc3339(t))
                           .num("timeNano", t)
                           .str("type", "container")
                           .str("action", action)
                           .str("id", m.id)
                           .str("name", m.name)
                           .raw("attributes", a.done())
                           .done() + "\n";
    int fd = ::open(eventsPath().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    lc::UniqueFd f(fd);
    // one write with O_APPEND: lines of concurrent writers do not interleave
    if (::write(fd, line.data(), line.size()) < 0) return;
    struct stat st{};
    if (::fstat(fd, &st) < 0 || st.st_size < eventsMaxSize()) return;
    // Rotate: events.log becomes events.log.1 (the previous .1 goes). Under the root's lock,
    // and only if no other writer rotated it meanwhile.
    auto lk = lock();
    struct stat now{};
    if (!lk || ::stat(eventsPath().c_str(), &now) < 0 || now.st_ino != st.st_ino) return;
    ::rename(eventsPath().c_str(), (eventsPath() + ".1").c_str());
}

int64_t Store::eventsMaxSize() {
    const char* env = ::getenv("RUNCCPP_MANAGER_EVENTS_MAX_SIZE");
    int64_t v = env ? std::strtoll(env, nullptr, 10) : 0;
    return v > 0 ? v : 4 << 20;
}

}  // namespace mgr
