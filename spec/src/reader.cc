// JSON → model: scalars, paths, the process/root/mounts/hooks part of config.json, State,
// and the public parse functions. The linux object lives in reader_linux.cc.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.h"
#include "base/unique_fd.h"
#include "reader_detail.h"
#include "spec/json.h"

namespace spec::detail {

std::string Path::str() const {
    if (step == Step::Root) return {};
    std::string s = parent ? parent->str() : std::string();
    switch (step) {
        case Step::Member:
            if (!s.empty()) s += '.';
            s += key;
            break;
        case Step::Index:
            s += '[';
            s += std::to_string(index);
            s += ']';
            break;
        case Step::MapKey:
            // Map keys often contain dots (sysctl, annotations), so quote them.
            s += "[\"";
            s += key;
            s += "\"]";
            break;
        case Step::Root:
            break;
    }
    return s;
}

bool Reader::fail(const Path& p, std::string_view problem) {
    if (error.empty()) {
        error = p.str();
        if (error.empty()) error = "json";
        error += ": ";
        error += problem;
    }
    return false;
}

bool read(Reader& r, const Node& n, const Path& p, std::string& out) {
    if (n.kind != Kind::String) return r.fail(p, "expected string");
    out.assign(n.text);
    return true;
}

bool read(Reader& r, const Node& n, const Path& p, bool& out) {
    if (n.kind != Kind::Bool) return r.fail(p, "expected boolean");
    out = n.boolean;
    return true;
}

// JSON numbers with a fraction or exponent are not integers, even when the value is whole
// (Go's decoder rejects 1.0 and 1e3 for integer fields too).
bool isIntegerText(std::string_view t) {
    return t.find_first_of(".eE") == std::string_view::npos;
}

bool outOfRange(Reader& r, const Node& n, const Path& p, const char* type) {
    std::string msg = "value ";
    msg += n.text;
    msg += " out of range for ";
    msg += type;
    return r.fail(p, msg);
}

bool read(Reader& r, const Node& n, const Path& p, Root& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(path);
        SPEC_FIELD(readonly);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, IdMapping& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(containerID);
        SPEC_FIELD(hostID);
        SPEC_FIELD(size);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Mount& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(destination);
        SPEC_FIELD(type);
        SPEC_FIELD(source);
        SPEC_FIELD(options);
        SPEC_FIELD(uidMappings);
        SPEC_FIELD(gidMappings);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, User& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(uid);
        SPEC_FIELD(gid);
        SPEC_FIELD(umask);
        SPEC_FIELD(additionalGids);
        SPEC_FIELD(username);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Box& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(height);
        SPEC_FIELD(width);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Capabilities& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(bounding);
        SPEC_FIELD(effective);
        SPEC_FIELD(inheritable);
        SPEC_FIELD(permitted);
        SPEC_FIELD(ambient);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Rlimit& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(type);
        SPEC_FIELD(hard);
        SPEC_FIELD(soft);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, IoPriority& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        if (k == "class") return read(r, v, vp, out.klass);
        SPEC_FIELD(priority);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Scheduler& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(policy);
        SPEC_FIELD(nice);
        SPEC_FIELD(priority);
        SPEC_FIELD(flags);
        SPEC_FIELD(runtime);
        SPEC_FIELD(deadline);
        SPEC_FIELD(period);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Process& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(terminal);
        SPEC_FIELD(consoleSize);
        SPEC_FIELD(user);
        SPEC_FIELD(args);
        SPEC_FIELD(commandLine);
        SPEC_FIELD(env);
        SPEC_FIELD(cwd);
        SPEC_FIELD(capabilities);
        SPEC_FIELD(rlimits);
        SPEC_FIELD(noNewPrivileges);
        SPEC_FIELD(apparmorProfile);
        SPEC_FIELD(oomScoreAdj);
        SPEC_FIELD(selinuxLabel);
        SPEC_FIELD(ioPriority);
        SPEC_FIELD(scheduler);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Hook& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(path);
        SPEC_FIELD(args);
        SPEC_FIELD(env);
        SPEC_FIELD(timeout);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Hooks& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(prestart);
        SPEC_FIELD(createRuntime);
        SPEC_FIELD(createContainer);
        SPEC_FIELD(startContainer);
        SPEC_FIELD(poststart);
        SPEC_FIELD(poststop);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, Spec& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(ociVersion);
        SPEC_FIELD(root);
        SPEC_FIELD(mounts);
        SPEC_FIELD(process);
        SPEC_FIELD(hostname);
        SPEC_FIELD(domainname);
        SPEC_FIELD(hooks);
        SPEC_FIELD(annotations);
        SPEC_FIELD(linux);
        return true;
    });
}

bool read(Reader& r, const Node& n, const Path& p, State& out) {
    return forEachMember(r, n, p, [&](std::string_view k, const Node& v, const Path& vp) {
        SPEC_FIELD(ociVersion);
        SPEC_FIELD(id);
        SPEC_FIELD(status);
        SPEC_FIELD(pid);
        SPEC_FIELD(bundle);
        SPEC_FIELD(rootfs);
        SPEC_FIELD(created);
        SPEC_FIELD(owner);
        SPEC_FIELD(annotations);
        return true;
    });
}

namespace {

template <typename T>
lc::Result<T> parseAs(std::string_view json) {
    Document doc;
    LC_TRY(doc.parse(json));
    Reader r{doc, {}};
    T out{};
    if (!read(r, doc.rootNode(), Path{}, out)) return lc::fail(std::move(r.error));
    return out;
}

}  // namespace
}  // namespace spec::detail

namespace spec {

lc::Result<Spec> parseSpec(std::string_view json) { return detail::parseAs<Spec>(json); }
lc::Result<Process> parseProcess(std::string_view json) { return detail::parseAs<Process>(json); }
lc::Result<Resources> parseResources(std::string_view json) {
    return detail::parseAs<Resources>(json);
}
lc::Result<State> parseState(std::string_view json) { return detail::parseAs<State>(json); }


lc::Result<Spec> loadSpecFile(const std::string& path) {
    auto data = lc::util::readFile(path);
    if (!data) return std::unexpected(data.error());
    auto s = parseSpec(*data);
    if (!s) return std::unexpected(s.error().wrap("parse " + path));
    return s;
}

lc::Result<Process> loadProcessFile(const std::string& path) {
    auto data = lc::util::readFile(path);
    if (!data) return std::unexpected(data.error());
    auto p = parseProcess(*data);
    if (!p) return std::unexpected(p.error().wrap("parse " + path));
    return p;
}

}  // namespace spec
