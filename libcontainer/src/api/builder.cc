#include "libcontainer/builder.h"

#include <algorithm>

#include "spec/defaults.h"
#include "spec/json.h"

namespace lc {

SpecBuilder::SpecBuilder() : spec_(spec::defaultSpec(false)) { spec_.process->terminal = false; }

SpecBuilder& SpecBuilder::error(std::string message) {
    if (!error_) error_ = Error{std::error_code(EINVAL, quietCategory()), std::move(message)};
    return *this;
}

SpecBuilder& SpecBuilder::rootfs(std::string path, bool readonly) {
    if (path.empty()) return error("rootfs: path must not be empty");
    spec_.root = spec::Root{std::move(path), readonly};
    return *this;
}

SpecBuilder& SpecBuilder::args(std::vector<std::string> argv) {
    if (argv.empty()) return error("args: must not be empty");
    spec_.process->args = std::move(argv);
    return *this;
}

void setEnv(std::vector<std::string>& env, const std::string& kv) {
    const std::string_view key(kv.data(), std::min(kv.find('='), kv.size()));
    auto same = [&](const std::string& e) { return std::string_view(e).substr(0, e.find('=')) == key; };
    if (auto it = std::find_if(env.begin(), env.end(), same); it != env.end()) *it = kv;
    else env.push_back(kv);
}

SpecBuilder& SpecBuilder::env(const std::string& kv) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return error("env: \"" + kv + "\" is not KEY=VALUE");
    setEnv(spec_.process->env, kv);
    return *this;
}

SpecBuilder& SpecBuilder::cwd(std::string dir) {
    if (dir.empty() || dir[0] != '/') return error("cwd: \"" + dir + "\" is not an absolute path");
    spec_.process->cwd = std::move(dir);
    return *this;
}

SpecBuilder& SpecBuilder::user(uint32_t uid, uint32_t gid) {
    spec_.process->user.uid = uid;
    spec_.process->user.gid = gid;
    return *this;
}

SpecBuilder& SpecBuilder::terminal(bool on) {
    spec_.process->terminal = on;
    return *this;
}

SpecBuilder& SpecBuilder::hostname(std::string name) {
    spec_.hostname = std::move(name);
    return *this;
}

SpecBuilder& SpecBuilder::namespace_(const std::string& type, std::string path) {
    static constexpr const char* kTypes[] = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
    if (std::none_of(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return type == t; }))
        return error("namespace: unknown type \"" + type + "\"");
    auto& nss = spec_.linux->namespaces;
    auto it = std::find_if(nss.begin(), nss.end(), [&](const spec::Namespace& n) { return n.type == type; });
    if (it != nss.end()) it->path = std::move(path);
    else nss.push_back({type, std::move(path)});
    return *this;
}

SpecBuilder& SpecBuilder::withoutNamespace(const std::string& type) {
    std::erase_if(spec_.linux->namespaces, [&](const spec::Namespace& n) { return n.type == type; });
    return *this;
}

SpecBuilder& SpecBuilder::bindMount(std::string source, std::string destination, bool readonly) {
    if (destination.empty() || destination[0] != '/') return error("bind mount: destination \"" + destination + "\" is not absolute");
    spec::Mount m;
    m.destination = std::move(destination);
    m.type = "bind";
    m.source = std::move(source);
    m.options = {"rbind", "rprivate"};
    if (readonly) m.options.push_back("ro");
    spec_.mounts.push_back(std::move(m));
    return *this;
}

SpecBuilder& SpecBuilder::tmpfs(std::string destination, std::string options) {
    if (destination.empty() || destination[0] != '/') return error("tmpfs: destination \"" + destination + "\" is not absolute");
    spec::Mount m;
    m.destination = std::move(destination);
    m.type = "tmpfs";
    m.source = "tmpfs";
    m.options = {"nosuid", "nodev"};
    if (!options.empty()) m.options.push_back(std::move(options));
    spec_.mounts.push_back(std::move(m));
    return *this;
}

SpecBuilder& SpecBuilder::capabilities(const std::vector<std::string>& caps) {
    spec::Capabilities c;
    c.bounding = c.effective = c.permitted = caps;
    spec_.process->capabilities = std::move(c);
    return *this;
}

SpecBuilder& SpecBuilder::noNewPrivileges(bool on) {
    spec_.process->noNewPrivileges = on;
    return *this;
}

SpecBuilder& SpecBuilder::rlimit(const std::string& type, uint64_t soft, uint64_t hard) {
    if (soft > hard) return error("rlimit " + type + ": soft limit above the hard limit");
    auto& rl = spec_.process->rlimits;
    std::erase_if(rl, [&](const spec::Rlimit& r) { return r.type == type; });
    rl.push_back({type, hard, soft});
    return *this;
}

SpecBuilder& SpecBuilder::cgroupsPath(std::string path) {
    spec_.linux->cgroupsPath = std::move(path);
    return *this;
}

SpecBuilder& SpecBuilder::memoryLimit(int64_t bytes) {
    if (bytes <= 0) return error("memory limit: must be positive");
    if (!spec_.linux->resources) spec_.linux->resources = spec::Resources{};
    if (!spec_.linux->resources->memory) spec_.linux->resources->memory = spec::Memory{};
    spec_.linux->resources->memory->limit = bytes;
    return *this;
}

SpecBuilder& SpecBuilder::pidsLimit(int64_t limit) {
    if (!spec_.linux->resources) spec_.linux->resources = spec::Resources{};
    spec_.linux->resources->pids = spec::Pids{limit};
    return *this;
}

SpecBuilder& SpecBuilder::annotation(std::string key, std::string value) {
    spec_.annotations[std::move(key)] = std::move(value);
    return *this;
}

Result<spec::Spec> SpecBuilder::build() const {
    if (error_) return std::unexpected(*error_);
    LC_TRY(spec::validate(spec_));
    return spec_;
}

}  // namespace lc
