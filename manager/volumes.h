// Volumes (issue 17 part 3): -v HOST:CTR[:ro|rw], -v NAME:CTR, --tmpfs CTR[:OPTS],
// --mount type=bind|volume|tmpfs,..., and named volumes under <root>/volumes/<name>/_data
// (volume create/ls/rm/inspect).
#pragma once

#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"
#include "store.h"

namespace mgr {

struct MountRequest {
    std::string type;      // bind, volume, tmpfs
    std::string source;    // host path (bind) or volume name
    std::string target;    // absolute path in the container
    bool readonly = false;
    bool createSource = false;  // -v makes a missing host dir, --mount refuses it (as docker)
    std::vector<std::string> tmpfsOptions;
};

lc::Result<MountRequest> parseVolumeFlag(const std::string& v);
lc::Result<MountRequest> parseMountFlag(const std::string& v);
lc::Result<MountRequest> parseTmpfsFlag(const std::string& v);

class Volumes {
public:
    explicit Volumes(const Store& store) : store_(store), dir_(store.root() + "/volumes") {}
    static bool validName(const std::string& n);
    [[nodiscard]] std::string dataDir(const std::string& name) const { return dir_ + "/" + name + "/_data"; }
    // Creates the volume unless it exists; its data dir.
    lc::Result<std::string> create(const std::string& name) const;
    [[nodiscard]] std::vector<std::string> list() const;
    // Refuses a volume a container (any state) still names.
    lc::Result<void> remove(const std::string& name) const;

private:
    const Store& store_;
    std::string dir_;
};

// Adds the mounts to the spec (named volumes are created when missing); the volume names used.
lc::Result<std::vector<std::string>> applyMounts(const Store& store, spec::Spec& sp, const std::vector<MountRequest>& reqs);

int cmdVolume(const Store& store, const std::vector<std::string>& argv);

}  // namespace mgr
