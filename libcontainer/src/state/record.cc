#include "state/record.h"

#include "base/json.h"

namespace lc::state {

std::string encodeRecord(const Record& r) {
    json::Writer w;
    w.beginObject();
    w.key("id").str(r.id);
    w.key("pid").num(r.pid);
    w.key("initStartTime").unum(r.initStartTime);
    w.key("bundle").str(r.bundle);
    w.key("rootfs").str(r.rootfs);
    w.key("created").str(r.created);
    w.key("ociVersion").str(r.ociVersion);
    w.key("owner").str(r.owner);
    w.key("ownPidNs").boolean(r.ownPidNs);
    w.key("annotations").stringMap(r.annotations);
    w.key("cgroupPaths").stringMap(r.cgroupPaths);
    w.endObject();
    return w.text();
}

Result<Record> decodeRecord(std::string_view json) {
    json::Document doc;
    LC_TRY(doc.parse(json, {.allowComments = true}));
    json::Value o = doc.root();
    if (!o.isObject()) return fail(EINVAL, "state: expected an object");
    Record r;
    r.id = o.getString("id");
    int64_t pid = o.getInt("pid");
    r.initStartTime = o.getUint("initStartTime");
    r.bundle = o.getString("bundle");
    r.rootfs = o.getString("rootfs");
    r.created = o.getString("created");
    r.ociVersion = o.getString("ociVersion");
    r.owner = o.getString("owner");
    r.ownPidNs = o.getBool("ownPidNs");
    r.annotations = o.getStringMap("annotations");
    r.cgroupPaths = o.getStringMap("cgroupPaths");
    if (pid > 0 && pid <= INT32_MAX) r.pid = static_cast<pid_t>(pid);
    if (r.id.empty() || r.pid <= 0) return fail(EINVAL, "state: missing id or pid");
    return r;
}

}  // namespace lc::state
