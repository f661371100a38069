#include "security/seccomp_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/unique_fd.h"
#include "base/json.h"
#include "util/unixsock.h"

namespace lc::security {

Result<std::string> seccompListenerPayload(const std::string& metadata, const std::string& stateJson, pid_t pid) {
    json::Document doc;
    if (!doc.parse(stateJson, {.allowComments = true}) || !doc.root().isObject())
        return fail(EINVAL, "seccomp listener: the container state is not a JSON object");
    std::string version = doc.root().getString("ociVersion");

    std::string state = stateJson;
    while (!state.empty() && (state.back() == '\n' || state.back() == ' ')) state.pop_back();
    json::Writer w;
    w.beginObject();
    w.key("ociVersion").str(version);
    w.key("fds").beginArray().str("seccompFd").endArray();
    w.key("pid").num(pid);
    if (!metadata.empty()) w.key("metadata").str(metadata);
    w.key("state").raw(state);  // the state document verbatim (parsed above: it is JSON)
    w.endObject();
    return w.text();
}

Result<UniqueFd> connectSeccompListener(const std::string& listenerPath) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // Without an agent the notified syscalls would block forever (runc: "listenerPath is not set").
    if (listenerPath.empty())
        return fail(EINVAL, "linux.seccomp: listenerPath is not set, but SCMP_ACT_NOTIFY rules need a seccomp agent");
    if (listenerPath.size() >= sizeof addr.sun_path)
        return fail(ENAMETOOLONG, "linux.seccomp.listenerPath: \"" + listenerPath + "\" is too long for a unix socket");
    std::memcpy(addr.sun_path, listenerPath.c_str(), listenerPath.size() + 1);
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return errnoError("seccomp listener: socket");
    int rc;
    do rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr); while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return errnoError("failed to connect with seccomp agent specified in the seccomp profile: dial unix " +
                          listenerPath + ": connect");
    return s;
}

Result<void> sendSeccompListener(int sock, const std::string& metadata, const std::string& stateJson, pid_t pid,
                                 int notifyFd) {
    if (notifyFd < 0) return fail(EBADF, "seccomp listener: no notify fd to send");
    if (pid <= 0) {
        json::Document doc;
        if (doc.parse(stateJson, {.allowComments = true})) {
            int64_t p = doc.root().getInt("pid");
            if (p > 0 && p <= INT32_MAX) pid = static_cast<pid_t>(p);
        }
    }
    auto payload = seccompListenerPayload(metadata, stateJson, pid);
    if (!payload) return std::unexpected(payload.error());
    const std::string& p = *payload;
    ssize_t n = util::sendWithFd(sock, p.data(), p.size(), notifyFd);
    if (n < 0) return errnoError("send seccomp notify fd to the listener");
    // A stream socket may take the payload in parts; the fd went with the first.
    for (size_t off = static_cast<size_t>(n); off < p.size(); off += static_cast<size_t>(n)) {
        n = util::sendWithFd(sock, p.data() + off, p.size() - off, -1);
        if (n < 0) return errnoError("send seccomp listener state");
    }
    return {};
}

Result<void> sendSeccompListener(const std::string& listenerPath, const std::string& metadata,
                                 const std::string& stateJson, pid_t pid, int notifyFd) {
    if (notifyFd < 0) return fail(EBADF, "seccomp listener: no notify fd to send");
    auto sock = connectSeccompListener(listenerPath);
    if (!sock) return std::unexpected(sock.error());
    auto r = sendSeccompListener(sock->get(), metadata, stateJson, pid, notifyFd);
    if (!r) return std::unexpected(r.error().wrap(listenerPath));
    return {};
}

}  // namespace lc::security
