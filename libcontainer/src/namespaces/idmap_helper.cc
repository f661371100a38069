// Id maps an unprivileged caller cannot write itself: the setuid newuidmap/newgidmap helpers
// (Debian's uidmap package) check them against /etc/subuid and /etc/subgid and write them.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "libcontainer/passwd.h"
#include "namespaces/plan.h"
#include "util/fileutil.h"

namespace lc::namespaces {
namespace {

std::string findInPath(const std::string& name) {
    const char* env = std::getenv("PATH");
    std::string path = env && *env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string dir = path.substr(start, end - start);
        if (!dir.empty()) {
            std::string cand = dir + "/" + name;
            if (::access(cand.c_str(), X_OK) == 0) return cand;
        }
        start = end + 1;
    }
    return "";
}

// Whether /etc/sub{u,g}id has a line for the caller (by name or by number).
bool hasSubIdEntry(const char* file, uint32_t id, const std::string& name) {
    std::ifstream in(file);
    std::string line;
    const std::string byId = std::to_string(id) + ":";
    while (std::getline(in, line)) {
        if (line.starts_with(byId)) return true;
        if (!name.empty() && line.starts_with(name + ":")) return true;
    }
    return false;
}

// Runs the helper; its stderr (trimmed) becomes the error text on failure.
Result<void> runHelper(const std::string& helper, pid_t pid, const std::vector<spec::IdMapping>& maps) {
    std::vector<std::string> args{helper, std::to_string(pid)};
    for (const auto& m : maps) {
        args.push_back(std::to_string(m.containerID));
        args.push_back(std::to_string(m.hostID));
        args.push_back(std::to_string(m.size));
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) < 0) return errnoError("pipe for " + helper);
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    pid_t child = ::fork();
    if (child < 0) return errnoError("fork " + helper);
    if (child == 0) {
        ::dup2(wr.get(), 2);
        int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull >= 0) ::dup2(devnull, 0), ::dup2(devnull, 1);
        ::execv(helper.c_str(), argv.data());
        ::_exit(127);
    }
    wr.reset();
    std::string err;
    char buf[512];
    for (;;) {
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (err.size() < 4096) err.append(buf, static_cast<size_t>(n));
    }
    int ws = 0;
    while (::waitpid(child, &ws, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) return {};
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    for (auto& c : err) if (c == '\n') c = ' ';
    std::string cmd;
    for (size_t i = 0; i + 1 < argv.size(); ++i) cmd += (i ? " " : "") + args[i];
    return fail(EPERM, cmd + " failed" + (err.empty() ? std::string() : ": " + err));
}

bool onlyOwn(const std::vector<spec::IdMapping>& maps, uint32_t id) {
    return maps.size() == 1 && maps[0].size == 1 && maps[0].hostID == id;
}

// One map: written directly; a caller that may not (EPERM: more than its own id, not root in
// the parent namespace) goes through the setuid helper.
Result<void> writeMap(pid_t pid, bool uid, const std::vector<spec::IdMapping>& maps) {
    const char* what = uid ? "uid" : "gid";
    const std::string file = "/proc/" + std::to_string(pid) + "/" + what + "_map";
    auto direct = util::writeFile(file, formatIdMap(maps));
    if (direct) return {};
    if (direct.error().errnum() != EPERM) return std::unexpected(direct.error().wrap(std::string("write ") + what + " mappings"));
    const char* helperName = uid ? "newuidmap" : "newgidmap";
    const char* subFile = uid ? "/etc/subuid" : "/etc/subgid";
    const uint32_t self = uid ? ::geteuid() : ::getegid();
    const std::string ctx = std::string("write ") + what + " mappings: " + std::to_string(maps.size()) +
                            " range(s) beyond the caller's own " + what + " " + std::to_string(self) + " need " +
                            helperName;
    std::string helper = findInPath(helperName);
    if (helper.empty()) return fail(ENOENT, ctx + ", which is not in $PATH (Debian: apt-get install uidmap)");
    std::string name;
    if (auto pw = lookupPasswdUid("/etc/passwd", ::geteuid())) name = pw->name;
    if (!hasSubIdEntry(subFile, ::geteuid(), name))
        return fail(EPERM, ctx + ", and " + subFile + " has no entry for " +
                               (name.empty() ? "uid " + std::to_string(::geteuid()) : name) + " (add one, e.g. \"" +
                               (name.empty() ? std::to_string(::geteuid()) : name) + ":100000:65536\")");
    auto r = runHelper(helper, pid, maps);
    if (!r) return std::unexpected(r.error().wrap(std::string("write ") + what + " mappings"));
    return {};
}

}  // namespace

Result<void> writeIdMaps(pid_t pid, const spec::Linux& linux) {
    if (!linux.uidMappings.empty()) LC_TRY(writeMap(pid, true, linux.uidMappings));
    if (!linux.gidMappings.empty()) {
        // An unprivileged caller may map its own gid only with setgroups denied (the kernel's
        // rule); with more than that, newgidmap decides (runc does the same).
        if (::geteuid() != 0 && onlyOwn(linux.gidMappings, ::getegid())) {
            auto d = util::writeFile("/proc/" + std::to_string(pid) + "/setgroups", "deny");
            if (!d && d.error().errnum() != ENOENT) return std::unexpected(d.error().wrap("write setgroups"));
        }
        LC_TRY(writeMap(pid, false, linux.gidMappings));
    }
    return {};
}

}  // namespace lc::namespaces
