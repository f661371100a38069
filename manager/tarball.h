// Layer and image archives through libarchive, digests through libcrypto.
#pragma once

#include <cstdint>
#include <string>

#include "libcontainer/error.h"

namespace mgr {

struct LayerDigests {
    std::string raw;           // sha256 hex of the file as stored (compressed or not)
    std::string uncompressed;  // sha256 hex of the tar stream: the layer's diff_id
    int64_t size = 0;          // bytes of the tar stream
};

// Both digests of a (possibly gzip/zstd/xz-compressed) tar file, in one pass over the file
// for each.
lc::Result<LayerDigests> digestLayer(const std::string& path);
lc::Result<std::string> sha256File(const std::string& path);
std::string sha256Hex(std::string_view data);

// Unpacks the tar (compressed or not) at `path` into the existing directory `dest`, which must
// be a path without symlinks. Entries are kept inside it: `..` and paths through symlinks are
// refused, absolute names are made relative. With `whiteouts`, OCI whiteouts become overlayfs
// ones (.wh.NAME -> a 0:0 char device NAME; .wh..wh..opq -> trusted.overlay.opaque=y on its
// directory) and trusted.overlay.* xattrs carried by the archive are dropped.
lc::Result<void> unpackTar(const std::string& path, const std::string& dest, bool whiteouts);

}  // namespace mgr
