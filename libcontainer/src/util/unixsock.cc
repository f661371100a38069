#include "util/unixsock.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/unique_fd.h"

namespace lc::util {

ssize_t sendWithFd(int sock, const void* data, size_t len, int fd) {
    iovec iov{const_cast<void*>(data), len};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    if (fd >= 0) {
        mh.msg_control = ctl;
        mh.msg_controllen = sizeof ctl;
        cmsghdr* c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n;
    do n = ::sendmsg(sock, &mh, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    return n;
}

Result<void> sendFdToSocket(const std::string& path, int fd, const std::string& name) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return fail(ENAMETOOLONG, "console socket path " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return errnoError("socket");
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return errnoError("connect to console socket " + path);
    std::string payload = name.empty() ? std::string("/dev/ptmx") : name;
    if (sendWithFd(s.get(), payload.data(), payload.size(), fd) < 0) return errnoError("send pty master to " + path);
    return {};
}

}  // namespace lc::util
