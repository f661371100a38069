// Model → JSON: the generator, the process/root/mounts/hooks part of config.json, State and
// the public toJson functions. The linux object lives in writer_linux.cc.
#include "spec/json.h"
#include "writer_detail.h"

namespace spec::detail {

void write(Writer& w, const Root& v) {
    w.beginObject();
    SPEC_PUT(path);
    SPEC_OPT(readonly);
    w.endObject();
}

void write(Writer& w, const IdMapping& v) {
    w.beginObject();
    SPEC_PUT(containerID);
    SPEC_PUT(hostID);
    SPEC_PUT(size);
    w.endObject();
}

void write(Writer& w, const Mount& v) {
    w.beginObject();
    SPEC_PUT(destination);
    SPEC_OPT(type);
    SPEC_OPT(source);
    SPEC_OPT(options);
    SPEC_OPT(uidMappings);
    SPEC_OPT(gidMappings);
    w.endObject();
}

void write(Writer& w, const User& v) {
    w.beginObject();
    SPEC_PUT(uid);
    SPEC_PUT(gid);
    SPEC_OPT(umask);
    SPEC_OPT(additionalGids);
    SPEC_OPT(username);
    w.endObject();
}

void write(Writer& w, const Box& v) {
    w.beginObject();
    SPEC_PUT(height);
    SPEC_PUT(width);
    w.endObject();
}

void write(Writer& w, const Capabilities& v) {
    w.beginObject();
    SPEC_OPT(bounding);
    SPEC_OPT(effective);
    SPEC_OPT(inheritable);
    SPEC_OPT(permitted);
    SPEC_OPT(ambient);
    w.endObject();
}

void write(Writer& w, const Rlimit& v) {
    w.beginObject();
    SPEC_PUT(type);
    SPEC_PUT(hard);
    SPEC_PUT(soft);
    w.endObject();
}

void write(Writer& w, const IoPriority& v) {
    w.beginObject();
    field(w, "class", v.klass);
    SPEC_PUT(priority);
    w.endObject();
}

void write(Writer& w, const Scheduler& v) {
    w.beginObject();
    SPEC_PUT(policy);
    SPEC_OPT(nice);
    SPEC_OPT(priority);
    SPEC_OPT(flags);
    SPEC_OPT(runtime);
    SPEC_OPT(deadline);
    SPEC_OPT(period);
    w.endObject();
}

void write(Writer& w, const Process& v) {
    w.beginObject();
    SPEC_OPT(terminal);
    SPEC_OPT(consoleSize);
    SPEC_PUT(user);
    SPEC_OPT(args);
    SPEC_OPT(commandLine);
    SPEC_OPT(env);
    SPEC_PUT(cwd);
    SPEC_OPT(capabilities);
    SPEC_OPT(rlimits);
    SPEC_OPT(noNewPrivileges);
    SPEC_OPT(apparmorProfile);
    SPEC_OPT(oomScoreAdj);
    SPEC_OPT(scheduler);
    SPEC_OPT(selinuxLabel);
    SPEC_OPT(ioPriority);
    w.endObject();
}

void write(Writer& w, const Hook& v) {
    w.beginObject();
    SPEC_PUT(path);
    SPEC_OPT(args);
    SPEC_OPT(env);
    SPEC_OPT(timeout);
    w.endObject();
}

void write(Writer& w, const Hooks& v) {
    w.beginObject();
    SPEC_OPT(prestart);
    SPEC_OPT(createRuntime);
    SPEC_OPT(createContainer);
    SPEC_OPT(startContainer);
    SPEC_OPT(poststart);
    SPEC_OPT(poststop);
    w.endObject();
}

void write(Writer& w, const Spec& v) {
    w.beginObject();
    SPEC_PUT(ociVersion);
    SPEC_OPT(process);
    SPEC_OPT(root);
    SPEC_OPT(hostname);
    SPEC_OPT(domainname);
    SPEC_OPT(mounts);
    SPEC_OPT(hooks);
    SPEC_OPT(annotations);
    SPEC_OPT(linux);
    w.endObject();
}

void write(Writer& w, const State& v) {
    w.beginObject();
    SPEC_PUT(ociVersion);
    SPEC_PUT(id);
    SPEC_PUT(pid);
    SPEC_PUT(status);
    SPEC_PUT(bundle);
    SPEC_PUT(rootfs);
    SPEC_PUT(created);
    SPEC_PUT(owner);
    SPEC_OPT(annotations);
    w.endObject();
}

namespace {

template <typename T>
std::string render(const T& v, bool pretty) {
    Writer w(pretty);
    write(w, v);
    return w.text();
}

}  // namespace
}  // namespace spec::detail

namespace spec {

std::string toJson(const Spec& s, bool pretty) { return detail::render(s, pretty); }
std::string toJson(const Process& p, bool pretty) { return detail::render(p, pretty); }
std::string toJson(const Resources& r, bool pretty) { return detail::render(r, pretty); }
std::string toJson(const State& st, bool pretty) { return detail::render(st, pretty); }
std::string toJson(const Seccomp& sc, bool pretty) { return detail::render(sc, pretty); }

}  // namespace spec
