#include "cgroups/systemd/bus.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <variant>

#include "cgroups/fs.h"
#include "cgroups/systemd/helper_paths.h"
#include "libcontainer/runtime.h"
#include "libcontainer/unique_fd.h"

extern char** environ;

namespace lc::cgroups::systemd {
namespace {

bool executable(const std::string& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0; }

bool pathExists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

// A path as the value of a D-Bus address key: bytes outside [-0-9A-Za-z_/.\\*] as %XX.
std::string addressValue(std::string_view path) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : path) {
        if (std::isalnum(c) || std::strchr("-_/.\\*", c)) out.push_back(static_cast<char>(c));
        else out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

Result<std::string> checked(const std::string& s) {
    if (s.find_first_of(std::string_view("\x1e\x1f\0", 3)) != std::string::npos)
        return fail(EINVAL, "systemd property value \"" + s + "\" holds a control character");
    return s;
}

template <typename T>
std::string joined(const std::vector<T>& v) {
    std::string out;
    for (const auto& e : v) {
        if (!out.empty()) out.push_back('\x1f');
        if constexpr (std::is_same_v<T, std::string>) out += e;
        else out += std::to_string(e);
    }
    return out;
}

Result<std::string> encodeValue(const Value& val) {
    return std::visit(
        [&](const auto& x) -> Result<std::string> {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>) return std::string(x ? "1" : "0");
            else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) return std::to_string(x);
            else if constexpr (std::is_same_v<T, double>) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.17g", x);
                return std::string(buf);
            } else if constexpr (std::is_same_v<T, std::string>) return checked(x);
            else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                for (const auto& s : x) LC_TRY(checked(s));
                return joined(x);
            } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) return joined(x);
            else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
                static const char* hex = "0123456789abcdef";
                std::string out;
                for (uint8_t b : x) out += {hex[b >> 4], hex[b & 15]};
                return out;
            } else {
                std::string out;
                for (const auto& [a, b] : x) {
                    LC_TRY(checked(a));
                    LC_TRY(checked(b));
                    if (!out.empty()) out.push_back('\x1f');
                    out += a + '\x1e' + b;
                }
                return out;
            }
        },
        val.v);
}

}  // namespace

Result<Endpoint> userEndpoint(const char* sessionBusAddress, const char* xdgRuntimeDir,
                              bool (*exists)(const std::string& path)) {
    if (sessionBusAddress && *sessionBusAddress) return Endpoint{Endpoint::Kind::Bus, sessionBusAddress};
    if (!xdgRuntimeDir || !*xdgRuntimeDir)
        return fail(ENOENT, "the rootless systemd cgroup driver needs the user's systemd instance: neither "
                            "$DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR is set");
    std::string dir = xdgRuntimeDir;
    if (dir[0] != '/') return fail(EINVAL, "$XDG_RUNTIME_DIR (" + dir + ") is not an absolute path");
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (std::string p = dir + "/systemd/private"; exists(p)) return Endpoint{Endpoint::Kind::Direct, "unix:path=" + addressValue(p)};
    if (std::string p = dir + "/bus"; exists(p)) return Endpoint{Endpoint::Kind::Bus, "unix:path=" + addressValue(p)};
    return fail(ENOENT, "the rootless systemd cgroup driver needs the user's systemd instance, but neither " + dir +
                            "/systemd/private nor " + dir + "/bus exists (is user@" + std::to_string(::getuid()) +
                            ".service running? `loginctl enable-linger` starts it without a login)");
}

Result<Endpoint> userEndpoint() {
    return userEndpoint(std::getenv("DBUS_SESSION_BUS_ADDRESS"), std::getenv("XDG_RUNTIME_DIR"), pathExists);
}

