// sd_notify pass-through, as runc does it: the container sends READY=1 to
// /run/notify/notify.sock (a bind mount of <root>/<id>/notify), the runtime's `start` (or `run`)
// waits for it and forwards READY and MAINPID to the NOTIFY_SOCKET it was given.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/impl.h"

namespace lc {
namespace api {

void addNotifyMount(spec::Spec& sp, const std::string& root, const std::string& id) {
    sp.mounts.push_back({"/run/notify", "bind", root + "/" + id + "/" + kNotifyDir,
                         {"bind", "nosuid", "noexec", "nodev", "ro"}, {}, {}});
    if (!sp.process) return;
    auto& env = sp.process->env;
    std::erase_if(env, [](const std::string& e) { return e.starts_with("NOTIFY_SOCKET="); });
    env.push_back("NOTIFY_SOCKET=/run/notify/notify.sock");
}

}  // namespace api

namespace {

Result<sockaddr_un> unixAddr(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof a.sun_path) return fail(EINVAL, "NOTIFY_SOCKET " + path + ": bad socket path");
    path.copy(a.sun_path, path.size());
    if (a.sun_path[0] == '@') a.sun_path[0] = '\0';  // abstract socket
    return a;
}

Result<void> sendTo(int fd, const sockaddr_un& to, const std::string& msg, const std::string& host) {
    if (::sendto(fd, msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
        return errnoError("notify " + host);
    return {};
}

}  // namespace

Result<void> Container::startNotifying(const std::string& host, pid_t mainPid) {
    if (host.empty()) return start();
    auto hostAddr = unixAddr(host);
    if (!hostAddr) return std::unexpected(hostAddr.error());
    const std::string dir = impl_->opts.root + "/" + impl_->id + "/" + api::kNotifyDir;
    if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return errnoError("mkdir " + dir);
    const std::string path = dir + "/notify.sock";
    ::unlink(path.c_str());
    UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) return errnoError("notify socket");
    auto addr = unixAddr(path);
    if (!addr) return std::unexpected(addr.error());
    if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) < 0) return errnoError("bind " + path);
    if (::chmod(path.c_str(), 0777) < 0) return errnoError("chmod " + path);

    LC_TRY(start());
    const pid_t pid1 = impl_->rec.pid;
    if (mainPid == 0) mainPid = pid1;
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid1, 0)));
    if (!pidfd) return {};  // already gone: nothing to report
    char buf[4096];
    for (;;) {
        pollfd p[2] = {{sock.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
        int n = ::poll(p, 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("poll notify socket");
        }
        if (p[0].revents & POLLIN) {
            ssize_t got = ::recv(sock.get(), buf, sizeof buf, 0);
            if (got < 0) continue;
            std::string_view msg(buf, static_cast<size_t>(got));
            while (!msg.empty()) {
                size_t nl = msg.find('\n');
                std::string_view line = msg.substr(0, nl);
                msg = nl == std::string_view::npos ? std::string_view{} : msg.substr(nl + 1);
                if (!line.starts_with("READY=")) continue;
                UniqueFd out(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
                if (!out) return errnoError("notify socket");
                LC_TRY(sendTo(out.get(), *hostAddr, std::string(line) + "\n", host));
                return sendTo(out.get(), *hostAddr, "MAINPID=" + std::to_string(mainPid) + "\n", host);
            }
            continue;
        }
        if (p[1].revents) return {};  // the init exited before it was ready
    }
}

}  // namespace lc
