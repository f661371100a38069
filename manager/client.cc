#include "client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace mgr {

lc::Result<lc::UniqueFd> connectSupervisor(const Store& store, const std::string& id) {
    std::string path = store.sockPath(id);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return lc::fail(ENAMETOOLONG, "socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return lc::errnoError("socket");
    lc::UniqueFd s(fd);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return lc::errnoError("connect " + path);
    return s;
}

namespace {
lc::Result<lc::UniqueFd> request(const Store& store, const std::string& id, const char* line) {
    auto s = connectSupervisor(store, id);
    if (!s) return s;
    size_t len = std::strlen(line);
    if (::send(s->get(), line, len, MSG_NOSIGNAL) != static_cast<ssize_t>(len)) return lc::errnoError("send");
    return s;
}
}  // namespace

lc::Result<lc::UniqueFd> requestAttach(const Store& store, const std::string& id) {
    return request(store, id, "attach\n");
}

lc::Result<lc::UniqueFd> requestWait(const Store& store, const std::string& id) {
    return request(store, id, "wait\n");
}

std::optional<int> readExitLine(int fd) {
    std::string line;
    char c;
    for (;;) {
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        if (c == '\n') break;
        line += c;
    }
    if (!line.starts_with("exit ")) return std::nullopt;
    return std::atoi(line.c_str() + 5);
}

lc::Result<lc::UniqueFd> receiveFd(int sock) {
    char byte;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) return lc::errnoError("recvmsg");
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (n == 0 || !c || c->cmsg_type != SCM_RIGHTS) return lc::fail(EIO, "no console received");
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return lc::UniqueFd(fd);
}

lc::Result<lc::UniqueFd> requestConsole(const Store& store, const std::string& id) {
    auto s = request(store, id, "console\n");
    if (!s) return s;
    return receiveFd(s->get());
}

std::optional<int> waitExit(const Store& store, const std::string& id, int timeoutMs) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    auto left = [&] {
        if (timeoutMs < 0) return -1;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        return ms < 0 ? 0 : static_cast<int>(ms);
    };
    if (auto e = store.readExit(id)) return e->code;
    if (auto s = requestWait(store, id)) {
        pollfd p{s->get(), POLLIN, 0};
        int r;
        do r = ::poll(&p, 1, left()); while (r < 0 && errno == EINTR);
        if (r == 0) return std::nullopt;
        if (auto code = readExitLine(s->get())) return code;
    }
    // No supervisor (any more): the disk tells. Without a supervisor no exit is recorded:
    // once libcontainer sees the init gone (or the container was removed) the code is -1.
    for (;;) {
        if (auto e = store.readExit(id)) return e->code;
        if (!store.supervisorPid(id)) {
            if (auto e = store.readExit(id)) return e->code;
            auto m = store.readMeta(id);
            if (!m) return -1;
            std::string st = store.status(*m).state;
            if (st != "running" && st != "paused" && st != "created") return -1;
        }
        if (timeoutMs >= 0 && left() == 0) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace mgr
