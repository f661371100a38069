// Namespaces: which are new (clone flags), which are joined (paths), and the id maps.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "spec/spec.h"

namespace lc::namespaces {

// CLONE_NEW* flag for an OCI namespace type; 0 for unknown types.
int flagFor(const std::string& type);
// The /proc/<pid>/ns/<name> entry name for a flag ("net", "mnt", ...).
const char* procName(int flag);

struct Join {
    int flag = 0;       // CLONE_NEW*
    std::string path;
};

struct Plan {
    int newFlags = 0;           // every namespace the container gets fresh
    std::vector<Join> joins;    // user first, then mount last (as setns needs)
    bool newUser() const;
    bool newPid() const;
    bool hasPid() const;        // new or joined: the container has its own pid ns view
    bool joinsPid() const;
    bool hasMount() const;
};

// Pure: spec namespaces -> plan. Errors name linux.namespaces[i].
Result<Plan> plan(const spec::Linux& linux);

// "0 1000 65536\n..." as uid_map wants it.
std::string formatIdMap(const std::vector<spec::IdMapping>& maps);
// Written by the parent once the child exists (idmap_helper.cc): uid_map, then gid_map, each
// directly, or through newuidmap/newgidmap when the kernel refuses the caller (EPERM: an
// unprivileged caller mapping more than its own id). setgroups is left "allow" except for an
// unprivileged caller mapping only its own gid, which the kernel allows only with "deny".
Result<void> writeIdMaps(pid_t pid, const spec::Linux& linux);

// Opens every joined namespace path (O_RDONLY|O_CLOEXEC), in plan order.
Result<std::vector<UniqueFd>> openJoins(const Plan& p);

}  // namespace lc::namespaces
