// The real thing, as root: prepare/switchRoot/finalize in a forked child that has its own
// mount namespace; the child checks the result from inside and reports through a pipe.
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <catch2/catch.hpp>

#include "rootfs/rootfs.h"
#include "sys/syscalls.h"
#include "rootfs_test_util.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

using namespace lc;
using namespace lc::rootfs;
using lc::test::TempDir;

namespace {

bool isRoot() { return ::geteuid() == 0; }

// Runs `fn` in a forked child with a new mount namespace. fn returns "" when all is well,
// else what went wrong; that text is the result ("" = success).
std::string inChild(const std::function<std::string()>& fn) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return "pipe failed";
    pid_t pid = ::fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        ::close(p[0]);
        std::string out;
        if (::unshare(CLONE_NEWNS) < 0) out = std::string("unshare: ") + std::strerror(errno);
        else out = fn();
        (void)!::write(p[1], out.data(), out.size());
        ::_exit(out.empty() ? 0 : 1);
    }
    ::close(p[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (out.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        out = "child died, status " + std::to_string(status);
    return out;
}

// Collects failed expectations inside the child.
struct Checks {
    std::string failures;
    void expect(bool ok, const std::string& what) {
        if (!ok) failures += what + (errno ? std::string(" (errno: ") + std::strerror(errno) + ")" : "") + "\n";
        errno = 0;
    }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool createFails(const std::string& path, int err) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ::close(fd);
        return false;
    }
    bool ok = errno == err;
    errno = 0;
    return ok;
}

bool createWorks(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    (void)!::write(fd, "x", 1);
    ::close(fd);
    return true;
}

long fsType(const std::string& path) {
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 ? static_cast<long>(st.f_type) : -1;
}

bool emptyDir(const std::string& path) {
    DIR* d = ::opendir(path.c_str());
    if (!d) return false;
    int n = 0;
    while (auto* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) ++n;
    ::closedir(d);
    return n == 0;
}

// A minimal rootfs: busybox, /bin/sh, a few directories.
void makeRootfs(const std::string& rootfs) {
    test::mkdirs(rootfs + "/bin");
    test::mkdirs(rootfs + "/etc");
    test::mkdirs(rootfs + "/tmp", 01777);
    std::error_code ec;
    std::filesystem::copy_file("/bin/busybox", rootfs + "/bin/busybox", ec);
    ::chmod((rootfs + "/bin/busybox").c_str(), 0755);
    ::symlink("busybox", (rootfs + "/bin/sh").c_str());
}

// The container's cgroup directories: those of this process (the child inherits them).
void fillCgroupPaths(Config& cfg) {
    cfg.cgroupV2Only = fsType("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC;
    std::istringstream in(slurp("/proc/self/cgroup"));
    std::string line;
    while (std::getline(in, line)) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (path == "/") path.clear();
        if (ctrls.empty()) {
            std::string base = cfg.cgroupV2Only ? "/sys/fs/cgroup" : cfg.host.cgroupUnified;
            if (!base.empty() && test::exists(base + path)) cfg.cgroupPaths[""] = base + path;
            continue;
        }
        std::vector<std::string> list;
        std::stringstream ss(ctrls);
        for (std::string c; std::getline(ss, c, ',');) list.push_back(c);
        std::sort(list.begin(), list.end());
        for (const auto& h : cfg.host.cgroupV1)
            if (h.subsystems == list && test::exists(h.mountpoint + path))
                cfg.cgroupPaths[list[0]] = h.mountpoint + path;
    }
}

}  // namespace

