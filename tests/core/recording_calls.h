// A recording fake of lc::sys::ProcessCalls for unprivileged tests: every call is appended
// to `log` (which may be shared with the rootfs fake, tests/rootfs/fake_syscalls.h, so that
// one log shows the whole order), and nothing happens. `failOn` names a call (the first word
// of its line) that fails with `failErrno`.
#pragma once

#include <linux/capability.h>
#include <linux/filter.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "sys/process_calls.h"

namespace lc::test {

class RecordingCalls final : public sys::ProcessCalls {
public:
    explicit RecordingCalls(std::vector<std::string>& log) : log(log) {}

    std::vector<std::string>& log;
    std::string failOn;
    int failErrno = EPERM;
    pid_t clonePid = 4242;         // clone3's answer (0: continue as the child)
    pid_t siblingPid = 4242;       // cloneSibling's answer (0: continue as the child)
    int setgroupsDeniedAnswer = 0; // what /proc/self/setgroups says (1: deny)
    // PR_CAPBSET_READ answers "present" for every capability up to this one, so that
    // dropBounding drops each capability not kept; consecutive drops share one log line
    // ("prctl CAPBSET_DROP 0,1,5").
    int lastCap = 40;

    pid_t clone3(uint64_t flags, int cgroupFd, int* pidfd) override {
        if (rec("clone3 " + hex(flags) + " cgroup=" + std::to_string(cgroupFd)) < 0) return -1;
        *pidfd = 99;
        return clonePid;
    }
    pid_t cloneSibling(int* pidfd) override {
        if (rec("clone") < 0) return -1;
        *pidfd = 99;
        return siblingPid;
    }
    int setns(int fd, int nstype) override { return rec("setns " + std::to_string(fd) + " " + std::to_string(nstype)); }
    int unshare(int flags) override { return rec("unshare " + hex(static_cast<unsigned>(flags))); }
    int fchdir(int fd) override { return rec("fchdir " + std::to_string(fd)); }
    int chroot(const char* path) override { return rec(std::string("chroot ") + path); }
    int chdir(const char* path) override { return rec(std::string("chdir ") + path); }
    int setsid() override { return rec("setsid"); }
    int sethostname(const char* n, size_t len) override { return rec("sethostname " + std::string(n, len)); }
    int setdomainname(const char* n, size_t len) override { return rec("setdomainname " + std::string(n, len)); }
    long joinSessionKeyring(const char* name) override { return rec(std::string("keyctl_join ") + name); }
    int setresuid(uid_t r, uid_t e, uid_t s) override { return rec("setresuid " + ids(r, e, s)); }
    int setresgid(gid_t r, gid_t e, gid_t s) override { return rec("setresgid " + ids(r, e, s)); }
    int setgroups(size_t n, const gid_t* g) override {
        std::string line = "setgroups";
        for (size_t i = 0; i < n; ++i) line += " " + std::to_string(g[i]);
        return rec(line);
    }
    int setgroupsDenied() override { return setgroupsDeniedAnswer; }
    int prctl(int option, unsigned long a2, unsigned long a3, unsigned long, unsigned long) override {
        switch (option) {
            case PR_CAPBSET_READ:
                if (a2 > static_cast<unsigned long>(lastCap)) return errno = EINVAL, -1;
                return 1;
            case PR_CAPBSET_DROP:
                if (!log.empty() && log.back().rfind("prctl CAPBSET_DROP ", 0) == 0 && failOn != "prctl") {
                    log.back() += "," + std::to_string(a2);
                    return 0;
                }
                return rec("prctl CAPBSET_DROP " + std::to_string(a2));
            case PR_SET_KEEPCAPS: return rec("prctl KEEPCAPS " + std::to_string(a2));
            case PR_SET_NO_NEW_PRIVS: return rec("prctl NO_NEW_PRIVS");
            case PR_CAP_AMBIENT:
                if (a2 == PR_CAP_AMBIENT_CLEAR_ALL) return rec("prctl AMBIENT_CLEAR");
                return rec("prctl AMBIENT_RAISE " + std::to_string(a3));
            case PR_GET_DUMPABLE: return 1;
            case PR_SET_DUMPABLE: return rec("prctl DUMPABLE " + std::to_string(a2));
            default: return rec("prctl " + std::to_string(option));
        }
    }
    int capset(void* data) override {
        auto* d = static_cast<const __user_cap_data_struct*>(data);
        uint64_t eff = d[0].effective | (static_cast<uint64_t>(d[1].effective) << 32);
        uint64_t perm = d[0].permitted | (static_cast<uint64_t>(d[1].permitted) << 32);
        return rec("capset eff=" + hex(eff) + " perm=" + hex(perm));
    }
    long seccomp(unsigned, unsigned flags, void* args) override {
        const auto* prog = static_cast<const sock_fprog*>(args);
        return rec("seccomp flags=" + std::to_string(flags) + " len=" + std::to_string(prog->len));
    }
    int setNonDumpable() override { return rec("nondumpable"); }
    int close(int fd) override { return rec("close " + std::to_string(fd)); }
    int closeRange(unsigned a, unsigned b, unsigned flags) override {
        return rec("close_range " + std::to_string(a) + "-" + (b == ~0U ? std::string("max") : std::to_string(b)) +
                   (flags ? " cloexec" : ""));
    }
    int execve(const char* path, char* const argv[], char* const[]) override {
        std::string line = std::string("execve ") + path;
        for (int i = 0; argv[i]; ++i) line += std::string(" ") + argv[i];
        (void)rec(line);
        errno = ENOEXEC;  // a fake cannot become the program: the caller sees a failed execve
        return -1;
    }

    // The calls whose first word is `name`.
    size_t count(const std::string& name) const {
        size_t n = 0;
        for (const auto& l : log) n += l.rfind(name + " ", 0) == 0 || l == name;
        return n;
    }

private:
    static std::string hex(uint64_t v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
        return buf;
    }
    static std::string ids(unsigned r, unsigned e, unsigned s) {
        return std::to_string(r) + " " + std::to_string(e) + " " + std::to_string(s);
    }
    int rec(std::string line) {
        const std::string name = line.substr(0, line.find(' '));
        log.push_back(std::move(line));
        if (name == failOn) {
            errno = failErrno;
            return -1;
        }
        return 0;
    }
};

}  // namespace lc::test
