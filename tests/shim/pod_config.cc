#include "pod_config.h"

namespace pod {

namespace {

std::string q(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string strings(const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + q(v[i]);
    return out + "]";
}

const std::vector<std::string> kDefaultCaps = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",   "CAP_FOWNER",           "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",   "CAP_SETFCAP",          "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};

std::string caps(const std::vector<std::string>& c) {
    std::string s = strings(c);
    return "{\"bounding\":" + s + ",\"effective\":" + s + ",\"permitted\":" + s + "}";
}

// proc, /dev, devpts, mqueue, sysfs: the CRI's defaults for every container
std::string baseMounts() {
    return R"({"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},)"
           R"({"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},)"
           R"({"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},)"
           R"({"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},)"
           R"({"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]})";
}

std::string bindMount(const std::string& dst, const std::string& src, bool ro) {
    return R"({"destination":)" + q(dst) + R"(,"type":"bind","source":)" + q(src) +
           R"(,"options":["rbind","rprivate",)" + (ro ? std::string("\"ro\"") : std::string("\"rw\"")) + "]}";
}

std::string podAnnotations(const PodInfo& pod) {
    return "\"io.kubernetes.cri.sandbox-id\":" + q(pod.sandboxId) + ",\"io.kubernetes.cri.sandbox-name\":" +
           q(pod.name) + ",\"io.kubernetes.cri.sandbox-namespace\":" + q(pod.ns) +
           ",\"io.kubernetes.cri.sandbox-uid\":" + q(pod.uid);
}

const char* kMasked =
    R"(["/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"])";
const char* kReadonly = R"(["/proc/asound","/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"])";

}  // namespace

std::string sandboxConfig(const PodInfo& pod, const std::vector<std::string>& args) {
    // the pause image's user 65535, oom_score_adj -998, no capabilities and no masked paths
    // (the CRI drops the default security settings for the sandbox), cpu shares 2 (BestEffort)
    return R"({"ociVersion":"1.0.2-dev","process":{"user":{"uid":65535,"gid":65535},"args":)" + strings(args) +
           R"(,"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"cwd":"/",)"
           R"("capabilities":{},"noNewPrivileges":true)" + (pod.sandboxOomAdj ? ",\"oomScoreAdj\":-998" : "") + "},"
           R"("root":{"path":"rootfs","readonly":true},"hostname":)" + q(pod.name) + R"(,"mounts":[)" + baseMounts() +
           "," + bindMount("/dev/shm", pod.sandboxDir + "/shm", false) + R"(],"annotations":{)" +
           R"("io.kubernetes.cri.container-type":"sandbox",)" + podAnnotations(pod) +
           R"(,"io.kubernetes.cri.sandbox-log-directory":"/var/log/pods/)" + pod.ns + "_" + pod.name + "_" + pod.uid +
           R"("},"linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}],"cpu":{"shares":2}},)"
           R"("cgroupsPath":)" + q(pod.cgroupParent + "/" + pod.sandboxId) +
           R"(,"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network","path":)" +
           q(pod.netnsPath) + "}]}}";
}

std::string appConfig(const PodInfo& pod, const AppSpec& app, pid_t sandboxPid) {
    std::string proc = "/proc/" + std::to_string(sandboxPid) + "/ns/";
    std::string pidNs = app.sharePid ? R"({"type":"pid","path":)" + q(proc + "pid") + "}" : R"({"type":"pid"})";
    std::string memory = app.memoryLimit > 0 ? ",\"memory\":{\"limit\":" + std::to_string(app.memoryLimit) + "}" : "";
    return R"({"ociVersion":"1.0.2-dev","process":{"user":{"uid":0,"gid":0},"args":)" + strings(app.args) +
           R"(,"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","HOSTNAME=)" + pod.name +
           R"("],"cwd":"/","capabilities":)" + caps(kDefaultCaps) + R"(,"oomScoreAdj":1000},)"
           R"("root":{"path":"rootfs"},"mounts":[)" + baseMounts() +
           R"(,{"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]},)" +
           bindMount("/etc/hosts", pod.sandboxDir + "/hosts", false) + "," +
           bindMount("/etc/hostname", pod.sandboxDir + "/hostname", false) + "," +
           bindMount("/etc/resolv.conf", pod.sandboxDir + "/resolv.conf", false) + "," +
           bindMount("/dev/shm", pod.sandboxDir + "/shm", false) + R"(],"annotations":{)" +
           R"("io.kubernetes.cri.container-type":"container","io.kubernetes.cri.container-name":)" + q(app.name) +
           R"(,"io.kubernetes.cri.image-name":"localhost/busybox:latest",)" + podAnnotations(pod) +
           R"(},"linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}],"cpu":{"shares":2})" + memory +
           R"(},"cgroupsPath":)" + q(pod.cgroupParent + "/" + app.id) + R"(,"namespaces":[)" + pidNs +
           R"(,{"type":"ipc","path":)" + q(proc + "ipc") + R"(},{"type":"uts","path":)" + q(proc + "uts") +
           R"(},{"type":"mount"},{"type":"network","path":)" + q(pod.netnsPath) + R"(}],"maskedPaths":)" + kMasked +
           R"(,"readonlyPaths":)" + kReadonly + "}}";
}

}  // namespace pod
