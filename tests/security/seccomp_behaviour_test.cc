// Seccomp filters loaded for real, each in a forked child (which sets no_new_privs first).
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include <catch2/catch.hpp>

#include "child.h"
#include "libcontainer/unique_fd.h"
#include "seccomp_profiles.h"
#include "security/security.h"

using namespace lc::security;
using namespace lc::security::test;

namespace {

// Child exit codes.
constexpr int kOk = 0, kNnpFailed = 100, kLoadFailed = 101, kWrongResult = 102, kUnexpectedFd = 103;

int enterFilter(const SeccompProgram& prog) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return kNnpFailed;
    auto fd = loadSeccomp(prog, lc::sys::realProcessCalls());
    if (!fd) return kLoadFailed;
    if (*fd != -1) return kUnexpectedFd;
    return kOk;
}

// errno of getpgid(pid) (0 on success). getpgid has no side effects, so it is a good probe.
int getpgidErrno(long pid) {
    errno = 0;
    long rc = ::syscall(SYS_getpgid, pid);
    return rc < 0 ? errno : 0;
}

constexpr long kNoSuchPid = 5000000;  // above PID_MAX_LIMIT (2^22): getpgid gives ESRCH
constexpr int kRuleErrno = 99;        // EADDRNOTAVAIL: nothing else returns it for getpgid

SeccompProgram compileOrFail(const spec::Seccomp& sc) {
    auto prog = compileSeccomp(sc);
    if (!prog) FAIL(prog.error().message());
    return *prog;
}

}  // namespace

