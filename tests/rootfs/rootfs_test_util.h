// Helpers for the rootfs tests: temporary trees and spec builders.
#pragma once

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "spec/spec.h"

namespace lc::test {

// A temporary directory (canonical path), removed with everything under it.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/rootfs-test-XXXXXX";
        if (::mkdtemp(tmpl)) {
            char real[PATH_MAX];
            path_ = ::realpath(tmpl, real) ? real : tmpl;
        }
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

private:
    std::string path_;
};

inline void mkdirs(const std::string& path, mode_t mode = 0755) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    ::chmod(path.c_str(), mode);
}

inline void writeFile(const std::string& path, const std::string& content, mode_t mode = 0644) {
    mkdirs(std::filesystem::path(path).parent_path());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return;
    (void)!::write(fd, content.data(), content.size());
    ::close(fd);
}

inline bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

inline spec::Mount mnt(std::string dest, std::string type, std::string source,
                       std::vector<std::string> options) {
    spec::Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

// The mounts `docker run` puts in a spec (tests/data/docker-run.json), with the three
// bind sources under `hostDir`.
inline spec::Spec dockerLikeSpec(const std::string& hostDir) {
    spec::Spec s;
    s.ociVersion = "1.0.2";
    s.root = spec::Root{"rootfs", false};
    s.mounts = {
        mnt("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
        mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mnt("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}),
        mnt("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mnt("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=67108864"}),
        mnt("/etc/resolv.conf", "bind", hostDir + "/resolv.conf", {"rbind", "rprivate"}),
        mnt("/etc/hostname", "bind", hostDir + "/hostname", {"rbind", "rprivate"}),
        mnt("/etc/hosts", "bind", hostDir + "/hosts", {"rbind", "rprivate"}),
    };
    spec::Linux lx;
    lx.maskedPaths = {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                      "/proc/sched_debug", "/proc/scsi", "/sys/firmware"};
    lx.readonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    s.linux = lx;
    return s;
}

}  // namespace lc::test
