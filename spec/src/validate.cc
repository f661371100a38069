// Semantic checks of a parsed config.json, made before anything is created. The first
// problem found is returned; its message names the JSON path of the offending field.
#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "spec/json.h"

namespace spec {
namespace {

using lc::fail;
using std::string_view;

template <size_t N>
bool oneOf(string_view s, const std::array<string_view, N>& set) {
    return std::find(set.begin(), set.end(), s) != set.end();
}

bool absolute(string_view p) { return !p.empty() && p.front() == '/'; }

std::string quoted(string_view s) {
    std::string q = "\"";
    q += s;
    q += '"';
    return q;
}

std::string idx(string_view base, size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}

bool digits(string_view& s) {
    size_t n = 0;
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
    if (n == 0) return false;
    s.remove_prefix(n);
    return true;
}

// 1.MINOR.PATCH with an optional -prerelease / +build suffix; PATCH may be "x".
bool supportedVersion(string_view v) {
    if (!v.starts_with("1.")) return false;
    v.remove_prefix(2);
    if (!digits(v) || !v.starts_with('.')) return false;
    v.remove_prefix(1);
    if (v.starts_with('x'))
        v.remove_prefix(1);
    else if (!digits(v))
        return false;
    if (v.empty()) return true;
    if (v.front() != '-' && v.front() != '+') return false;
    v.remove_prefix(1);
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
    });
}

constexpr std::array<string_view, 16> kRlimits = {
    "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",        "RLIMIT_DATA",
    "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",      "RLIMIT_RSS",
    "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};
constexpr std::array<string_view, 8> kNamespaces = {"pid", "network", "mount", "ipc",
                                                    "uts", "user",    "cgroup", "time"};
constexpr std::array<string_view, 9> kPropagation = {
    "", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable"};
constexpr std::array<string_view, 3> kIoClasses = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                   "IOPRIO_CLASS_IDLE"};
constexpr std::array<string_view, 7> kSchedPolicies = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};

// Strings that reach the kernel or execve as C strings must not hold a NUL: it would cut
// them short there without a word (JSON allows "\u0000", and the reader keeps it).
// Annotations are opaque and may hold one; the state file round-trips them.
lc::Result<void> noNul(const std::string& field, string_view s) {
    if (s.find('\0') != string_view::npos) return fail(field + ": must not contain a NUL byte");
    return {};
}
lc::Result<void> noNul(string_view field, const std::vector<std::string>& list) {
    for (size_t i = 0; i < list.size(); ++i) LC_TRY(noNul(idx(field, i), list[i]));
    return {};
}

// User and group ids: runc's range. (uid_t)-1 means "leave unchanged" to setresuid/setresgid
// and chown, so 4294967295 would keep the runtime's root; everything above 2^31-1 is refused.
constexpr uint32_t kMaxId = 2147483647;
lc::Result<void> checkId(const std::string& field, uint32_t id) {
    if (id > kMaxId) return fail(field + ": " + std::to_string(id) + " is out of range 0-2147483647");
    return {};
}

lc::Result<void> checkUser(const User& u) {
    LC_TRY(checkId("process.user.uid", u.uid));
    LC_TRY(checkId("process.user.gid", u.gid));
    for (size_t i = 0; i < u.additionalGids.size(); ++i)
        LC_TRY(checkId(idx("process.user.additionalGids", i), u.additionalGids[i]));
    // umask has no sentinel: umask(2) keeps the permission bits of any value (runc's too).
    return {};
}

lc::Result<void> checkProcess(const Process& p) {
    LC_TRY(checkUser(p.user));
    // TIOCSWINSZ takes 16-bit sizes: a larger value would be cut short silently.
    if (p.consoleSize && (p.consoleSize->height > 65535 || p.consoleSize->width > 65535))
        return fail("process.consoleSize: height and width must be between 0 and 65535");
    // The kernel's range for /proc/PID/oom_score_adj.
    if (p.oomScoreAdj && (*p.oomScoreAdj < -1000 || *p.oomScoreAdj > 1000))
        return fail("process.oomScoreAdj: must be between -1000 and 1000");
    LC_TRY(noNul("process.args", p.args));
    LC_TRY(noNul("process.env", p.env));
    LC_TRY(noNul("process.cwd", p.cwd));
    if (p.args.empty()) return fail("process.args: args must not be empty");
    if (p.cwd.empty()) return fail("process.cwd: must be set");
    if (!absolute(p.cwd)) return fail("process.cwd: must be an absolute path");
    std::set<string_view> seen;
    for (size_t i = 0; i < p.rlimits.size(); ++i) {
        const Rlimit& rl = p.rlimits[i];
        std::string at = idx("process.rlimits", i);
        if (!oneOf(rl.type, kRlimits)) return fail(at + ".type: unknown rlimit " + quoted(rl.type));
        if (!seen.insert(rl.type).second)
            return fail(at + ".type: duplicate rlimit " + quoted(rl.type));
        if (rl.soft > rl.hard) return fail(at + ".soft: must not exceed hard");
    }
    if (p.ioPriority) {
        if (!oneOf(p.ioPriority->klass, kIoClasses))
            return fail("process.ioPriority.class: unknown class " + quoted(p.ioPriority->klass));
        if (p.ioPriority->priority < 0 || p.ioPriority->priority > 7)
            return fail("process.ioPriority.priority: must be between 0 and 7");
    }
    if (p.scheduler) {
        if (!oneOf(p.scheduler->policy, kSchedPolicies))
            return fail("process.scheduler.policy: unknown policy " + quoted(p.scheduler->policy));
        if (p.scheduler->nice && (*p.scheduler->nice < -20 || *p.scheduler->nice > 19))
            return fail("process.scheduler.nice: must be between -20 and 19");
    }
    return {};
}