TEST_CASE("an ERRNO rule denies mkdir with EPERM", "[root][security]") {
    auto prog = compileOrFail(profile("SCMP_ACT_ALLOW", {rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO")}));
    std::string dir = "/tmp/lc-security-mkdir-" + std::to_string(::getpid());
    int status = runInChild([&] {
        if (int rc = enterFilter(prog)) return rc;
        if (::mkdir(dir.c_str(), 0700) == 0) return 1;
        return errno == EPERM ? kOk : 2;
    });
    ::rmdir(dir.c_str());
    CHECK(exitedWith(status, kOk));
}

TEST_CASE("errnoRet and defaultErrnoRet are returned", "[root][security]") {
    auto sc = profile("SCMP_ACT_ERRNO",
                      {rule({"exit_group", "exit", "rt_sigreturn"}, "SCMP_ACT_ALLOW"),
                       rule({"getpgid"}, "SCMP_ACT_ERRNO", {}, kRuleErrno)});
    sc.defaultErrnoRet = EXDEV;
    auto prog = compileOrFail(sc);
    int status = runInChild([&] {
        if (int rc = enterFilter(prog)) return rc;
        if (getpgidErrno(0) != kRuleErrno) return 1;
        errno = 0;
        if (::syscall(SYS_getppid) != -1 || errno != EXDEV) return 2;
        return kOk;
    });
    CHECK(exitedWith(status, kOk));
}

TEST_CASE("SCMP_ACT_KILL as default kills with SIGSYS", "[root][security]") {
    for (const char* action : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD"}) {
        INFO(action);
        auto prog = compileOrFail(profile(action, {rule({"exit_group", "exit"}, "SCMP_ACT_ALLOW")}));
        int status = runInChild([&] {
            if (int rc = enterFilter(prog)) return rc;
            ::syscall(SYS_getppid);
            return kWrongResult;
        });
        CHECK(killedBy(status, SIGSYS));
    }
}

TEST_CASE("SCMP_ACT_TRAP raises SIGSYS", "[root][security]") {
    auto prog = compileOrFail(profile("SCMP_ACT_ALLOW", {rule({"getpgid"}, "SCMP_ACT_TRAP")}));
    int status = runInChild([&] {
        if (int rc = enterFilter(prog)) return rc;
        getpgidErrno(0);
        return kWrongResult;
    });
    CHECK(killedBy(status, SIGSYS));
}

TEST_CASE("conditions on the same argument are ORed, on different ones ANDed", "[root][security]") {
    // runc semantics: two conditions on arg 0 become two rules.
    auto orProg = compileOrFail(profile(
        "SCMP_ACT_ALLOW", {rule({"getpgid"}, "SCMP_ACT_ERRNO",
                                {arg(0, "SCMP_CMP_EQ", kNoSuchPid), arg(0, "SCMP_CMP_EQ", kNoSuchPid + 1)}, kRuleErrno)}));
    int status = runInChild([&] {
        if (int rc = enterFilter(orProg)) return rc;
        if (getpgidErrno(kNoSuchPid) != kRuleErrno) return 1;
        if (getpgidErrno(kNoSuchPid + 1) != kRuleErrno) return 2;
        if (getpgidErrno(kNoSuchPid + 2) != ESRCH) return 3;
        if (getpgidErrno(0) != 0) return 4;
        return kOk;
    });
    CHECK(exitedWith(status, kOk));

    // getpriority(which, who): both conditions must hold.
    auto andProg = compileOrFail(profile(
        "SCMP_ACT_ALLOW", {rule({"getpriority"}, "SCMP_ACT_ERRNO",
                                {arg(0, "SCMP_CMP_EQ", PRIO_USER), arg(1, "SCMP_CMP_EQ", 54321)}, kRuleErrno)}));
    status = runInChild([&] {
        if (int rc = enterFilter(andProg)) return rc;
        auto prioErrno = [](long which, long who) {
            errno = 0;
            long rc = ::syscall(SYS_getpriority, which, who);
            return rc < 0 ? errno : 0;
        };
        if (prioErrno(PRIO_USER, 54321) != kRuleErrno) return 1;
        if (prioErrno(PRIO_USER, 0) == kRuleErrno) return 2;
        if (prioErrno(PRIO_PROCESS, 54321) == kRuleErrno) return 3;
        return kOk;
    });
    CHECK(exitedWith(status, kOk));
}

TEST_CASE("all seven comparison operators behave", "[root][security]") {
    struct Case {
        const char* op;
        uint64_t value, valueTwo;
        long matching, notMatching;
    };
    const Case cases[] = {
        {"SCMP_CMP_NE", 0, 0, kNoSuchPid, 0},
        {"SCMP_CMP_LT", 5, 0, 0, kNoSuchPid},
        {"SCMP_CMP_LE", 0, 0, 0, kNoSuchPid},
        {"SCMP_CMP_EQ", kNoSuchPid, 0, kNoSuchPid, 0},
        {"SCMP_CMP_GE", kNoSuchPid, 0, kNoSuchPid, 0},
        {"SCMP_CMP_GT", kNoSuchPid, 0, kNoSuchPid + 1, kNoSuchPid},
        {"SCMP_CMP_MASKED_EQ", 0xfff, 0x123, kNoSuchPid + 0x123 - (kNoSuchPid & 0xfff), kNoSuchPid},
    };
    for (const Case& c : cases) {
        INFO(c.op);
        auto prog = compileOrFail(profile(
            "SCMP_ACT_ALLOW", {rule({"getpgid"}, "SCMP_ACT_ERRNO", {arg(0, c.op, c.value, c.valueTwo)}, kRuleErrno)}));
        int status = runInChild([&] {
            if (int rc = enterFilter(prog)) return rc;
            if (getpgidErrno(c.matching) != kRuleErrno) return 1;
            if (getpgidErrno(c.notMatching) == kRuleErrno) return 2;
            return kOk;
        });
        CHECK(exitedWith(status, kOk));
    }
}

TEST_CASE("syscalls newer than the profile get ENOSYS", "[root][security]") {
#if defined(__x86_64__) || defined(__aarch64__)
    // The highest syscall named is gettid; getrandom is above it, getppid below it (on both
    // x86_64 and aarch64). Neither is listed.
    auto prog = compileOrFail(profile(
        "SCMP_ACT_ERRNO", {rule({"exit_group", "exit", "rt_sigreturn", "gettid"}, "SCMP_ACT_ALLOW")}, nativeArchs()));
    int status = runInChild([&] {
        if (int rc = enterFilter(prog)) return rc;
        char buf[4];
        errno = 0;
        if (::syscall(SYS_getrandom, buf, sizeof buf, 0) != -1 || errno != ENOSYS) return 1;
        errno = 0;
        if (::syscall(SYS_getppid) != -1 || errno != EPERM) return 2;
        if (::syscall(SYS_gettid) <= 0) return 3;
        return kOk;
    });
    CHECK(exitedWith(status, kOk));
#endif
}

TEST_CASE("SCMP_ACT_NOTIFY hands syscalls to a supervisor", "[root][security]") {
    auto prog = compileOrFail(profile("SCMP_ACT_ALLOW", {rule({"getpgid"}, "SCMP_ACT_NOTIFY")}));
    REQUIRE(prog.notify);
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    lc::UniqueFd parentEnd(sv[0]), childEnd(sv[1]);

    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        parentEnd.reset();
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(kNnpFailed);
        auto fd = loadSeccomp(prog, lc::sys::realProcessCalls());
        if (!fd || *fd < 0) ::_exit(kLoadFailed);
        // Hand the listener over (sendmsg is not notified).
        char byte = 'x';
        iovec iov{&byte, 1};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(cm), &*fd, sizeof(int));
        if (::sendmsg(childEnd.get(), &msg, 0) != 1) ::_exit(1);
        ::close(*fd);
        // Blocks until the supervisor answers.
        ::_exit(getpgidErrno(4242) == EXDEV ? kOk : kWrongResult);
    }
    childEnd.reset();

    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t got = ::recvmsg(parentEnd.get(), &msg, MSG_CMSG_CLOEXEC);
    lc::UniqueFd listener;
    if (got == 1) {
        cmsghdr* cm = CMSG_FIRSTHDR(&msg);
        if (cm && cm->cmsg_type == SCM_RIGHTS) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(cm), sizeof fd);
            listener.reset(fd);
        }
    }
    bool answered = false;
    if (listener) {
        pollfd pfd{listener.get(), POLLIN, 0};
        if (::poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN)) {
            seccomp_notif req{};
            if (::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
                CHECK(req.data.nr == SYS_getpgid);
                CHECK(req.data.args[0] == 4242);
                CHECK(req.pid == static_cast<uint32_t>(pid));
                seccomp_notif_resp resp{};
                resp.id = req.id;
                resp.error = -EXDEV;
                answered = ::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
            }
        }
    }
    if (!answered) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(listener.valid());
    CHECK(answered);
    CHECK(exitedWith(status, kOk));
}
