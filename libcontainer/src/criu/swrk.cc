#include "criu/swrk.h"

#include "libcontainer/checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace lc::criu {
namespace {

constexpr size_t kMaxMessage = 1 << 20;

bool executable(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

Result<std::string> findBinary(const std::string& criu) {
    if (criu.empty()) return fail(EINVAL, "criu: empty path");
    if (criu.find('/') != std::string::npos) {
        if (executable(criu)) return criu;
        return fail(ENOENT, "criu binary " + criu + " not found or not executable (is CRIU installed?)");
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t pos = 0;
    while (pos <= dirs.size()) {
        size_t end = dirs.find(':', pos);
        if (end == std::string::npos) end = dirs.size();
        std::string d = dirs.substr(pos, end - pos);
        if (!d.empty() && executable(d + "/" + criu)) return d + "/" + criu;
        pos = end + 1;
    }
    return fail(ENOENT, "exec: \"" + criu + "\": executable file not found in $PATH (is CRIU installed?)");
}

Result<Swrk> Swrk::start(const SpawnOptions& o) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return errnoError("criu: socketpair");
    UniqueFd ours(sv[0]), theirs(sv[1]);
    // Every source fd is first copied above the targets, so dup2 in the child never clobbers
    // a source that is still to be placed.
    std::vector<UniqueFd> held;
    auto hold = [&](int fd) -> int {
        if (fd < 0) return -1;
        int c = ::fcntl(fd, F_DUPFD_CLOEXEC, 64);
        if (c >= 0) held.emplace_back(c);
        return c;
    };
    int srcStdio[3];
    UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    for (int i = 0; i < 3; ++i) {
        srcStdio[i] = hold(o.stdio[i] >= 0 ? o.stdio[i] : devnull.get());
        if (srcStdio[i] < 0) return errnoError("criu: dup stdio");
    }
    int srcSock = hold(theirs.get());
    std::vector<int> srcExtra;
    for (int fd : o.extraFds) {
        srcExtra.push_back(hold(fd));
        if (srcExtra.back() < 0) return errnoError("criu: dup fd " + std::to_string(fd));
    }
    if (srcSock < 0) return errnoError("criu: dup socket");
    const std::string bin = o.binary;
    pid_t pid = ::fork();
    if (pid < 0) return errnoError("criu: fork");
    if (pid == 0) {
        ::signal(SIGPIPE, SIG_DFL);
        for (int i = 0; i < 3; ++i)
            if (::dup2(srcStdio[i], i) < 0) ::_exit(127);
        if (::dup2(srcSock, 3) < 0) ::_exit(127);
        for (size_t i = 0; i < srcExtra.size(); ++i)
            if (::dup2(srcExtra[i], static_cast<int>(4 + i)) < 0) ::_exit(127);
        const char* argv[] = {bin.c_str(), "swrk", "3", nullptr};
        ::execv(bin.c_str(), const_cast<char* const*>(argv));
        ::_exit(127);
    }
    return Swrk(pid, std::move(ours));
}

Swrk::Swrk(Swrk&& o) noexcept : pid_(std::exchange(o.pid_, -1)), sock_(std::move(o.sock_)) {}

Swrk::~Swrk() {
    if (pid_ > 0) {
        sock_.reset();
        ::kill(pid_, SIGKILL);
        int ws;
        while (::waitpid(pid_, &ws, 0) < 0 && errno == EINTR) {}
    }
}

int Swrk::finish() {
    sock_.reset();
    int ws = 0;
    if (pid_ > 0) {
        while (::waitpid(pid_, &ws, 0) < 0 && errno == EINTR) {}
        pid_ = -1;
    }
    return ws;
}

Result<void> Swrk::send(const criu_req& req) {
    std::string buf;
    if (!req.SerializeToString(&buf)) return fail(EINVAL, "criu: cannot encode the request");
    ssize_t n;
    do n = ::send(sock_.get(), buf.data(), buf.size(), MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    if (n < 0) return errnoError("criu: send request");
    return {};
}

Result<criu_resp> Swrk::recv(UniqueFd* fd) {
    std::string buf(kMaxMessage, '\0');
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    ssize_t n;
    do n = ::recvmsg(sock_.get(), &mh, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) return errnoError("criu: receive response");
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int got;
            std::memcpy(&got, CMSG_DATA(c), sizeof got);
            if (fd) fd->reset(got);
            else ::close(got);
        }
    }
    if (n == 0) return fail(EPIPE, "criu: unexpected end of the swrk connection (criu exited)");
    if (mh.msg_flags & MSG_TRUNC) return fail(EMSGSIZE, "criu: response too large");
    criu_resp resp;
    if (!resp.ParseFromArray(buf.data(), static_cast<int>(n))) return fail(EINVAL, "criu: cannot decode the response");
    return resp;
}

Result<criu_resp> Swrk::call(const criu_req& req, const NotifyFn& onNotify) {
    LC_TRY(send(req));
    for (;;) {
        UniqueFd fd;
        auto resp = recv(&fd);
        if (!resp) return resp;
        if (resp->type() != NOTIFY) return resp;
        Result<void> r = onNotify ? onNotify(resp->notify(), std::move(fd)) : Result<void>{};
        criu_req ack;
        ack.set_type(NOTIFY);
        ack.set_notify_success(r.has_value());
        LC_TRY(send(ack));
        if (!r) return std::unexpected(r.error());
    }
}

Result<int> version(const std::string& binary) {
    SpawnOptions so;
    so.binary = binary;
    auto sw = Swrk::start(so);
    if (!sw) return std::unexpected(sw.error());
    criu_req req;
    req.set_type(VERSION);
    auto resp = sw->call(req);
    sw->finish();
    if (!resp) return std::unexpected(resp.error().wrap("criu version"));
    if (!resp->success() || !resp->has_version())
        return fail(ENOTSUP, "criu " + binary + " does not answer VERSION requests (CRIU older than 3.0?)");
    const auto& v = resp->version();
    return v.major_number() * 10000 + v.minor_number() * 100 + (v.has_sublevel() ? v.sublevel() : 0);
}

Result<std::string> requireCriu(const std::string& criu) {
    auto bin = findBinary(criu);
    if (!bin) return bin;
    auto v = version(*bin);
    if (!v) return std::unexpected(v.error());
    if (*v < kMinVersion)
        return fail(ENOTSUP, "CRIU version " + std::to_string(*v) + " must be " + std::to_string(kMinVersion) +
                                 " or higher (" + *bin + ")");
    return bin;
}

const char* typeName(criu_req_type t) {
    switch (t) {
        case DUMP: return "DUMP";
        case RESTORE: return "RESTORE";
        case CHECK: return "CHECK";
        case PRE_DUMP: return "PRE_DUMP";
        case VERSION: return "VERSION";
        case FEATURE_CHECK: return "FEATURE_CHECK";
        default: return "EMPTY";
    }
}

}  // namespace lc::criu

namespace lc {

bool criuUsable(const std::string& criuPath) {
    auto bin = criu::findBinary(criuPath);
    if (!bin) return false;
    pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
        const char* argv[] = {bin->c_str(), "check", nullptr};
        ::execv(bin->c_str(), const_cast<char* const*>(argv));
        ::_exit(127);
    }
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

}  // namespace lc
