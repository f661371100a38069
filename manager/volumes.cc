#include "volumes.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <regex>

#include "args.h"
#include "commands.h"
#include "json.h"

namespace mgr {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
        if (p == std::string::npos) return out;
        start = p + 1;
    }
}

lc::Result<void> checkTarget(const std::string& t) {
    if (t.empty() || t[0] != '/') return lc::fail(EINVAL, "invalid mount path: '" + t + "' mount path must be absolute");
    if (std::filesystem::path(t).lexically_normal() == "/") return lc::fail(EINVAL, "invalid mount path: '/' cannot be a mount target");
    return {};
}

lc::Result<MountRequest> finish(MountRequest r) {
    LC_TRY(checkTarget(r.target));
    if (r.type == "bind" && (r.source.empty() || r.source[0] != '/'))
        return lc::fail(EINVAL, "invalid mount config for type \"bind\": source path must be absolute");
    if (r.type == "volume" && !Volumes::validName(r.source))
        return lc::fail(EINVAL, "invalid volume name \"" + r.source + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    return r;
}

}  // namespace

bool Volumes::validName(const std::string& n) {
    return n.size() <= 128 && std::regex_match(n, std::regex("[a-zA-Z0-9][a-zA-Z0-9_.-]+"));
}

lc::Result<MountRequest> parseVolumeFlag(const std::string& v) {
    auto parts = split(v, ':');
    if (parts.size() < 2 || parts.size() > 3)
        return lc::fail(EINVAL, "invalid volume specification: '" + v + "' (want HOST-DIR:CONTAINER-DIR[:ro] or NAME:CONTAINER-DIR[:ro])");
    MountRequest r;
    r.source = parts[0];
    r.target = parts[1];
    r.type = r.source.starts_with("/") ? "bind" : "volume";
    r.createSource = true;
    if (parts.size() == 3) {
        for (const auto& o : split(parts[2], ',')) {
            if (o == "ro") r.readonly = true;
            else if (o == "rw") r.readonly = false;
            else return lc::fail(EINVAL, "invalid volume specification: '" + v + "': unknown option \"" + o + "\"");
        }
    }
    return finish(r);
}

lc::Result<MountRequest> parseMountFlag(const std::string& v) {
    MountRequest r;
    r.type = "volume";  // docker's default
    for (const auto& kv : split(v, ',')) {
        auto eq = kv.find('=');
        std::string k = kv.substr(0, eq), val = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "type") r.type = val;
        else if (k == "source" || k == "src") r.source = val;
        else if (k == "target" || k == "destination" || k == "dst") r.target = val;
        else if (k == "readonly" || k == "ro") {
            if (eq != std::string::npos && val != "true" && val != "1" && val != "false" && val != "0")
                return lc::fail(EINVAL, "invalid --mount: bad readonly value \"" + val + "\"");
            r.readonly = eq == std::string::npos || val == "true" || val == "1";
        } else if (k == "tmpfs-size") {
            auto s = parseSize(val);
            if (!s) return lc::fail(EINVAL, "invalid --mount: bad tmpfs-size \"" + val + "\"");
            r.tmpfsOptions.push_back("size=" + std::to_string(*s));
        } else if (k == "tmpfs-mode") {
            if (val.empty() || val.find_first_not_of("01234567") != std::string::npos)
                return lc::fail(EINVAL, "invalid --mount: bad tmpfs-mode \"" + val + "\"");
            r.tmpfsOptions.push_back("mode=" + val);
        } else {
            return lc::fail(EINVAL, "invalid --mount: unexpected key '" + k + "' in '" + v + "'");
        }
    }
    if (r.type != "bind" && r.type != "volume" && r.type != "tmpfs")
        return lc::fail(EINVAL, "invalid --mount: type \"" + r.type + "\" is not bind, volume or tmpfs");
    if (r.type == "tmpfs" && !r.source.empty()) return lc::fail(EINVAL, "invalid --mount: a tmpfs takes no source");
    if (r.type != "tmpfs" && r.source.empty()) return lc::fail(EINVAL, "invalid --mount: type=" + r.type + " needs a source");
    if (r.type == "bind") {
        struct stat st{};
        if (::stat(r.source.c_str(), &st) < 0)
            return lc::fail(ENOENT, "invalid mount config for type \"bind\": bind source path does not exist: " + r.source);
    }
    return finish(r);
}

lc::Result<MountRequest> parseTmpfsFlag(const std::string& v) {
    MountRequest r;
    r.type = "tmpfs";
    auto colon = v.find(':');
    r.target = v.substr(0, colon);
    if (colon != std::string::npos) {
        for (const auto& o : split(v.substr(colon + 1), ',')) {
            if (o.empty()) continue;
            // tmpfs options only: what could change the mount's meaning elsewhere is refused
            static const std::regex ok("(size|mode|uid|gid|nr_inodes|nr_blocks)=[0-9a-zA-Z%]+|ro|rw|exec|noexec|suid|nosuid|dev|nodev");
            if (!std::regex_match(o, ok)) return lc::fail(EINVAL, "invalid --tmpfs option \"" + o + "\"");
            r.tmpfsOptions.push_back(o);
        }
    }
    return finish(r);
}

