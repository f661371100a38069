// A fluent builder for a container spec, for embedders that have no bundle on disk.
// It starts from runc's default config (no terminal) and keeps the first error, which
// build() reports:
//
//   auto spec = lc::SpecBuilder().rootfs("/srv/rootfs").args({"sh", "-c", "echo hi"})
//                   .hostname("demo").memoryLimit(64 << 20).build();
//   auto c = runtime.create({.id = "demo"}, *spec);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace lc {

// Sets KEY=VALUE in an environment list: replaces the entry with the same KEY, or appends.
void setEnv(std::vector<std::string>& env, const std::string& keyValue);

class SpecBuilder {
public:
    SpecBuilder();

    SpecBuilder& rootfs(std::string path, bool readonly = true);
    SpecBuilder& args(std::vector<std::string> argv);
    SpecBuilder& env(const std::string& keyValue);  // KEY=VALUE; replaces the same KEY
    SpecBuilder& cwd(std::string dir);
    SpecBuilder& user(uint32_t uid, uint32_t gid);
    SpecBuilder& terminal(bool on);
    SpecBuilder& hostname(std::string name);
    SpecBuilder& namespace_(const std::string& type, std::string path = "");  // add or change
    SpecBuilder& withoutNamespace(const std::string& type);
    SpecBuilder& bindMount(std::string source, std::string destination, bool readonly = false);
    SpecBuilder& tmpfs(std::string destination, std::string options = "mode=755");
    SpecBuilder& capabilities(const std::vector<std::string>& caps);  // every set but ambient
    SpecBuilder& noNewPrivileges(bool on);
    SpecBuilder& rlimit(const std::string& type, uint64_t soft, uint64_t hard);
    SpecBuilder& cgroupsPath(std::string path);
    SpecBuilder& memoryLimit(int64_t bytes);
    SpecBuilder& pidsLimit(int64_t limit);
    SpecBuilder& annotation(std::string key, std::string value);

    // The spec, validated as create() would, or the first error met while building.
    [[nodiscard]] Result<spec::Spec> build() const;

private:
    SpecBuilder& error(std::string message);
    spec::Spec spec_;
    std::optional<Error> error_;
};

}  // namespace lc
