#include "process/attrs.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include "util/fileutil.h"

namespace lc::process {

int rlimitResource(const std::string& name) {
    static constexpr std::pair<const char*, int> kTable[] = {
        {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
        {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
        {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
        {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
        {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    };
    for (const auto& [n, r] : kTable)
        if (name == n) return r;
    return -1;
}

Result<void> applyRlimits(const std::vector<spec::Rlimit>& rlimits) {
    for (const auto& rl : rlimits) {
        int res = rlimitResource(rl.type);
        if (res < 0) return fail(EINVAL, "unknown rlimit type " + rl.type);
        rlimit lim{rl.soft, rl.hard};
        if (::setrlimit(res, &lim) < 0)
            return errnoError("error setting rlimit type " + std::to_string(res));
    }
    return {};
}

Result<void> applyOomScoreAdj(const std::optional<int>& adj) {
    if (!adj) return {};
    auto r = util::writeFile("/proc/self/oom_score_adj", std::to_string(*adj));
    if (!r) return std::unexpected(r.error().wrap("set oom_score_adj"));
    return {};
}

Result<void> applyPersonality(const std::optional<spec::Personality>& p) {
    if (!p) return {};
    unsigned long persona;
    if (p->domain == "LINUX") persona = PER_LINUX;
    else if (p->domain == "LINUX32") persona = PER_LINUX32;
    else return fail(EINVAL, "linux.personality.domain: unknown domain \"" + p->domain + "\"");
    if (::personality(persona) < 0) return errnoError("personality");
    return {};
}

// The ioprio ABI (linux/ioprio.h), spelled out here: newer kernel headers of that file are
// not valid C++.
namespace {
constexpr int kIoprioClassRt = 1, kIoprioClassBe = 2, kIoprioClassIdle = 3;
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;
}  // namespace

Result<void> applyIoPriority(const std::optional<spec::IoPriority>& io) {
    if (!io) return {};
    int klass;
    if (io->klass == "IOPRIO_CLASS_RT") klass = kIoprioClassRt;
    else if (io->klass == "IOPRIO_CLASS_BE") klass = kIoprioClassBe;
    else if (io->klass == "IOPRIO_CLASS_IDLE") klass = kIoprioClassIdle;
    else return fail(EINVAL, "process.ioPriority.class: unknown class \"" + io->klass + "\"");
    if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, (klass << kIoprioClassShift) | io->priority) < 0)
        return errnoError("ioprio_set");
    return {};
}

Result<void> applyScheduler(const std::optional<spec::Scheduler>& s) {
    if (!s) return {};
    static constexpr std::pair<const char*, int> kPolicies[] = {
        {"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
        {"SCHED_BATCH", SCHED_BATCH}, {"SCHED_IDLE", SCHED_IDLE}, {"SCHED_DEADLINE", 6},
    };
    int policy = -1;
    for (const auto& [n, v] : kPolicies)
        if (s->policy == n) policy = v;
    if (policy < 0) return fail(EINVAL, "process.scheduler.policy: unknown policy \"" + s->policy + "\"");
    struct {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
    } attr{};
    attr.size = sizeof attr;
    attr.sched_policy = static_cast<uint32_t>(policy);
    for (const auto& f : s->flags) {
        if (f == "SCHED_FLAG_RESET_ON_FORK") attr.sched_flags |= 0x01;
        else if (f == "SCHED_FLAG_RECLAIM") attr.sched_flags |= 0x02;
        else if (f == "SCHED_FLAG_DL_OVERRUN") attr.sched_flags |= 0x04;
        else if (f == "SCHED_FLAG_KEEP_POLICY") attr.sched_flags |= 0x08;
        else if (f == "SCHED_FLAG_KEEP_PARAMS") attr.sched_flags |= 0x10;
        else if (f == "SCHED_FLAG_UTIL_CLAMP_MIN") attr.sched_flags |= 0x20;
        else if (f == "SCHED_FLAG_UTIL_CLAMP_MAX") attr.sched_flags |= 0x40;
        else return fail(EINVAL, "process.scheduler.flags: unknown flag \"" + f + "\"");
    }
    attr.sched_nice = s->nice.value_or(0);
    attr.sched_priority = static_cast<uint32_t>(s->priority.value_or(0));
    attr.sched_runtime = s->runtime.value_or(0);
    attr.sched_deadline = s->deadline.value_or(0);
    attr.sched_period = s->period.value_or(0);
    if (::syscall(SYS_sched_setattr, 0, &attr, 0) < 0) return errnoError("sched_setattr");
    return {};
}

Result<void> applyUser(const spec::User& user, bool skipSetgroups, sys::ProcessCalls& sc) {
    if (!skipSetgroups) {
        std::vector<gid_t> gids(user.additionalGids.begin(), user.additionalGids.end());
        if (sc.setgroups(gids.size(), gids.data()) < 0) return errnoError("setgroups");
    }
    if (sc.setresgid(user.gid, user.gid, user.gid) < 0) return errnoError("setgid " + std::to_string(user.gid));
    if (sc.setresuid(user.uid, user.uid, user.uid) < 0) return errnoError("setuid " + std::to_string(user.uid));
    if (user.umask) ::umask(static_cast<mode_t>(*user.umask));
    return {};
}

static Result<std::string> checkExecutable(const std::string& arg0, const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0)
        return errnoError("exec: \"" + arg0 + "\": stat " + path);
    if (S_ISDIR(st.st_mode)) return fail(EACCES, "exec: \"" + arg0 + "\": is a directory");
    if (::access(path.c_str(), X_OK) < 0) return errnoError("exec: \"" + arg0 + "\"");
    return path;
}

Result<std::string> resolveExecutable(const std::string& arg0, const std::vector<std::string>& env) {
    if (arg0.empty()) return fail(EINVAL, "exec: \"\": executable file not found in $PATH");
    if (arg0.find('/') != std::string::npos) return checkExecutable(arg0, arg0);
    std::string pathVar;
    bool havePath = false;
    for (const auto& e : env)
        if (e.rfind("PATH=", 0) == 0) {
            pathVar = e.substr(5);
            havePath = true;
        }
    if (!havePath) pathVar = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t pos = 0;
    int lastErr = ENOENT;
    while (pos <= pathVar.size()) {
        size_t end = pathVar.find(':', pos);
        if (end == std::string::npos) end = pathVar.size();
        std::string dir = pathVar.substr(pos, end - pos);
        pos = end + 1;
        if (dir.empty()) dir = ".";
        std::string cand = dir + "/" + arg0;
        struct stat st;
        if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            if (::access(cand.c_str(), X_OK) == 0) return cand;
            lastErr = EACCES;
        }
    }
    if (lastErr == EACCES) return fail(EACCES, "exec: \"" + arg0 + "\": permission denied");
    return fail(ENOENT, "exec: \"" + arg0 + "\": executable file not found in $PATH");
}

bool ptmxLinkAllowed(std::string_view target) {
    return target == "pts/ptmx" || target == "/dev/pts/ptmx";
}

bool isPtyMultiplexer(const struct stat& st) {
    return S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2;
}

namespace {

// The container's /dev/ptmx, which its rootfs controls: only the pty multiplexer (char 5:2)
// itself or the usual symlink to the devpts instance's pts/ptmx is opened; anything else (a
// symlink elsewhere, a fifo, another device whose open has side effects) is refused before
// it is opened. The node is checked through an O_PATH handle, opened without following
// links, and checked again after the open (same inode, still 5:2).
Result<UniqueFd> openPtmx() {
    std::string path = "/dev/ptmx";
    UniqueFd handle(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!handle) return errnoError("open /dev/ptmx");
    struct stat st;
    if (::fstat(handle.get(), &st) < 0) return errnoError("stat /dev/ptmx");
    if (S_ISLNK(st.st_mode)) {
        char buf[64];
        ssize_t n = ::readlinkat(handle.get(), "", buf, sizeof buf - 1);
        if (n < 0) return errnoError("read the /dev/ptmx symlink");
        std::string target(buf, static_cast<size_t>(n));
        if (!ptmxLinkAllowed(target))
            return fail(EPERM, "open /dev/ptmx: a symlink to \"" + target + "\", not to pts/ptmx");
        path = "/dev/pts/ptmx";
        handle.reset(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!handle) return errnoError("open " + path);
        if (::fstat(handle.get(), &st) < 0) return errnoError("stat " + path);
    }
    if (!isPtyMultiplexer(st))
        return fail(EPERM, "open " + path + ": not the pty multiplexer (char device 5:2)");
    UniqueFd master(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
    if (!master) return errnoError("open " + path);
    struct stat opened;
    if (::fstat(master.get(), &opened) < 0) return errnoError("stat " + path);
    if (!isPtyMultiplexer(opened) || opened.st_ino != st.st_ino || opened.st_dev != st.st_dev)
        return fail(EPERM, "open " + path + ": replaced while it was opened");
    return master;
}

}  // namespace

Result<UniqueFd> setupConsole(const std::optional<spec::Box>& size, uid_t owner) {
    auto opened = openPtmx();
    if (!opened) return std::unexpected(opened.error());
    UniqueFd master = std::move(*opened);
    int m = master.get();
    int unlock = 0;
    if (::ioctl(m, TIOCSPTLCK, &unlock) < 0) return errnoError("unlock pty");
    // Open the slave through the master (no path lookup in the container's /dev/pts).
    int s = ::ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) return errnoError("open pty slave");
    UniqueFd slave(s);
    // The process's user owns its terminal (the group stays the devpts one, tty with gid=5), as
    // runc does. EINVAL/EPERM (an id not mapped in the user namespace) leave it as it is.
    if (::fchown(s, owner, static_cast<gid_t>(-1)) < 0 && errno != EINVAL && errno != EPERM)
        return errnoError("chown pty slave");
    if (size) {
        winsize ws{};
        ws.ws_row = static_cast<unsigned short>(size->height);
        ws.ws_col = static_cast<unsigned short>(size->width);
        ::ioctl(s, TIOCSWINSZ, &ws);
    }
    for (int fd = 0; fd < 3; ++fd)
        if (::dup2(s, fd) < 0) return errnoError("dup2 pty slave");
    if (::ioctl(0, TIOCSCTTY, 0) < 0) return errnoError("set controlling terminal");
    return master;
}

}  // namespace lc::process
