// Built without CRIU's RPC (no protoc, libprotobuf-lite or rpc.proto): checkpoint and restore
// say so.
#include "libcontainer/checkpoint.h"
#include "libcontainer/runtime.h"

namespace lc {

bool parseCriuCgroupsMode(const std::string& s, CriuCgroupsMode* out) {
    if (s == "soft") *out = CriuCgroupsMode::Soft;
    else if (s == "full") *out = CriuCgroupsMode::Full;
    else if (s == "strict") *out = CriuCgroupsMode::Strict;
    else if (s == "ignore") *out = CriuCgroupsMode::Ignore;
    else return false;
    return true;
}
bool criuUsable(const std::string&) { return false; }
Result<void> Container::checkpoint(const CheckpointOptions&) {
    return fail(ENOTSUP, "checkpoint: runc-cpp was built without CRIU support (protobuf-compiler, libprotobuf-dev, criu)");
}
Result<Container> Runtime::restore(const RestoreOptions&) {
    return fail(ENOTSUP, "restore: runc-cpp was built without CRIU support (protobuf-compiler, libprotobuf-dev, criu)");
}

}  // namespace lc