TEST_CASE("a container root built for real", "[root][rootfs]") {
    if (!isRoot()) {
        WARN("not root: skipped");
        return;
    }
    TempDir t;
    const std::string rootfs = t / "rootfs";
    makeRootfs(rootfs);
    test::writeFile(rootfs + "/etc/secret.txt", "top secret\n");
    test::writeFile(rootfs + "/secret-dir/inside", "hidden\n");
    test::writeFile(t / "host-src/hello", "hi\n");
    test::writeFile(t / "host-file", "file\n");

    spec::Spec sp;
    sp.root = spec::Root{"rootfs", true};
    sp.mounts = {
        test::mnt("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
        test::mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        test::mnt("/dev/pts", "devpts", "devpts",
                  {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}),
        test::mnt("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        test::mnt("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        test::mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        test::mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}),
        test::mnt("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev"}),
        test::mnt("/data", "bind", "host-src", {"rbind", "rprivate"}),  // relative to the bundle
        test::mnt("/data-ro", "bind", t / "host-src", {"rbind", "ro"}),
        test::mnt("/etc/hostfile", "bind", t / "host-file", {"bind", "ro", "nosuid"}),
    };
    spec::Linux lx;
    lx.devices = {spec::Device{.type = "c", .path = "/dev/mynull", .major = 1, .minor = 3,
                               .fileMode = 0600, .uid = 1000, .gid = 1001},
                  spec::Device{.type = "p", .path = "/dev/myfifo"}};
    lx.maskedPaths = {"/proc/kcore", "/secret-dir", "/etc/secret.txt", "/does-not-exist"};
    lx.readonlyPaths = {"/proc/sys", "/proc/sysrq-trigger", "/not-there"};
    sp.linux = lx;

    Config cfg;
    cfg.spec = &sp;
    cfg.rootfs = rootfs;
    cfg.sys = &lc::sys::real();
    cfg.bundle = t.path();
    REQUIRE(resolve(cfg));
    fillCgroupPaths(cfg);
    const bool kcore = cfg.host.hasKcore;
    const std::string hostTmp = t.path();

    std::string result = inChild([&]() -> std::string {
        if (auto r = prepare(cfg); !r) return "prepare: " + r.error().message();
        if (auto r = switchRoot(cfg); !r) return "switchRoot: " + r.error().message();
        if (auto r = finalize(cfg); !r) return "finalize: " + r.error().message();
        Checks c;
        struct stat st {};
        c.expect(::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
                     minor(st.st_rdev) == 3 && (st.st_mode & 07777) == 0666,
                 "/dev/null is char 1:3 0666");
        c.expect(::stat("/dev/urandom", &st) == 0 && S_ISCHR(st.st_mode) && minor(st.st_rdev) == 9,
                 "/dev/urandom is char 1:9");
        c.expect(::stat("/dev/mynull", &st) == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 &&
                     st.st_uid == 1000 && st.st_gid == 1001,
                 "/dev/mynull 0600 1000:1001");
        c.expect(::stat("/dev/myfifo", &st) == 0 && S_ISFIFO(st.st_mode), "/dev/myfifo is a fifo");
        char link[256] = {};
        c.expect(::readlink("/dev/fd", link, sizeof link - 1) > 0 && std::string(link) == "/proc/self/fd",
                 "/dev/fd -> /proc/self/fd");
        std::memset(link, 0, sizeof link);
        c.expect(::readlink("/dev/ptmx", link, sizeof link - 1) > 0 && std::string(link) == "pts/ptmx",
                 "/dev/ptmx -> pts/ptmx");
        c.expect(fsType("/proc") == PROC_SUPER_MAGIC, "/proc is procfs");
        c.expect(fsType("/dev") == TMPFS_MAGIC, "/dev is a tmpfs");
        c.expect(fsType("/dev/pts") == DEVPTS_SUPER_MAGIC, "/dev/pts is devpts");
        c.expect(fsType("/dev/mqueue") == MQUEUE_MAGIC, "/dev/mqueue is mqueue");
        struct statvfs vfs {};
        c.expect(::statvfs("/sys", &vfs) == 0 && (vfs.f_flag & ST_RDONLY), "/sys is read-only");
        c.expect(fsType("/sys") == SYSFS_MAGIC, "/sys is sysfs");
        if (cfg.cgroupV2Only) {
            c.expect(fsType("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC, "/sys/fs/cgroup is cgroup2");
            c.expect(createFails("/sys/fs/cgroup/cgroup.procs", EROFS), "cgroup2 is read-only");
        } else if (cfg.cgroupPaths.count("memory")) {
            c.expect(fsType("/sys/fs/cgroup") == TMPFS_MAGIC, "/sys/fs/cgroup is a tmpfs");
            c.expect(fsType("/sys/fs/cgroup/memory") == CGROUP_SUPER_MAGIC, "/sys/fs/cgroup/memory is cgroup");
            c.expect(createFails("/sys/fs/cgroup/memory/cgroup.procs", EROFS), "cgroup v1 bind is read-only");
            c.expect(createFails("/sys/fs/cgroup/new", EROFS), "cgroup tmpfs is read-only");
        }
        c.expect(createFails("/data-ro/new", EROFS), "/data-ro is read-only");
        c.expect(slurp("/data-ro/hello") == "hi\n", "/data-ro shows the host dir");
        c.expect(createWorks("/data/new"), "/data is writable");
        c.expect(slurp("/etc/hostfile") == "file\n", "file bind mount");
        c.expect(::statvfs("/etc/hostfile", &vfs) == 0 && (vfs.f_flag & ST_RDONLY) && (vfs.f_flag & ST_NOSUID),
                 "/etc/hostfile is ro,nosuid");
        c.expect(createFails("/etc/new", EROFS), "the root is read-only");
        c.expect(createWorks("/tmp/new"), "/tmp is writable");
        c.expect(::stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777, "/tmp kept mode 1777");
        c.expect(createFails("/proc/sys/kernel/hostname", EROFS) ||
                     ::open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS,
                 "/proc/sys is read-only");
        errno = 0;
        c.expect(slurp("/etc/secret.txt").empty(), "masked file reads empty");
        c.expect(emptyDir("/secret-dir"), "masked directory is empty");
        c.expect(createFails("/secret-dir/x", EROFS), "masked directory is read-only");
        if (kcore) {
            c.expect(::stat("/proc/kcore", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
                     "/proc/kcore is /dev/null");
        }
        // The old root is gone: one "/" in the mount table, the host's temp dir unreachable.
        std::istringstream mi(slurp("/proc/self/mountinfo"));
        int roots = 0;
        for (std::string l; std::getline(mi, l);) {
            std::istringstream f(l);
            std::string id, parent, dev, root, mp;
            f >> id >> parent >> dev >> root >> mp;
            if (mp == "/") ++roots;
        }
        c.expect(roots == 1, "exactly one / mount (got " + std::to_string(roots) + ")");
        c.expect(!test::exists(hostTmp), "the host's " + hostTmp + " is not visible");
        errno = 0;
        // A program runs in it.
        pid_t pid = ::fork();
        if (pid == 0) {
            const char* argv[] = {"sh", "-c", "test -c /dev/null && echo ok > /tmp/from-sh", nullptr};
            ::execv("/bin/sh", const_cast<char* const*>(argv));
            ::_exit(127);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        c.expect(WIFEXITED(status) && WEXITSTATUS(status) == 0 && slurp("/tmp/from-sh") == "ok\n",
                 "/bin/sh runs inside");
        return c.failures;
    });
    INFO(result);
    CHECK(result.empty());
    // What was written through the rw bind landed in the host dir; /dev was a tmpfs.
    CHECK(test::exists(t / "host-src/new"));
    CHECK_FALSE(test::exists(t / "host-src/../rootfs/dev/null"));
    CHECK_FALSE(test::exists(rootfs + "/tmp/new"));
}

TEST_CASE("a symlinked destination pointing outside lands inside the rootfs", "[root][rootfs]") {
    if (!isRoot()) {
        WARN("not root: skipped");
        return;
    }
    TempDir t;
    TempDir outside;
    const std::string rootfs = t / "rootfs";
    makeRootfs(rootfs);
    test::mkdirs(outside / "host-dir");
    test::mkdirs(outside / "other");
    test::writeFile(t / "file", "content\n");
    ::symlink((outside / "host-dir").c_str(), (rootfs + "/evil").c_str());
    ::symlink((outside / "other").c_str(), (rootfs + "/evil2").c_str());

    spec::Spec sp;
    sp.root = spec::Root{"rootfs", false};
    sp.mounts = {test::mnt("/evil", "tmpfs", "tmpfs", {}),
                 test::mnt("/evil2/f", "bind", t / "file", {"bind"})};
    Config cfg;
    cfg.spec = &sp;
    cfg.rootfs = rootfs;
    cfg.sys = &lc::sys::real();
    REQUIRE(resolve(cfg));
    const std::string out = outside.path();

    std::string result = inChild([&]() -> std::string {
        if (auto r = prepare(cfg); !r) return "prepare: " + r.error().message();
        Checks c;
        c.expect(fsType(rootfs + out + "/host-dir") == TMPFS_MAGIC, "the tmpfs is inside the rootfs");
        struct stat a {}, b {};
        c.expect(::stat((out + "/host-dir").c_str(), &a) == 0 && ::stat(out.c_str(), &b) == 0 &&
                     a.st_dev == b.st_dev,
                 "the host directory is not a mount point");
        c.expect(slurp(rootfs + out + "/other/f") == "content\n", "the bind is inside the rootfs");
        c.expect(!test::exists(out + "/other/f"), "nothing was created on the host");
        return c.failures;
    });
    INFO(result);
    CHECK(result.empty());
    CHECK_FALSE(test::exists(outside / "other/f"));
}

TEST_CASE("tmpcopyup copies the covered directory into the tmpfs", "[root][rootfs]") {
    if (!isRoot()) {
        WARN("not root: skipped");
        return;
    }
    TempDir t;
    const std::string rootfs = t / "rootfs";
    makeRootfs(rootfs);
    test::writeFile(rootfs + "/opt/data/file", "content\n", 0640);
    test::writeFile(rootfs + "/opt/data/sub/deeper", "deep\n");
    ::symlink("file", (rootfs + "/opt/data/link").c_str());
    ::chown((rootfs + "/opt/data/file").c_str(), 123, 456);

    spec::Spec sp;
    sp.root = spec::Root{"rootfs", false};
    sp.mounts = {test::mnt("/opt/data", "tmpfs", "tmpfs", {"tmpcopyup", "nosuid"})};
    Config cfg;
    cfg.spec = &sp;
    cfg.rootfs = rootfs;
    cfg.sys = &lc::sys::real();
    REQUIRE(resolve(cfg));

    std::string result = inChild([&]() -> std::string {
        if (auto r = prepare(cfg); !r) return "prepare: " + r.error().message();
        Checks c;
        const std::string d = rootfs + "/opt/data";
        c.expect(fsType(d) == TMPFS_MAGIC, "a tmpfs");
        c.expect(slurp(d + "/file") == "content\n", "file copied");
        c.expect(slurp(d + "/sub/deeper") == "deep\n", "subdirectory copied");
        struct stat st {};
        c.expect(::stat((d + "/file").c_str(), &st) == 0 && st.st_uid == 123 && st.st_gid == 456 &&
                     (st.st_mode & 07777) == 0640,
                 "owner and mode kept");
        char link[64] = {};
        c.expect(::readlink((d + "/link").c_str(), link, sizeof link - 1) == 4, "symlink copied");
        c.expect(createWorks(d + "/new"), "writable");
        return c.failures;
    });
    INFO(result);
    CHECK(result.empty());
    CHECK_FALSE(test::exists(rootfs + "/opt/data/new"));
}

TEST_CASE("--no-pivot: MS_MOVE and chroot", "[root][rootfs]") {
    if (!isRoot()) {
        WARN("not root: skipped");
        return;
    }
    TempDir t;
    const std::string rootfs = t / "rootfs";
    makeRootfs(rootfs);
    spec::Spec sp;
    sp.root = spec::Root{"rootfs", false};
    sp.mounts = {test::mnt("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
                 test::mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"})};
    Config cfg;
    cfg.spec = &sp;
    cfg.rootfs = rootfs;
    cfg.sys = &lc::sys::real();
    cfg.noPivot = true;
    REQUIRE(resolve(cfg));
    const std::string hostTmp = t.path();

    std::string result = inChild([&]() -> std::string {
        if (auto r = prepare(cfg); !r) return "prepare: " + r.error().message();
        if (auto r = switchRoot(cfg); !r) return "switchRoot: " + r.error().message();
        if (auto r = finalize(cfg); !r) return "finalize: " + r.error().message();
        Checks c;
        c.expect(fsType("/proc") == PROC_SUPER_MAGIC, "/proc is procfs");
        c.expect(test::exists("/bin/busybox"), "in the rootfs");
        c.expect(!test::exists(hostTmp), "host dir not visible");
        struct stat st {};
        c.expect(::stat("/dev/zero", &st) == 0 && S_ISCHR(st.st_mode), "/dev/zero");
        return c.failures;
    });
    INFO(result);
    CHECK(result.empty());
}

namespace {

// Like inChild, but `fn` runs in a new user namespace (uids/gids 0-65535 mapped to the
// same host ids by the parent) and a mount namespace it owns. Before that, still in the
// initial user namespace, `prep` runs in a private mount namespace: mounts it makes are
// "locked" for the user namespace, as a host's mounts are for a rootless container.
std::string inUserNsChild(const std::function<std::string()>& prep,
                          const std::function<std::string()>& fn) {
    int up[2], down[2], res[2];
    if (::pipe2(up, O_CLOEXEC) < 0 || ::pipe2(down, O_CLOEXEC) < 0 || ::pipe2(res, O_CLOEXEC) < 0)
        return "pipe failed";
    pid_t pid = ::fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        std::string out;
        char b = 0;
        if (::unshare(CLONE_NEWNS) < 0) out = std::string("unshare(NEWNS): ") + std::strerror(errno);
        if (out.empty()) out = prep();
        if (out.empty() && ::unshare(CLONE_NEWUSER) < 0)
            out = std::string("unshare(NEWUSER): ") + std::strerror(errno);
        (void)!::write(up[1], "x", 1);
        if (out.empty() && ::read(down[0], &b, 1) != 1) out = "no maps from the parent";
        if (out.empty() && b != 'y') out = "the parent could not write the id maps";
        if (out.empty() && ::unshare(CLONE_NEWNS) < 0)
            out = std::string("unshare(NEWNS) in the user namespace: ") + std::strerror(errno);
        if (out.empty()) out = fn();
        (void)!::write(res[1], out.data(), out.size());
        ::_exit(out.empty() ? 0 : 1);
    }
    ::close(up[1]);
    ::close(down[0]);
    ::close(res[1]);
    char b = 0;
    bool ok = ::read(up[0], &b, 1) == 1;
    for (const char* map : {"uid_map", "gid_map"}) {
        std::string path = "/proc/" + std::to_string(pid) + "/" + map;
        int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        ok = ok && fd >= 0 && ::write(fd, "0 0 65536\n", 10) == 10;
        if (fd >= 0) ::close(fd);
    }
    (void)!::write(down[1], ok ? "y" : "n", 1);
    ::close(down[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(res[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(res[0]);
    ::close(up[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (out.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        out = "child died, status " + std::to_string(status);
    return out;
}

}  // namespace

TEST_CASE("a container root in a user namespace", "[root][rootfs]") {
    if (!isRoot()) {
        WARN("not root: skipped");
        return;
    }
    TempDir t;
    const std::string rootfs = t / "rootfs";
    makeRootfs(rootfs);
    test::writeFile(rootfs + "/etc/secret.txt", "top secret\n");
    test::mkdirs(t / "locked");

    spec::Spec sp;
    sp.root = spec::Root{"rootfs", true};
    sp.mounts = {
        test::mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        test::mnt("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666"}),
        test::mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        test::mnt("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev"}),
        test::mnt("/locked", "bind", t / "locked", {"rbind", "ro"}),
    };
    spec::Linux lx;
    lx.maskedPaths = {"/etc/secret.txt"};
    lx.readonlyPaths = {"/tmp"};
    sp.linux = lx;

    Config cfg;
    cfg.spec = &sp;
    cfg.rootfs = rootfs;
    cfg.sys = &lc::sys::real();
    cfg.inUserNs = true;
    REQUIRE(resolve(cfg));
    const std::string locked = t / "locked";

    std::string result = inUserNsChild(
        [&]() -> std::string {
            if (::mount("", "/", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) return "rslave /";
            if (::mount("tmpfs", locked.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0)
                return std::string("mount the locked tmpfs: ") + std::strerror(errno);
            return "";
        },
        [&]() -> std::string {
            if (auto r = prepare(cfg); !r) return "prepare: " + r.error().message();
            if (auto r = switchRoot(cfg); !r) return "switchRoot: " + r.error().message();
            if (auto r = finalize(cfg); !r) return "finalize: " + r.error().message();
            Checks c;
            struct stat st {};
            c.expect(::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
                     "/dev/null is the host's, bind-mounted");
            c.expect(fsType("/sys") == SYSFS_MAGIC, "/sys is (the host's) sysfs");
            struct statvfs vfs {};
            c.expect(::statvfs("/sys", &vfs) == 0 && (vfs.f_flag & ST_RDONLY), "/sys is read-only");
            c.expect(::statvfs("/sys/fs/cgroup", &vfs) == 0 && (vfs.f_flag & ST_RDONLY),
                     "submounts of /sys are read-only too");
            c.expect(createFails("/locked/x", EROFS), "/locked is read-only");
            c.expect(::statvfs("/locked", &vfs) == 0 && (vfs.f_flag & ST_NOSUID) && (vfs.f_flag & ST_NODEV),
                     "/locked kept its locked nosuid,nodev");
            c.expect(createFails("/etc/new", EROFS), "the root is read-only");
            c.expect(createFails("/tmp/new", EROFS), "/tmp made read-only");
            c.expect(slurp("/etc/secret.txt").empty(), "masked file reads empty");
            c.expect(fsType("/dev/pts") == DEVPTS_SUPER_MAGIC, "/dev/pts is devpts");
            return c.failures;
        });
    INFO(result);
    CHECK(result.empty());
}