lc::Result<void> checkHooks(const Hooks& h) {
    auto list = [](string_view name, const std::vector<Hook>& hooks) -> lc::Result<void> {
        for (size_t i = 0; i < hooks.size(); ++i) {
            std::string at = idx(std::string("hooks.") += name, i);
            if (!absolute(hooks[i].path)) return fail(at + ".path: must be an absolute path");
            LC_TRY(noNul(at + ".path", hooks[i].path));
            LC_TRY(noNul(at + ".args", hooks[i].args));
            LC_TRY(noNul(at + ".env", hooks[i].env));
            if (hooks[i].timeout && *hooks[i].timeout <= 0)
                return fail(at + ".timeout: must be positive");
        }
        return {};
    };
    LC_TRY(list("prestart", h.prestart));
    LC_TRY(list("createRuntime", h.createRuntime));
    LC_TRY(list("createContainer", h.createContainer));
    LC_TRY(list("startContainer", h.startContainer));
    LC_TRY(list("poststart", h.poststart));
    LC_TRY(list("poststop", h.poststop));
    return {};
}

lc::Result<void> checkMappings(string_view name, const std::vector<IdMapping>& maps) {
    for (size_t i = 0; i < maps.size(); ++i)
        if (maps[i].size == 0) return fail(idx(name, i) + ".size: must be positive");
    return {};
}

const Namespace* findNamespace(const Linux* l, string_view type) {
    if (!l) return nullptr;
    for (const auto& ns : l->namespaces)
        if (ns.type == type) return &ns;
    return nullptr;
}

// Idmapped mounts (1.2): "idmap"/"ridmap" options and per-mount uidMappings/gidMappings.
lc::Result<void> checkIdmapMount(const Mount& m, const std::string& at, const Linux* l) {
    bool option = false, bind = m.type == "bind";
    for (const auto& o : m.options) {
        option = option || o == "idmap" || o == "ridmap";
        bind = bind || o == "bind" || o == "rbind";
    }
    const bool mapped = !m.uidMappings.empty() || !m.gidMappings.empty();
    if (!option && !mapped) return {};
    const std::string what = mapped ? at + ".uidMappings" : at + ".options";
    if (!bind) return fail(what + ": idmapped mounts must be bind mounts (type \"bind\" or option \"bind\"/\"rbind\")");
    if (mapped) {
        if (m.uidMappings.empty()) return fail(at + ".uidMappings: must be given together with gidMappings");
        if (m.gidMappings.empty()) return fail(at + ".gidMappings: must be given together with uidMappings");
        LC_TRY(checkMappings(at + ".uidMappings", m.uidMappings));
        LC_TRY(checkMappings(at + ".gidMappings", m.gidMappings));
        return {};
    }
    if (!findNamespace(l, "user"))
        return fail(at + ".options: idmap without the mount's uidMappings/gidMappings uses the container's user "
                         "namespace mappings, but there is no user namespace");
    return {};
}

lc::Result<void> checkResources(const Resources& res) {
    for (size_t i = 0; i < res.devices.size(); ++i) {
        const DeviceCgroup& d = res.devices[i];
        std::string at = idx("linux.resources.devices", i);
        if (!d.type.empty() && d.type != "a" && d.type != "c" && d.type != "b")
            return fail(at + ".type: unknown device type " + quoted(d.type));
        // access: runc reads the r, w and m in it and ignores any other character ("rwa").
    }
    return {};
}

