// The OCI runtime-spec model (Linux part, versions 1.0 to 1.2): plain structs whose field
// names follow the JSON 1:1. Optional JSON fields are std::optional so that "absent" and
// "zero" stay distinct, as they are in the spec (e.g. memory.swap, process.oomScoreAdj).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spec {

struct Root {
    std::string path;
    bool readonly = false;
};

struct IdMapping {
    uint32_t containerID = 0;
    uint32_t hostID = 0;
    uint32_t size = 0;
};

struct Mount {
    std::string destination;
    std::string type;    // may be empty (bind mounts)
    std::string source;  // may be empty
    std::vector<std::string> options;
    std::vector<IdMapping> uidMappings;  // idmapped mounts (1.2)
    std::vector<IdMapping> gidMappings;
};

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additionalGids;
    std::string username;  // windows only; accepted and ignored
};

struct Box {
    uint32_t height = 0;
    uint32_t width = 0;
};

struct Capabilities {
    std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE"
    uint64_t hard = 0;
    uint64_t soft = 0;
};

struct IoPriority {
    std::string klass;  // JSON "class": IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE
    int32_t priority = 0;
};

struct Scheduler {
    std::string policy;  // SCHED_OTHER, SCHED_FIFO, ...
    std::optional<int32_t> nice;
    std::optional<int32_t> priority;
    std::vector<std::string> flags;
    std::optional<uint64_t> runtime, deadline, period;
};

struct Process {
    bool terminal = false;
    std::optional<Box> consoleSize;
    User user;
    std::vector<std::string> args;
    std::string commandLine;  // windows only
    std::vector<std::string> env;
    std::string cwd;
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool noNewPrivileges = false;
    std::string apparmorProfile;
    std::optional<int> oomScoreAdj;
    std::string selinuxLabel;
    std::optional<IoPriority> ioPriority;
    std::optional<Scheduler> scheduler;
};

struct Hook {
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int> timeout;  // seconds, > 0
};

struct Hooks {
    std::vector<Hook> prestart, createRuntime, createContainer, startContainer, poststart, poststop;
};

struct Namespace {
    std::string type;  // pid network mount ipc uts user cgroup time
    std::string path;  // empty: create a new one
};

struct Device {
    std::string type;  // c, b, u, p
    std::string path;
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint32_t> fileMode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
};

struct DeviceCgroup {
    bool allow = false;
    std::string type;  // a, c, b; empty = all
    std::optional<int64_t> major;
    std::optional<int64_t> minor;
    std::string access;  // rwm subset
};

struct Memory {
    std::optional<int64_t> limit, reservation, swap, kernel, kernelTCP;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disableOOMKiller, useHierarchy, checkBeforeUpdate;
};

struct Cpu {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> burst;
    std::optional<uint64_t> period;
    std::optional<int64_t> realtimeRuntime;
    std::optional<uint64_t> realtimePeriod;
    std::string cpus, mems;
    std::optional<int64_t> idle;
};

struct Pids {
    int64_t limit = 0;
};

struct WeightDevice {
    int64_t major = 0, minor = 0;
    std::optional<uint16_t> weight, leafWeight;
};

struct ThrottleDevice {
    int64_t major = 0, minor = 0;
    uint64_t rate = 0;
};

struct BlockIO {
    std::optional<uint16_t> weight, leafWeight;
    std::vector<WeightDevice> weightDevice;
    std::vector<ThrottleDevice> throttleReadBpsDevice, throttleWriteBpsDevice,
        throttleReadIOPSDevice, throttleWriteIOPSDevice;
};

struct HugepageLimit {
    std::string pageSize;  // "2MB"
    uint64_t limit = 0;
};

struct InterfacePriority {
    std::string name;
    uint32_t priority = 0;
};

struct Network {
    std::optional<uint32_t> classID;
    std::vector<InterfacePriority> priorities;
};

struct Rdma {
    std::optional<uint32_t> hcaHandles, hcaObjects;
};

struct Resources {
    std::vector<DeviceCgroup> devices;
    std::optional<Memory> memory;
    std::optional<Cpu> cpu;
    std::optional<Pids> pids;
    std::optional<BlockIO> blockIO;
    std::vector<HugepageLimit> hugepageLimits;
    std::optional<Network> network;
    std::map<std::string, Rdma> rdma;
    std::map<std::string, std::string> unified;
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0;
    uint64_t valueTwo = 0;
    std::string op;  // SCMP_CMP_EQ, ...
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;
    std::optional<uint32_t> errnoRet;
    std::vector<SeccompArg> args;
};

struct Seccomp {
    std::string defaultAction;
    std::optional<uint32_t> defaultErrnoRet;
    std::vector<std::string> architectures;
    std::vector<std::string> flags;
    std::string listenerPath;
    std::string listenerMetadata;
    std::vector<SeccompSyscall> syscalls;
};

struct TimeOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;
};

struct Personality {
    std::string domain;  // LINUX, LINUX32
    std::vector<std::string> flags;
};

struct IntelRdt {
    std::string closID, l3CacheSchema, memBwSchema;
    std::optional<bool> enableCMT, enableMBM;
};

struct Linux {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uidMappings, gidMappings;
    std::map<std::string, TimeOffset> timeOffsets;  // "monotonic", "boottime"
    std::vector<Device> devices;
    std::string cgroupsPath;
    std::optional<Resources> resources;
    std::map<std::string, std::string> sysctl;
    std::optional<Seccomp> seccomp;
    std::string rootfsPropagation;
    std::vector<std::string> maskedPaths;
    std::vector<std::string> readonlyPaths;
    std::string mountLabel;
    std::optional<Personality> personality;
    std::optional<IntelRdt> intelRdt;
};

struct Spec {
    std::string ociVersion;
    std::optional<Root> root;
    std::vector<Mount> mounts;
    std::optional<Process> process;
    std::string hostname;
    std::string domainname;
    std::optional<Hooks> hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux;
};

// The state of a container, as `runc state` prints it and as hooks receive it on stdin.
struct State {
    std::string ociVersion;
    std::string id;
    std::string status;  // creating created running stopped paused
    int pid = 0;
    std::string bundle;
    std::string rootfs;
    std::string created;  // RFC 3339 with nanoseconds, UTC
    std::string owner;    // "" for root
    std::map<std::string, std::string> annotations;
};

}  // namespace spec
