// Model → JSON for the `linux` object.
#include "writer_detail.h"

namespace spec::detail {

void write(Writer& w, const Namespace& v) {
    w.beginObject();
    SPEC_PUT(type);
    SPEC_OPT(path);
    w.endObject();
}

void write(Writer& w, const Device& v) {
    w.beginObject();
    SPEC_PUT(path);
    SPEC_PUT(type);
    SPEC_PUT(major);
    SPEC_PUT(minor);
    SPEC_OPT(fileMode);
    SPEC_OPT(uid);
    SPEC_OPT(gid);
    w.endObject();
}

void write(Writer& w, const DeviceCgroup& v) {
    w.beginObject();
    SPEC_PUT(allow);
    SPEC_OPT(type);
    SPEC_OPT(major);
    SPEC_OPT(minor);
    SPEC_OPT(access);
    w.endObject();
}

void write(Writer& w, const Memory& v) {
    w.beginObject();
    SPEC_OPT(limit);
    SPEC_OPT(reservation);
    SPEC_OPT(swap);
    SPEC_OPT(kernel);
    SPEC_OPT(kernelTCP);
    SPEC_OPT(swappiness);
    SPEC_OPT(disableOOMKiller);
    SPEC_OPT(useHierarchy);
    SPEC_OPT(checkBeforeUpdate);
    w.endObject();
}

void write(Writer& w, const Cpu& v) {
    w.beginObject();
    SPEC_OPT(shares);
    SPEC_OPT(quota);
    SPEC_OPT(burst);
    SPEC_OPT(period);
    SPEC_OPT(realtimeRuntime);
    SPEC_OPT(realtimePeriod);
    SPEC_OPT(cpus);
    SPEC_OPT(mems);
    SPEC_OPT(idle);
    w.endObject();
}

void write(Writer& w, const Pids& v) {
    w.beginObject();
    SPEC_PUT(limit);
    w.endObject();
}

void write(Writer& w, const WeightDevice& v) {
    w.beginObject();
    SPEC_PUT(major);
    SPEC_PUT(minor);
    SPEC_OPT(weight);
    SPEC_OPT(leafWeight);
    w.endObject();
}

void write(Writer& w, const ThrottleDevice& v) {
    w.beginObject();
    SPEC_PUT(major);
    SPEC_PUT(minor);
    SPEC_PUT(rate);
    w.endObject();
}

void write(Writer& w, const BlockIO& v) {
    w.beginObject();
    SPEC_OPT(weight);
    SPEC_OPT(leafWeight);
    SPEC_OPT(weightDevice);
    SPEC_OPT(throttleReadBpsDevice);
    SPEC_OPT(throttleWriteBpsDevice);
    SPEC_OPT(throttleReadIOPSDevice);
    SPEC_OPT(throttleWriteIOPSDevice);
    w.endObject();
}

void write(Writer& w, const HugepageLimit& v) {
    w.beginObject();
    SPEC_PUT(pageSize);
    SPEC_PUT(limit);
    w.endObject();
}

void write(Writer& w, const InterfacePriority& v) {
    w.beginObject();
    SPEC_PUT(name);
    SPEC_PUT(priority);
    w.endObject();
}

void write(Writer& w, const Network& v) {
    w.beginObject();
    SPEC_OPT(classID);
    SPEC_OPT(priorities);
    w.endObject();
}

void write(Writer& w, const Rdma& v) {
    w.beginObject();
    SPEC_OPT(hcaHandles);
    SPEC_OPT(hcaObjects);
    w.endObject();
}

void write(Writer& w, const Resources& v) {
    w.beginObject();
    SPEC_OPT(devices);
    SPEC_OPT(memory);
    SPEC_OPT(cpu);
    SPEC_OPT(pids);
    SPEC_OPT(blockIO);
    SPEC_OPT(hugepageLimits);
    SPEC_OPT(network);
    SPEC_OPT(rdma);
    SPEC_OPT(unified);
    w.endObject();
}

void write(Writer& w, const SeccompArg& v) {
    w.beginObject();
    SPEC_PUT(index);
    SPEC_PUT(value);
    SPEC_OPT(valueTwo);
    SPEC_PUT(op);
    w.endObject();
}

void write(Writer& w, const SeccompSyscall& v) {
    w.beginObject();
    SPEC_PUT(names);
    SPEC_PUT(action);
    SPEC_OPT(errnoRet);
    SPEC_OPT(args);
    w.endObject();
}

void write(Writer& w, const Seccomp& v) {
    w.beginObject();
    SPEC_PUT(defaultAction);
    SPEC_OPT(defaultErrnoRet);
    SPEC_OPT(architectures);
    SPEC_OPT(flags);
    SPEC_OPT(listenerPath);
    SPEC_OPT(listenerMetadata);
    SPEC_OPT(syscalls);
    w.endObject();
}

void write(Writer& w, const TimeOffset& v) {
    w.beginObject();
    SPEC_OPT(secs);
    SPEC_OPT(nanosecs);
    w.endObject();
}

void write(Writer& w, const Personality& v) {
    w.beginObject();
    SPEC_PUT(domain);
    SPEC_OPT(flags);
    w.endObject();
}

void write(Writer& w, const IntelRdt& v) {
    w.beginObject();
    SPEC_OPT(closID);
    SPEC_OPT(l3CacheSchema);
    SPEC_OPT(memBwSchema);
    SPEC_OPT(enableCMT);
    SPEC_OPT(enableMBM);
    w.endObject();
}

void write(Writer& w, const Linux& v) {
    w.beginObject();
    SPEC_OPT(uidMappings);
    SPEC_OPT(gidMappings);
    SPEC_OPT(sysctl);
    SPEC_OPT(resources);
    SPEC_OPT(cgroupsPath);
    SPEC_OPT(namespaces);
    SPEC_OPT(devices);
    SPEC_OPT(seccomp);
    SPEC_OPT(rootfsPropagation);
    SPEC_OPT(maskedPaths);
    SPEC_OPT(readonlyPaths);
    SPEC_OPT(mountLabel);
    SPEC_OPT(intelRdt);
    SPEC_OPT(personality);
    SPEC_OPT(timeOffsets);
    w.endObject();
}

}  // namespace spec::detail
