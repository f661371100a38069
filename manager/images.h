// Images without a daemon (issue 17 part 1). Under <root>/images:
//   meta/<id>.json     {"id","tags":[...],"layers":[diff_id hex, bottom first],"size","loaded"}
//   configs/<id>       the image config as loaded; <id> is its sha256
//   layers/<diff_id>/  a layer unpacked once, overlayfs whiteouts in place; shared by images
//   tmp/               work dirs of a load in progress (removed whatever happens)
// A container of an image gets <root>/<cid>/rootfs: an overlay of the layers with its own
// upper and work dirs beside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "store.h"

namespace mgr {

struct ImageConfig {
    std::vector<std::string> entrypoint, cmd, env, exposedPorts;
    std::string workingDir, user, created;
};

struct Image {
    std::string id;                   // sha256 hex of the config
    std::vector<std::string> tags;    // name:tag
    std::vector<std::string> layers;  // diff_ids, bottom first
    int64_t size = 0, loaded = 0;
    ImageConfig config;
};

// "busybox" -> "busybox:latest"; "reg:5000/x" -> "reg:5000/x:latest"; digests are kept.
std::string normalizeRef(const std::string& ref);

class Images {
public:
    explicit Images(const Store& store) : store_(store), dir_(store.root() + "/images") {}

    // Loads a `docker save` archive or an OCI image layout (tar or directory); returns the
    // lines to print ("Loaded image: busybox:latest", or "Loaded image ID: sha256:..." when
    // untagged). Every blob is checked against its digest; on error nothing new is left.
    lc::Result<std::vector<std::string>> load(const std::string& path) const;
    lc::Result<std::vector<Image>> list() const;
    // By name[:tag], full id (with or without sha256:) or a unique id prefix.
    lc::Result<Image> resolve(const std::string& ref) const;
    // rmi: untags `ref` when it is one of several tags, else deletes the image and the layers
    // no other image uses. Refuses an image a container uses. The lines to print.
    lc::Result<std::vector<std::string>> remove(const std::string& ref, bool force) const;

    [[nodiscard]] std::string layerDir(const std::string& diffId) const { return dir_ + "/layers/" + diffId; }
    // Mounts the overlay rootfs of container `cid` at <cid dir>/rootfs.
    lc::Result<std::string> mountRootfs(const Image& img, const std::string& cid) const;

private:
    lc::Result<Image> readImage(const std::string& id) const;
    lc::Result<void> writeImage(const Image& img) const;
    // Unpacks a layer unless it is there; `created` gets the ones this call made.
    lc::Result<void> ensureLayer(const std::string& tarPath, const std::string& diffId, const std::string& blobDigest,
                                 int64_t* size, std::vector<std::string>* created) const;
    lc::Result<std::vector<std::string>> loadDir(const std::string& dir) const;
    lc::Result<std::string> addImage(const std::string& configPath, const std::vector<std::string>& layerPaths,
                                     const std::vector<std::string>& layerDigests,
                                     const std::vector<std::string>& tags) const;
    const Store& store_;
    std::string dir_;
};

// Unmounts a container's overlay rootfs, if it has one (rm, --rm, a failed run).
void unmountRootfs(const Store& store, const std::string& cid);

}  // namespace mgr
