#include "spec/defaults.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

namespace spec {
namespace {

Mount mount(std::string dest, std::string type, std::string source,
            std::vector<std::string> options) {
    Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

Process defaultProcess() {
    Process p;
    p.terminal = true;
    p.args = {"sh"};
    p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    p.cwd = "/";
    const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    Capabilities c;
    c.bounding = caps;
    c.effective = caps;
    c.permitted = caps;
    p.capabilities = std::move(c);
    p.rlimits = {Rlimit{"RLIMIT_NOFILE", 1024, 1024}};
    p.noNewPrivileges = true;
    return p;
}

std::vector<Mount> defaultMounts() {
    return {
        mount("/proc", "proc", "proc", {}),
        mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/dev/pts", "devpts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mount("/dev/shm", "tmpfs", "shm",
              {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
    };
}

Linux defaultLinux() {
    Linux l;
    Resources res;
    res.devices = {DeviceCgroup{false, "", std::nullopt, std::nullopt, "rwm"}};
    l.resources = std::move(res);
    for (const char* t : {"pid", "network", "ipc", "uts", "mount"})
        l.namespaces.push_back(Namespace{t, ""});
    l.maskedPaths = {
        "/proc/acpi",          "/proc/asound",       "/proc/kcore",       "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list",   "/proc/timer_stats", "/proc/sched_debug",
        "/sys/firmware",       "/proc/scsi",         "/sys/devices/virtual/powercap",
    };
    l.readonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    return l;
}

void makeRootless(Spec& s) {
    Linux& l = *s.linux;
    std::erase_if(l.namespaces,
                  [](const Namespace& ns) { return ns.type == "network" || ns.type == "user"; });
    l.namespaces.push_back(Namespace{"user", ""});
    l.uidMappings = {IdMapping{0, static_cast<uint32_t>(::geteuid()), 1}};
    l.gidMappings = {IdMapping{0, static_cast<uint32_t>(::getegid()), 1}};
    // Without cgroup delegation there is nothing the container may set.
    l.resources.reset();

    for (Mount& m : s.mounts) {
        if (m.destination == "/sys") {
            m = mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
            continue;
        }
        // Only the container's root is mapped, so ids like gid=5 (tty) cannot be used.
        std::erase_if(m.options, [](const std::string& o) {
            return o.starts_with("uid=") || o.starts_with("gid=");
        });
    }
}

}  // namespace

Spec defaultSpec(bool rootless) {
    Spec s;
    s.ociVersion = kOciVersion;
    s.process = defaultProcess();
    s.root = Root{"rootfs", true};
    s.hostname = "runc";
    s.mounts = defaultMounts();
    s.linux = defaultLinux();
    if (rootless) makeRootless(s);
    return s;
}

}  // namespace spec
