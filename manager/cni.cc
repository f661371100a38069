#include "cni.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include "json.h"
#include "libcontainer/unique_fd.h"

namespace mgr::cni {
namespace {

std::string readAllFrom(int fd) {
    std::string out;
    ::lseek(fd, 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while (out.size() < (1 << 20) && (n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

std::string pluginPath() {
    const char* p = std::getenv("CNI_PATH");
    return p && *p ? p : "/usr/lib/cni";
}

std::string errorMessage(const std::string& out) {
    auto d = json::Doc::parse(out);
    if (!d || !d->has({"msg"})) return {};
    std::string msg = d->str({"msg"});
    if (auto det = d->str({"details"}); !det.empty()) msg += ": " + det;
    return msg;
}

lc::Result<std::string> exec(const std::string& type, const Invocation& inv) {
    if (type.empty() || type.find('/') != std::string::npos || type[0] == '.')
        return lc::fail(EINVAL, "invalid CNI plugin type \"" + type + "\"");
    std::string bin;
    std::stringstream dirs(pluginPath());
    for (std::string d; std::getline(dirs, d, ':');) {
        if (d.empty()) continue;
        if (::access((d + "/" + type).c_str(), X_OK) == 0) {
            bin = d + "/" + type;
            break;
        }
    }
    if (bin.empty()) return lc::fail(ENOENT, "CNI plugin " + type + " not found in " + pluginPath() + " (Debian: containernetworking-plugins)");

    lc::UniqueFd in(::memfd_create("cni-config", MFD_CLOEXEC));
    lc::UniqueFd out(::memfd_create("cni-result", MFD_CLOEXEC));
    lc::UniqueFd err(::memfd_create("cni-stderr", MFD_CLOEXEC));
    if (!in || !out || !err) return lc::errnoError("memfd_create");
    for (size_t off = 0; off < inv.config.size();) {
        ssize_t n = ::write(in.get(), inv.config.data() + off, inv.config.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return lc::errnoError("write CNI config");
        off += static_cast<size_t>(n);
    }
    ::lseek(in.get(), 0, SEEK_SET);

    std::vector<std::string> env = {"CNI_COMMAND=" + inv.command, "CNI_CONTAINERID=" + inv.containerId,
                                    "CNI_NETNS=" + inv.netns,     "CNI_IFNAME=" + inv.ifname,
                                    "CNI_PATH=" + pluginPath(),
                                    // portmap and the bridge's ipMasq run iptables
                                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string arg0 = type;
    char* argv[] = {arg0.data(), nullptr};

    pid_t pid = ::fork();
    if (pid < 0) return lc::errnoError("fork CNI plugin " + type);
    if (pid == 0) {
        // The supervisor blocks SIGCHLD and ignores SIGPIPE, SIGHUP and SIGINT: none of it
        // is the plugin's.
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int s : {SIGPIPE, SIGHUP, SIGINT, SIGCHLD}) ::signal(s, SIG_DFL);
        ::dup2(in.get(), 0);
        ::dup2(out.get(), 1);
        ::dup2(err.get(), 2);
        ::execve(bin.c_str(), argv, envp.data());
        ::_exit(127);
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    std::string result = readAllFrom(out.get());
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return result;
    std::string msg = errorMessage(result);
    if (msg.empty()) {
        msg = WIFEXITED(st) ? "exit status " + std::to_string(WEXITSTATUS(st)) : std::string("signal ") + ::strsignal(WTERMSIG(st));
        if (auto e = trimmed(readAllFrom(err.get())); !e.empty()) msg += ": " + e;
    }
    return lc::fail(EIO, "CNI " + type + " " + inv.command + ": " + msg);
}

}  // namespace mgr::cni