lc::Result<void> checkLinux(const Linux& l) {
    std::set<string_view> seen;
    for (size_t i = 0; i < l.namespaces.size(); ++i) {
        const Namespace& ns = l.namespaces[i];
        std::string at = idx("linux.namespaces", i);
        if (!oneOf(ns.type, kNamespaces))
            return fail(at + ".type: unknown namespace type " + quoted(ns.type));
        if (!seen.insert(ns.type).second)
            return fail("linux.namespaces: duplicate namespace " + quoted(ns.type));
        if (!ns.path.empty() && !absolute(ns.path))
            return fail(at + ".path: must be an absolute path");
    }

    const Namespace* user = findNamespace(&l, "user");
    bool mapped = !l.uidMappings.empty() || !l.gidMappings.empty();
    if (mapped && !user) return fail("linux.uidMappings: id mappings require a user namespace");
    if (user && user->path.empty()) {
        if (l.uidMappings.empty())
            return fail("linux.uidMappings: a new user namespace needs uid mappings");
        if (l.gidMappings.empty())
            return fail("linux.gidMappings: a new user namespace needs gid mappings");
    }
    LC_TRY(checkMappings("linux.uidMappings", l.uidMappings));
    LC_TRY(checkMappings("linux.gidMappings", l.gidMappings));

    if (!l.timeOffsets.empty()) {
        const Namespace* t = findNamespace(&l, "time");
        if (!t || !t->path.empty())
            return fail("linux.timeOffsets: time offsets require a new time namespace");
        for (const auto& [clock, off] : l.timeOffsets) {
            if (clock != "monotonic" && clock != "boottime")
                return fail("linux.timeOffsets: unknown clock " + quoted(clock));
            if (off.nanosecs >= 1000000000U)
                return fail("linux.timeOffsets[\"" + clock + "\"].nanosecs: must be below 1e9");
        }
    }

    for (size_t i = 0; i < l.devices.size(); ++i) {
        const Device& d = l.devices[i];
        std::string at = idx("linux.devices", i);
        if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
            return fail(at + ".type: unknown device type " + quoted(d.type));
        if (!absolute(d.path)) return fail(at + ".path: must be an absolute path");
        LC_TRY(noNul(at + ".path", d.path));
        if (d.uid) LC_TRY(checkId(at + ".uid", *d.uid));
        if (d.gid) LC_TRY(checkId(at + ".gid", *d.gid));
        // makedev() takes unsigned numbers: a negative one would name some other device.
        if (d.major < 0 || d.major > 0xfff) return fail(at + ".major: must be between 0 and 4095");
        if (d.minor < 0 || d.minor > 0xfffff) return fail(at + ".minor: must be between 0 and 1048575");
    }

    if (l.resources) LC_TRY(checkResources(*l.resources));

    for (const auto& [key, val] : l.sysctl) {
        if (key.empty()) return fail("linux.sysctl: keys must not be empty");
        LC_TRY(noNul("linux.sysctl", key));
        LC_TRY(noNul("linux.sysctl." + key, val));
    }
    LC_TRY(noNul("linux.maskedPaths", l.maskedPaths));
    LC_TRY(noNul("linux.readonlyPaths", l.readonlyPaths));

    if (!oneOf(l.rootfsPropagation, kPropagation))
        return fail("linux.rootfsPropagation: unknown propagation " + quoted(l.rootfsPropagation));

    if (l.seccomp) {
        if (l.seccomp->defaultAction.empty())
            return fail("linux.seccomp.defaultAction: must be set");
        for (size_t i = 0; i < l.seccomp->syscalls.size(); ++i)
            if (l.seccomp->syscalls[i].action.empty())
                return fail(idx("linux.seccomp.syscalls", i) + ".action: must be set");
    }

    if (l.personality && l.personality->domain != "LINUX" && l.personality->domain != "LINUX32")
        return fail("linux.personality.domain: unknown domain " + quoted(l.personality->domain));
    return {};
}

}  // namespace

lc::Result<void> validateProcess(const Process& p) { return checkProcess(p); }

lc::Result<void> validate(const Spec& s) {
    if (s.ociVersion.empty()) return fail("ociVersion: must be set");
    if (!supportedVersion(s.ociVersion))
        return fail("ociVersion: unsupported version " + quoted(s.ociVersion));

    if (!s.root) return fail("root: must be set");
    if (s.root->path.empty()) return fail("root.path: must be set");
    LC_TRY(noNul("root.path", s.root->path));
    LC_TRY(noNul("hostname", s.hostname));
    LC_TRY(noNul("domainname", s.domainname));

    if (!s.process) return fail("process: must be set");
    LC_TRY(checkProcess(*s.process));

    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const Mount& m = s.mounts[i];
        if (!absolute(m.destination)) return fail(idx("mounts", i) + ".destination: must be an absolute path");
        LC_TRY(noNul(idx("mounts", i) + ".destination", m.destination));
        LC_TRY(noNul(idx("mounts", i) + ".source", m.source));
        LC_TRY(noNul(idx("mounts", i) + ".type", m.type));
        LC_TRY(noNul(idx("mounts", i) + ".options", m.options));
    }
    for (size_t i = 0; i < s.mounts.size(); ++i)
        LC_TRY(checkIdmapMount(s.mounts[i], idx("mounts", i), s.linux ? &*s.linux : nullptr));

    if (s.hooks) LC_TRY(checkHooks(*s.hooks));

    const Linux* l = s.linux ? &*s.linux : nullptr;
    if (!findNamespace(l, "uts")) {
        if (!s.hostname.empty())
            return fail("hostname: unable to set hostname without a private UTS namespace");
        if (!s.domainname.empty())
            return fail("domainname: unable to set domainname without a private UTS namespace");
    }
    if (l) LC_TRY(checkLinux(*l));
    return {};
}

}  // namespace spec
