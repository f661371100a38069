// config.json of the pod replay test's containers, laid out as containerd 1.6's CRI plugin
// writes them (annotations, namespaces by path, kubepods cgroups, the sandbox's files bound
// into the app containers). Facts about the CRI's specs, written here, not copied.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pod {

struct PodInfo {
    std::string sandboxId, name, uid, ns = "default";
    std::string cgroupParent;  // "/kubepods/besteffort/pod<uid>"
    std::string netnsPath;     // the pod's network namespace, pinned by "CNI" (the test)
    std::string sandboxDir;    // hosts, hostname, resolv.conf, shm of the sandbox
    bool sandboxOomAdj = true; // -998 (lowering it needs CAP_SYS_RESOURCE)
};

// The pause container: container-type sandbox, a new pid/ipc/uts/mount namespace, the pod's
// netns by path, read-only root, the pod's hostname, /dev/shm from the sandbox dir.
std::string sandboxConfig(const PodInfo& pod, const std::vector<std::string>& args);

struct AppSpec {
    std::string id, name;
    std::vector<std::string> args;
    bool sharePid = false;       // shareProcessNamespace: the sandbox's pid namespace by path
    long long memoryLimit = 0;   // bytes, 0 = none
};

// An app container of the pod: joins the sandbox's net (netns path), ipc and uts (and pid
// when shared) namespaces of sandboxPid, its own cgroup under the pod cgroup.
std::string appConfig(const PodInfo& pod, const AppSpec& app, pid_t sandboxPid);

}  // namespace pod
