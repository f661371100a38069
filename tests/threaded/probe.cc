// What a second thread changes for the library's launch steps (issue 16 item 4): each line
// is one kernel fact that decides which lc:: calls need a single-threaded caller, checked
// with a second thread alive and, as the control, in a single-threaded child. Root only.
// Prints "ok: ..." per fact and exits non-zero when one does not hold.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <atomic>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace {

int failures = 0;

void expect(bool cond, const std::string& what) {
    std::printf("%s: %s\n", cond ? "ok" : "FAIL", what.c_str());
    if (!cond) ++failures;
}

// A child in new user, mount and time namespaces that waits until killed.
pid_t nsChild(int flags) {
    int p[2];
    if (::pipe(p) < 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        char ok = ::unshare(flags) == 0 ? 'y' : 'n';
        if (ok == 'y' && (flags & CLONE_NEWTIME) && ::fork() == 0) {  // a member of the time ns
            ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
            if (::getppid() == 1) ::_exit(0);
            for (;;) ::pause();
        }
        (void)!::write(p[1], &ok, 1);
        for (;;) ::pause();
    }
    ::close(p[1]);
    char ok = 'n';
    (void)!::read(p[0], &ok, 1);
    ::close(p[0]);
    if (ok != 'y') {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return -1;
    }
    return pid;
}

int openNs(pid_t pid, const char* name) {
    return ::open(("/proc/" + std::to_string(pid) + "/ns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
}

// setns into each namespace of `pid`: 0 or the errno of each call, in a child (so that a
// successful join changes nothing here), with `threaded` an extra thread alive in that child.
std::string joinResults(pid_t pid, bool threaded) {
    int p[2];
    if (::pipe(p) < 0) return "pipe";
    pid_t c = ::fork();
    if (c == 0) {
        std::atomic<bool> stop{false};
        std::thread t;
        if (threaded) t = std::thread([&] { while (!stop) ::usleep(1000); });
        std::string out;
        const std::pair<const char*, int> kinds[] = {{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"time", CLONE_NEWTIME}};
        for (auto [name, flag] : kinds) {
            int fd = openNs(pid, name);
            int r = fd < 0 ? -1 : ::setns(fd, flag);
            out += std::string(name) + "=" + (r == 0 ? "0" : ::strerrorname_np(errno)) + " ";
        }
        int u = ::unshare(CLONE_NEWNS);
        out += std::string("unshare-mnt=") + (u == 0 ? "0" : ::strerrorname_np(errno));
        int t2 = ::unshare(CLONE_NEWTIME);
        out += std::string(" unshare-time=") + (t2 == 0 ? "0" : ::strerrorname_np(errno));
        (void)!::write(p[1], out.data(), out.size());
        stop = true;
        if (t.joinable()) t.join();
        ::_exit(0);
    }
    ::close(p[1]);
    char buf[256] = {};
    (void)!::read(p[0], buf, sizeof buf - 1);
    ::close(p[0]);
    ::waitpid(c, nullptr, 0);
    return buf;
}

}  // namespace

int main() {
    if (::geteuid() != 0) {
        std::printf("SKIP: the probe needs root\n");
        return 77;
    }
    pid_t ns = nsChild(CLONE_NEWUSER);
    pid_t mt = nsChild(CLONE_NEWNS | CLONE_NEWTIME);
    if (ns < 0 || mt < 0) {
        std::printf("SKIP: cannot make user, mount or time namespaces here\n");
        return 77;
    }
    // One child holds the user namespace, the other the mount and time ones; ask each.
    std::string single = joinResults(ns, false), threaded = joinResults(ns, true);
    expect(single.find("user=0") == 0, "single-threaded: setns(CLONE_NEWUSER) succeeds (" + single + ")");
    expect(threaded.find("user=EINVAL") == 0, "threaded: setns(CLONE_NEWUSER) fails with EINVAL (" + threaded + ")");
    single = joinResults(mt, false), threaded = joinResults(mt, true);
    expect(single.find("mnt=0 time=0") != std::string::npos, "single-threaded: setns mnt and time succeed (" + single + ")");
    expect(threaded.find("mnt=EINVAL") != std::string::npos, "threaded: setns(CLONE_NEWNS) fails with EINVAL (" + threaded + ")");
    expect(threaded.find("time=EUSERS") != std::string::npos, "threaded: setns(CLONE_NEWTIME) fails with EUSERS (" + threaded + ")");
    expect(threaded.find("unshare-mnt=0") != std::string::npos, "threaded: unshare(CLONE_NEWNS) is per thread and works (" + threaded + ")");
    expect(threaded.find("unshare-time=0") != std::string::npos, "threaded: unshare(CLONE_NEWTIME) is per thread and works (" + threaded + ")");
    for (pid_t p : {ns, mt}) ::kill(p, SIGKILL), ::waitpid(p, nullptr, 0);

    // Process-wide state a launch step touches: dumpable (prctl), cwd and umask (CLONE_FS).
    int d0 = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    char before[4096];
    (void)!::getcwd(before, sizeof before);
    mode_t m0 = ::umask(022);
    ::umask(m0);
    std::thread([] {
        ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void)!::chdir("/");
        ::umask(077);
    }).join();
    char after[4096];
    (void)!::getcwd(after, sizeof after);
    mode_t m1 = ::umask(m0);
    expect(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0, "PR_SET_DUMPABLE in one thread changes every thread's");
    expect(std::string(after) == "/" , std::string("chdir in one thread moves every thread (was ") + before + ")");
    expect(m1 == 077, "umask in one thread is every thread's");
    ::prctl(PR_SET_DUMPABLE, d0, 0, 0, 0);
    return failures ? 1 : 0;
}