lc::Result<std::string> Volumes::create(const std::string& name) const {
    if (!validName(name)) return lc::fail(EINVAL, "invalid volume name \"" + name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    LC_TRY(store_.init());
    if (::mkdir(dir_.c_str(), 0700) < 0 && errno != EEXIST) return lc::errnoError("mkdir " + dir_);
    std::string d = dir_ + "/" + name;
    if (::mkdir(d.c_str(), 0700) < 0 && errno != EEXIST) return lc::errnoError("mkdir " + d);
    // _data is what the container sees: its "/" mode
    if (::mkdir(dataDir(name).c_str(), 0755) < 0 && errno != EEXIST) return lc::errnoError("mkdir " + dataDir(name));
    return dataDir(name);
}

std::vector<std::string> Volumes::list() const {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir_.c_str())) {
        while (dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (validName(n) && ::access(dataDir(n).c_str(), F_OK) == 0) out.push_back(n);
        }
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

lc::Result<void> Volumes::remove(const std::string& name) const {
    if (!validName(name) || ::access(dataDir(name).c_str(), F_OK) != 0) return lc::fail(ENOENT, "no such volume: " + name);
    auto lock = store_.lock();
    if (!lock) return std::unexpected(lock.error());
    if (auto all = store_.list()) {
        std::vector<std::string> users;
        for (const auto& m : *all)
            if (std::find(m.volumes.begin(), m.volumes.end(), name) != m.volumes.end()) users.push_back(m.id);
        if (!users.empty()) {
            std::string ids;
            for (const auto& u : users) ids += (ids.empty() ? "" : ", ") + u;
            return lc::fail(EBUSY, "remove " + name + ": volume is in use - [" + ids + "]");
        }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_ + "/" + name, ec);
    if (ec) return lc::fail(ec.value(), "remove " + name + ": " + ec.message());
    return {};
}

lc::Result<std::vector<std::string>> applyMounts(const Store& store, spec::Spec& sp, const std::vector<MountRequest>& reqs) {
    std::vector<std::string> used;
    Volumes vols(store);
    for (const auto& r : reqs) {
        spec::Mount m;
        m.destination = r.target;
        if (r.type == "tmpfs") {
            m.type = "tmpfs";
            m.source = "tmpfs";
            m.options = {"nosuid", "nodev", "noexec"};
            for (const auto& o : r.tmpfsOptions) m.options.push_back(o);
            if (r.readonly) m.options.push_back("ro");
        } else {
            std::string src = r.source;
            if (r.type == "volume") {
                auto d = vols.create(r.source);
                if (!d) return std::unexpected(d.error());
                src = *d;
                if (std::find(used.begin(), used.end(), r.source) == used.end()) used.push_back(r.source);
            } else if (r.createSource) {
                std::error_code ec;
                std::filesystem::create_directories(src, ec);
                if (ec) return lc::fail(ec.value(), "create the bind source " + src + ": " + ec.message());
            }
            m.type = "bind";
            m.source = src;
            m.options = {"rbind", "rprivate"};
            if (r.readonly) m.options.push_back("ro");
        }
        sp.mounts.push_back(std::move(m));
    }
    return used;
}

int cmdVolume(const Store& store, const std::vector<std::string>& argv) {
    const char* usage =
        "Usage: runccpp-manager volume COMMAND\n\n"
        "  create [NAME]   create a named volume (a random name when none)\n"
        "  ls [-q]         list volumes\n"
        "  rm NAME...      remove volumes no container uses\n"
        "  inspect NAME... JSON: name and mountpoint\n";
    if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
        std::fputs(usage, argv.empty() ? stderr : stdout);
        return argv.empty() ? 125 : 0;
    }
    Volumes vols(store);
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    bool help = std::find(rest.begin(), rest.end(), "--help") != rest.end();
    if (help) {
        std::fputs(usage, stdout);
        return 0;
    }
    const std::string& sub = argv[0];
    if (sub == "create") {
        std::string name = rest.empty() ? "" : rest[0];
        if (name.empty()) {
            std::random_device rd;
            for (int i = 0; i < 64; ++i) name += "0123456789abcdef"[rd() % 16];
        }
        auto d = vols.create(name);
        if (!d) return errorOut(d.error().message(), 125);
        std::printf("%s\n", name.c_str());
        return 0;
    }
    if (sub == "ls" || sub == "list") {
        bool quiet = std::find(rest.begin(), rest.end(), "-q") != rest.end();
        if (!quiet) std::printf("%-15s %s\n", "DRIVER", "VOLUME NAME");
        for (const auto& n : vols.list()) {
            if (quiet) std::printf("%s\n", n.c_str());
            else std::printf("%-15s %s\n", "local", n.c_str());
        }
        return 0;
    }
    if (sub == "rm" || sub == "remove") {
        if (rest.empty()) return errorOut(std::string("volume rm needs a name\n") + usage, 125);
        int rc = 0;
        for (const auto& n : rest) {
            if (n == "-f" || n == "--force") continue;
            if (auto r = vols.remove(n); !r) rc = errorOut(r.error().message(), 1);
            else std::printf("%s\n", n.c_str());
        }
        return rc;
    }
    if (sub == "inspect") {
        if (rest.empty()) return errorOut(std::string("volume inspect needs a name\n") + usage, 125);
        std::string out = "[";
        int rc = 0;
        for (const auto& n : rest) {
            if (!Volumes::validName(n) || ::access(vols.dataDir(n).c_str(), F_OK) != 0) {
                rc = errorOut("no such volume: " + n, 1);
                continue;
            }
            out += std::string(out.size() > 1 ? "," : "") +
                   json::Obj().str("Driver", "local").str("Name", n).str("Mountpoint", vols.dataDir(n)).done();
        }
        std::printf("%s]\n", out.c_str());
        return rc;
    }
    return errorOut("unknown volume command \"" + sub + "\"\n" + usage, 125);
}

}  // namespace mgr
