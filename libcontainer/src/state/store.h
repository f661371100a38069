// The on-disk state store: <root>/<id>/ per container, holding state.json (written by
// rename), config.json (the bundle's config as it was at create), and exec.fifo until start.
// Every command that changes a container holds an exclusive flock on its directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "state/record.h"

namespace lc::state {

inline constexpr const char* kStateFile = "state.json";
inline constexpr const char* kConfigFile = "config.json";
inline constexpr const char* kFifoFile = "exec.fifo";

// Checks a container id as runc does: [A-Za-z0-9_+.-]+, not "." or "..".
Result<void> validateId(const std::string& id);

class ContainerDir {
public:
    ContainerDir(std::string id, std::string path, UniqueFd fd)
        : id_(std::move(id)), path_(std::move(path)), fd_(std::move(fd)) {}
    const std::string& id() const { return id_; }
    const std::string& path() const { return path_; }
    int fd() const { return fd_.get(); }
    std::string file(const char* name) const { return path_ + "/" + name; }

    // state.json; ENOENT while a create has not finished (or crashed before writing it).
    Result<Record> readRecord() const;
    // state.json as far as it can be trusted: nullopt when it is missing (a create that has
    // not finished or died) or is no record at all (empty, truncated, garbage; *corrupt is
    // set then), so that such a container still shows (as stopped) and delete can clean up
    // from the saved config. Errors only when the file cannot be read.
    Result<std::optional<Record>> readRecordIfSound(bool* corrupt = nullptr) const;
    Result<void> writeRecord(const Record& r) const;
    bool hasFile(const char* name) const;
    // Removes the whole directory (the lock goes with the fd when this object dies).
    Result<void> remove() const;

private:
    std::string id_;
    std::string path_;
    UniqueFd fd_;  // O_DIRECTORY, flock'd when returned by lock()/create()
};

class Store {
public:
    explicit Store(std::string root) : root_(std::move(root)) {}
    const std::string& root() const { return root_; }

    // Makes <root>/<id> (root made 0700 when missing) and locks it; "container with id
    // exists" (EEXIST) when it is there.
    Result<ContainerDir> create(const std::string& id) const;
    // Opens and locks (exclusive) an existing container; ENOENT "container does not exist".
    Result<ContainerDir> lock(const std::string& id) const;
    // Opens without locking (for read-only commands: state, list, ps).
    Result<ContainerDir> open(const std::string& id) const;
    // Whether some process holds the lock of this dir now.
    static bool isLocked(const ContainerDir& d);
    // Ids of every container dir (sorted).
    Result<std::vector<std::string>> list() const;

private:
    std::string root_;
};

}  // namespace lc::state
