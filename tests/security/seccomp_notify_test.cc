// sendSeccompListener: the payload the runtime spec describes, and a real listener that gets
// the notify fd from a filtered child and answers its syscall.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

#include <catch2/catch.hpp>

#include "child.h"
#include "libcontainer/unique_fd.h"
#include "seccomp_profiles.h"
#include "security/seccomp_notify.h"
#include "security/security.h"
#include "base/json.h"

using namespace lc;
using namespace lc::security;
using namespace lc::security::test;

namespace {

const std::string kState =
    R"({"ociVersion":"1.0.2","id":"c1","status":"running","pid":77,"bundle":"/b","annotations":{"a":"b"}})"
    "\n";

struct Listener {
    std::string dir, path;
    UniqueFd fd;
    Listener() {
        char tmpl[] = "/tmp/lc-notify-XXXXXX";
        if (!::mkdtemp(tmpl)) return;
        dir = tmpl;
        path = dir + "/listener.sock";
        fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, path.c_str());
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd.get(), 1) < 0) fd.reset();
    }
    ~Listener() {
        ::unlink(path.c_str());
        ::rmdir(dir.c_str());
    }
    // Accepts one connection and reads the message: payload until EOF, the fd from SCM_RIGHTS.
    bool receive(std::string* payload, UniqueFd* got) {
        pollfd p{fd.get(), POLLIN, 0};
        if (::poll(&p, 1, 10000) != 1) return false;
        UniqueFd conn(::accept4(fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!conn) return false;
        for (;;) {
            char buf[4096];
            alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))]{};
            iovec iov{buf, sizeof buf};
            msghdr mh{};
            mh.msg_iov = &iov;
            mh.msg_iovlen = 1;
            mh.msg_control = ctl;
            mh.msg_controllen = sizeof ctl;
            ssize_t n = ::recvmsg(conn.get(), &mh, MSG_CMSG_CLOEXEC);
            if (n < 0) return false;
            if (n == 0) return true;
            payload->append(buf, static_cast<size_t>(n));
            for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                    int f;
                    std::memcpy(&f, CMSG_DATA(c), sizeof f);
                    got->reset(f);
                }
            }
        }
    }
};

}  // namespace

TEST_CASE("seccomp listener payload: ociVersion, fds, pid, metadata and the state", "[security]") {
    auto p = seccompListenerPayload("meta \"data\"", kState, 4321);
    REQUIRE(p);
    auto doc = lc::json::Document::parseOwned(*p);
    REQUIRE(doc);
    lc::json::Value r = doc->root();
    CHECK(r.getString("ociVersion") == "1.0.2");
    CHECK(r.getInt("pid") == 4321);
    CHECK(r.getString("metadata") == "meta \"data\"");
    lc::json::Value fds = r["fds"];
    REQUIRE(fds.isArray());
    REQUIRE(fds.size() == 1);
    CHECK(fds.at(0).str() == "seccompFd");
    lc::json::Value st = r["state"];
    REQUIRE(st.isObject());
    CHECK(st.getString("id") == "c1");
    CHECK(st.getInt("pid") == 77);
    CHECK(st.getStringMap("annotations").at("a") == "b");

    auto noMeta = seccompListenerPayload("", kState, 1);
    REQUIRE(noMeta);
    CHECK(noMeta->find("metadata") == std::string::npos);
    CHECK(!seccompListenerPayload("", "not json", 1));
    CHECK(!seccompListenerPayload("", "[1]", 1));
}

TEST_CASE("seccomp listener: connection errors name the path", "[security]") {
    auto r = sendSeccompListener("/nonexistent/listener.sock", "", kState, 1, 0);
    REQUIRE(!r);
    CHECK(r.error().message().find("/nonexistent/listener.sock") != std::string::npos);
    // runc's words for an agent that cannot be reached, and for none at all
    auto c = connectSeccompListener("/nonexistent/listener.sock");
    REQUIRE(!c);
    CHECK(c.error().message() ==
          "failed to connect with seccomp agent specified in the seccomp profile: dial unix "
          "/nonexistent/listener.sock: connect: no such file or directory");
    auto none = connectSeccompListener("");
    REQUIRE(!none);
    CHECK(none.error().message().find("listenerPath is not set") != std::string::npos);
    CHECK(!connectSeccompListener(std::string(200, 'x')));
    CHECK(r.error().errnum() == ENOENT);
    CHECK(!sendSeccompListener("/tmp/x.sock", "", kState, 1, -1));
}

TEST_CASE("seccomp listener gets the notify fd and answers a blocked getppid", "[root][security]") {
    Listener l;
    REQUIRE(l.fd.valid());
    auto prog = compileSeccomp(profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_NOTIFY")}));
    REQUIRE(prog);
    REQUIRE(prog->notify);

    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(100);
        auto fd = loadSeccomp(*prog, lc::sys::realProcessCalls());
        if (!fd || *fd < 0) ::_exit(101);
        if (!sendSeccompListener(l.path, "the-metadata", kState, ::getpid(), *fd)) ::_exit(102);
        ::close(*fd);
        // Blocks until the listener answers; it answers 4242.
        ::_exit(::syscall(SYS_getppid) == 4242 ? 0 : 103);
    }
    std::string payload;
    UniqueFd notifyFd;
    bool received = l.receive(&payload, &notifyFd);
    bool answered = false;
    if (received && notifyFd) {
        pollfd p{notifyFd.get(), POLLIN, 0};
        if (::poll(&p, 1, 10000) == 1) {
            seccomp_notif req{};
            if (::ioctl(notifyFd.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
                CHECK(req.data.nr == SYS_getppid);
                CHECK(req.pid == static_cast<uint32_t>(pid));
                seccomp_notif_resp resp{};
                resp.id = req.id;
                resp.val = 4242;
                answered = ::ioctl(notifyFd.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
            }
        }
    }
    if (!answered) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(received);
    CHECK(notifyFd.valid());
    CHECK(answered);
    CHECK(exitedWith(status, 0));
    auto doc = lc::json::Document::parseOwned(payload);
    REQUIRE(doc);
    CHECK(doc->root().getString("metadata") == "the-metadata");
    CHECK(doc->root().getInt("pid") == pid);
    CHECK(doc->root()["state"].getString("status") == "running");
}

TEST_CASE("seccomp listener, two steps: connect first, send later; pid 0 takes the state's", "[root][security]") {
    Listener l;
    REQUIRE(l.fd.valid());
    auto sock = connectSeccompListener(l.path);
    REQUIRE(sock);
    // Any fd will do for the transfer itself.
    UniqueFd some(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(sendSeccompListener(sock->get(), "", kState, 0, some.get()));
    sock->reset();
    std::string payload;
    UniqueFd got;
    REQUIRE(l.receive(&payload, &got));
    CHECK(got.valid());
    auto doc = lc::json::Document::parseOwned(payload);
    REQUIRE(doc);
    CHECK(doc->root().getInt("pid") == 77);
    CHECK_FALSE(doc->root()["metadata"].exists());
}