Result<std::string> findHelper(const std::string& configured) {
    if (!configured.empty()) {
        if (executable(configured)) return configured;
        return fail(ENOENT, "systemd helper " + configured + " is not an executable file");
    }
    if (const char* env = std::getenv("RUNC_CPP_SYSTEMD_HELPER"); env && *env) {
        if (executable(env)) return std::string(env);
        return fail(ENOENT, std::string("RUNC_CPP_SYSTEMD_HELPER=") + env + " is not an executable file");
    }
    for (const char* p : {kInstalledHelper, kBuildHelper})
        if (executable(p)) return std::string(p);
    return fail(ENOENT, std::string("the systemd cgroup driver needs runc-cpp-systemd (built when libsystemd-dev is "
                                    "installed), found neither ") + kInstalledHelper + " nor " + kBuildHelper);
}

Result<std::vector<std::string>> encodeProperties(const Properties& props) {
    std::vector<std::string> out;
    for (const auto& p : props) {
        auto v = encodeValue(p.value);
        if (!v) return std::unexpected(v.error().wrap("systemd property " + p.name));
        out.push_back(p.name);
        out.push_back(p.value.signature);
        out.push_back(std::move(*v));
    }
    return out;
}

Result<std::string> Bus::run(const std::vector<std::string>& args) const {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return errnoError("pipe");
    UniqueFd rd(fds[0]), wr(fds[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(helper_.c_str()));
    std::string kind = ep_.kind == Endpoint::Kind::Bus ? "--bus" : "--direct";
    if (ep_.user()) {
        argv.push_back(kind.data());
        argv.push_back(const_cast<char*>(ep_.address.c_str()));
    }
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid;
    int rc = ::posix_spawn(&pid, helper_.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return errnoError("run " + helper_, rc);
    wr.reset();
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    while (!out.empty() && out.back() == '\n') out.pop_back();
    std::string last = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && last.starts_with("ok")) return last.size() > 3 ? last.substr(3) : "";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3 && last == "exists") return fail(EEXIST, "unit exists");
    if (last.starts_with("error ")) return fail(EIO, last.substr(6));
    return fail(EIO, helper_ + " failed (status " + std::to_string(status) + "): " + out);
}

Result<void> Bus::start(const std::string& unit, const Properties& props) const {
    auto enc = encodeProperties(props);
    if (!enc) return std::unexpected(enc.error());
    std::vector<std::string> args{"start", unit};
    args.insert(args.end(), enc->begin(), enc->end());
    auto r = run(args);
    if (!r) return std::unexpected(r.error());
    return {};
}

Result<void> Bus::set(const std::string& unit, const Properties& props) const {
    if (props.empty()) return {};
    auto enc = encodeProperties(props);
    if (!enc) return std::unexpected(enc.error());
    std::vector<std::string> args{"set", unit};
    args.insert(args.end(), enc->begin(), enc->end());
    auto r = run(args);
    if (!r) return std::unexpected(r.error());
    return {};
}

Result<std::string> Bus::controlGroup() const { return run({"control-group"}); }

Result<uid_t> Bus::ownerUid() const {
    auto r = run({"owner-uid"});
    if (!r) return std::unexpected(r.error());
    auto v = parseUint(*r);
    if (!v || *v >= UINT32_MAX) return fail(EIO, helper_ + " owner-uid: \"" + *r + "\" is not a uid");
    return static_cast<uid_t>(*v);
}

Result<void> Bus::stop(const std::string& unit) const {
    auto r = run({"stop", unit});
    if (!r) return std::unexpected(r.error());
    return {};
}

}  // namespace lc::cgroups::systemd

namespace lc {

Result<uid_t> systemdUserOwnerUid(const std::string& systemdHelper) {
    auto h = cgroups::systemd::findHelper(systemdHelper);
    if (!h) return std::unexpected(h.error());
    auto ep = cgroups::systemd::userEndpoint();
    if (!ep) return std::unexpected(ep.error());
    return cgroups::systemd::Bus(*h, *ep).ownerUid();
}

}  // namespace lc
