// JSON → model for the `linux` object: namespaces, devices, resources, seccomp, ...
#include "reader_detail.h"

namespace spec::detail {

bool read(Reader& r, const Node& n, const Path& p, Namespace& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(type);
        SPEC_FIELD(path);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Device& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(type);
        SPEC_FIELD(path);
        SPEC_FIELD(major);
        SPEC_FIELD(minor);
        SPEC_FIELD(fileMode);
        SPEC_FIELD(uid);
        SPEC_FIELD(gid);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, DeviceCgroup& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(allow);
        SPEC_FIELD(type);
        SPEC_FIELD(major);
        SPEC_FIELD(minor);
        SPEC_FIELD(access);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Memory& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(limit);
        SPEC_FIELD(reservation);
        SPEC_FIELD(swap);
        SPEC_FIELD(kernel);
        SPEC_FIELD(kernelTCP);
        SPEC_FIELD(swappiness);
        SPEC_FIELD(disableOOMKiller);
        SPEC_FIELD(useHierarchy);
        SPEC_FIELD(checkBeforeUpdate);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Cpu& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(shares);
        SPEC_FIELD(quota);
        SPEC_FIELD(burst);
        SPEC_FIELD(period);
        SPEC_FIELD(realtimeRuntime);
        SPEC_FIELD(realtimePeriod);
        SPEC_FIELD(cpus);
        SPEC_FIELD(mems);
        SPEC_FIELD(idle);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Pids& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(limit);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, WeightDevice& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(major);
        SPEC_FIELD(minor);
        SPEC_FIELD(weight);
        SPEC_FIELD(leafWeight);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, ThrottleDevice& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(major);
        SPEC_FIELD(minor);
        SPEC_FIELD(rate);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, BlockIO& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(weight);
        SPEC_FIELD(leafWeight);
        SPEC_FIELD(weightDevice);
        SPEC_FIELD(throttleReadBpsDevice);
        SPEC_FIELD(throttleWriteBpsDevice);
        SPEC_FIELD(throttleReadIOPSDevice);
        SPEC_FIELD(throttleWriteIOPSDevice);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, HugepageLimit& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(pageSize);
        SPEC_FIELD(limit);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, InterfacePriority& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(name);
        SPEC_FIELD(priority);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Network& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(classID);
        SPEC_FIELD(priorities);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Rdma& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(hcaHandles);
        SPEC_FIELD(hcaObjects);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Resources& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(devices);
        SPEC_FIELD(memory);
        SPEC_FIELD(cpu);
        SPEC_FIELD(pids);
        SPEC_FIELD(blockIO);
        SPEC_FIELD(hugepageLimits);
        SPEC_FIELD(network);
        SPEC_FIELD(rdma);
        SPEC_FIELD(unified);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, SeccompArg& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(index);
        SPEC_FIELD(value);
        SPEC_FIELD(valueTwo);
        SPEC_FIELD(op);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, SeccompSyscall& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(names);
        SPEC_FIELD(action);
        SPEC_FIELD(errnoRet);
        SPEC_FIELD(args);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Seccomp& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(defaultAction);
        SPEC_FIELD(defaultErrnoRet);
        SPEC_FIELD(architectures);
        SPEC_FIELD(flags);
        SPEC_FIELD(listenerPath);
        SPEC_FIELD(listenerMetadata);
        SPEC_FIELD(syscalls);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, TimeOffset& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(secs);
        SPEC_FIELD(nanosecs);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Personality& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(domain);
        SPEC_FIELD(flags);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, IntelRdt& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(closID);
        SPEC_FIELD(l3CacheSchema);
        SPEC_FIELD(memBwSchema);
        SPEC_FIELD(enableCMT);
        SPEC_FIELD(enableMBM);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Linux& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(namespaces);
        SPEC_FIELD(uidMappings);
        SPEC_FIELD(gidMappings);
        SPEC_FIELD(timeOffsets);
        SPEC_FIELD(devices);
        SPEC_FIELD(cgroupsPath);
        SPEC_FIELD(resources);
        SPEC_FIELD(sysctl);
        SPEC_FIELD(seccomp);
        SPEC_FIELD(rootfsPropagation);
        SPEC_FIELD(maskedPaths);
        SPEC_FIELD(readonlyPaths);
        SPEC_FIELD(mountLabel);
        SPEC_FIELD(personality);
        SPEC_FIELD(intelRdt);
        return true;
    });
}

}  // namespace spec::detail
