#include "state/record.h"

#include "util/json.h"

namespace lc::state {

std::string encodeRecord(const Record& r) {
    util::JsonWriter w;
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
    auto doc = util::JsonDoc::parse(json);
    if (!doc) return std::unexpected(doc.error());
    const util::JsonValue* o = doc->root();
    if (!o->isObject()) return fail(EINVAL, "state: expected an object");
    Record r;
    r.id = util::getString(o, "id");
    r.pid = static_cast<pid_t>(util::getInt(o, "pid"));
    r.initStartTime = util::getUint(o, "initStartTime");
    r.bundle = util::getString(o, "bundle");
    r.rootfs = util::getString(o, "rootfs");
    r.created = util::getString(o, "created");
    r.ociVersion = util::getString(o, "ociVersion");
    r.owner = util::getString(o, "owner");
    r.ownPidNs = util::getBool(o, "ownPidNs");
    r.annotations = util::getStringMap(o, "annotations");
    r.cgroupPaths = util::getStringMap(o, "cgroupPaths");
    if (r.id.empty() || r.pid <= 0) return fail(EINVAL, "state: missing id or pid");
    return r;
}

}  // namespace lc::state
