#include "namespaces/plan.h"

#include <fcntl.h>
#include <sched.h>

#include <algorithm>
#include <cstdio>

#include "util/fileutil.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace lc::namespaces {

int flagFor(const std::string& type) {
    if (type == "pid") return CLONE_NEWPID;
    if (type == "network") return CLONE_NEWNET;
    if (type == "mount") return CLONE_NEWNS;
    if (type == "ipc") return CLONE_NEWIPC;
    if (type == "uts") return CLONE_NEWUTS;
    if (type == "user") return CLONE_NEWUSER;
    if (type == "cgroup") return CLONE_NEWCGROUP;
    if (type == "time") return CLONE_NEWTIME;
    return 0;
}

const char* procName(int flag) {
    switch (flag) {
        case CLONE_NEWPID: return "pid";
        case CLONE_NEWNET: return "net";
        case CLONE_NEWNS: return "mnt";
        case CLONE_NEWIPC: return "ipc";
        case CLONE_NEWUTS: return "uts";
        case CLONE_NEWUSER: return "user";
        case CLONE_NEWCGROUP: return "cgroup";
        case CLONE_NEWTIME: return "time";
    }
    return "";
}

bool Plan::newUser() const { return newFlags & CLONE_NEWUSER; }
bool Plan::newPid() const { return newFlags & CLONE_NEWPID; }
bool Plan::joinsPid() const {
    return std::any_of(joins.begin(), joins.end(), [](const Join& j) { return j.flag == CLONE_NEWPID; });
}
bool Plan::hasPid() const { return newPid() || joinsPid(); }
bool Plan::hasMount() const {
    return (newFlags & CLONE_NEWNS) ||
           std::any_of(joins.begin(), joins.end(), [](const Join& j) { return j.flag == CLONE_NEWNS; });
}

static int joinRank(int flag) {
    // user first (it grants the rights for the rest), mount last (paths stop resolving).
    if (flag == CLONE_NEWUSER) return 0;
    if (flag == CLONE_NEWNS) return 2;
    return 1;
}

Result<Plan> plan(const spec::Linux& linux) {
    Plan p;
    int seen = 0;
    for (size_t i = 0; i < linux.namespaces.size(); ++i) {
        const auto& ns = linux.namespaces[i];
        int flag = flagFor(ns.type);
        std::string where = "linux.namespaces[" + std::to_string(i) + "]";
        if (!flag) return fail(EINVAL, where + ".type: unknown namespace type \"" + ns.type + "\"");
        if (seen & flag) return fail(EINVAL, where + ": duplicate namespace \"" + ns.type + "\"");
        seen |= flag;
        if (ns.path.empty()) p.newFlags |= flag;
        else p.joins.push_back({flag, ns.path});
    }
    std::stable_sort(p.joins.begin(), p.joins.end(),
                     [](const Join& a, const Join& b) { return joinRank(a.flag) < joinRank(b.flag); });
    return p;
}

std::string formatIdMap(const std::vector<spec::IdMapping>& maps) {
    std::string out;
    char line[96];
    for (const auto& m : maps) {
        std::snprintf(line, sizeof line, "%u %u %u\n", m.containerID, m.hostID, m.size);
        out += line;
    }
    return out;
}

Result<std::vector<UniqueFd>> openJoins(const Plan& p) {
    std::vector<UniqueFd> fds;
    for (const auto& j : p.joins) {
        int fd = ::open(j.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return errnoError(std::string("open ") + procName(j.flag) + " namespace " + j.path);
        fds.emplace_back(fd);
    }
    return fds;
}

}  // namespace lc::namespaces
