// Task.Checkpoint (issue 15): the container's processes dumped with CRIU into the path
// containerd gives (it makes the checkpoint's content from that directory), with the options
// of containerd's runc shim (containerd.runc.v1.CheckpointOptions): exit (else
// --leave-running), open_tcp, external_unix_sockets, terminal (shell job), file_locks,
// empty_namespaces, cgroups_mode, image_path, work_path.
#include <sched.h>

#include "runc_options.pb.h"
#include "task.h"
#include "task_shim.pb.h"

namespace shim {

void TaskService::checkpoint(const std::string& payload, ttrpc::Reply r) {
    containerd::task::v2::CheckpointTaskRequest req;
    if (!req.ParseFromString(payload)) return r.error(ttrpc::kInvalidArgument, "cannot parse CheckpointTaskRequest");
    Task* tk = task(req.id(), r);
    if (!tk) return;
    if (!tk->container) return r.error(ttrpc::kNotFound, "container " + tk->id + ": not created");
    lc::CheckpointOptions o;
    o.imagePath = req.path();
    bool exit = false;
    const std::string url = req.options().type_url();
    const std::string suffix = "containerd.runc.v1.CheckpointOptions";
    if (req.has_options() && url.size() >= suffix.size() && url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0) {
        containerd::runc::v1::CheckpointOptions co;
        if (!co.ParseFromString(req.options().value()))
            return r.error(ttrpc::kInvalidArgument, "cannot parse CheckpointOptions");
        exit = co.exit();
        o.tcpEstablished = co.open_tcp();
        o.extUnixSk = co.external_unix_sockets();
        o.shellJob = co.terminal();
        o.fileLocks = co.file_locks();
        for (const auto& ns : co.empty_namespaces())
            if (ns == "network") o.emptyNs |= CLONE_NEWNET;
        if (!co.cgroups_mode().empty() && !lc::parseCriuCgroupsMode(co.cgroups_mode(), &o.cgroupsMode))
            return r.error(ttrpc::kInvalidArgument, "invalid cgroups mode " + co.cgroups_mode());
        if (!co.image_path().empty()) o.imagePath = co.image_path();
        o.workPath = co.work_path();
    }
    if (o.imagePath.empty()) return r.error(ttrpc::kInvalidArgument, "checkpoint: no image path");
    o.leaveRunning = !exit;
    // The init exits under CRIU when !leaveRunning: the reaper reports it as usual.
    if (auto c = tk->container->checkpoint(o); !c) return r.error(ttrpc::kUnknown, c.error().message());
    r.ok("");
}

}  // namespace shim
