#include "images.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "tarball.h"
#include "json.h"

namespace mgr {
namespace {

bool isHex64(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "sha256:<hex>" -> hex; "" when not that form.
std::string digestHex(const std::string& d) {
    return d.starts_with("sha256:") && isHex64(std::string_view(d).substr(7)) ? d.substr(7) : std::string();
}

// A path named inside an image archive: relative, no "..".
lc::Result<std::string> inside(const std::string& dir, const std::string& rel) {
    if (rel.empty() || rel.starts_with("/")) return lc::fail(EINVAL, "invalid path in the image: \"" + rel + "\"");
    for (auto& part : std::filesystem::path(rel))
        if (part == "..") return lc::fail(EINVAL, "invalid path in the image: \"" + rel + "\"");
    return dir + "/" + rel;
}

lc::Result<std::string> mkTemp(const std::string& parent, const std::string& prefix) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return lc::fail(ec.value(), "mkdir " + parent + ": " + ec.message());
    char* real = ::realpath(parent.c_str(), nullptr);  // unpacking refuses paths through symlinks
    if (!real) return lc::errnoError("realpath " + parent);
    std::string tmpl = std::string(real) + "/" + prefix + "XXXXXX";
    std::free(real);
    if (!::mkdtemp(tmpl.data())) return lc::errnoError("mkdtemp " + tmpl);
    return tmpl;
}

struct TempDir {
    std::string path;
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
};

bool exists(const std::string& p) { return ::access(p.c_str(), F_OK) == 0; }

}  // namespace

std::string normalizeRef(const std::string& ref) {
    if (ref.find('@') != std::string::npos) return ref;
    auto slash = ref.rfind('/');
    std::string last = slash == std::string::npos ? ref : ref.substr(slash + 1);
    return last.find(':') == std::string::npos ? ref + ":latest" : ref;
}

lc::Result<Image> Images::readImage(const std::string& id) const {
    auto d = json::Doc::load(dir_ + "/meta/" + id + ".json");
    if (!d) return std::unexpected(d.error());
    Image img;
    img.id = d->str({"id"});
    if (img.id != id) return lc::fail(EINVAL, "image record " + id + " names another id");
    img.tags = d->strs({"tags"});
    img.layers = d->strs({"layers"});
    img.size = d->num({"size"});
    img.loaded = d->num({"loaded"});
    auto c = json::Doc::load(dir_ + "/configs/" + id);
    if (!c) return std::unexpected(c.error());
    img.config.entrypoint = c->strs({"config", "Entrypoint"});
    img.config.cmd = c->strs({"config", "Cmd"});
    img.config.env = c->strs({"config", "Env"});
    img.config.workingDir = c->str({"config", "WorkingDir"});
    img.config.user = c->str({"config", "User"});
    img.config.exposedPorts = c->keys({"config", "ExposedPorts"});
    img.config.created = c->str({"created"});
    return img;
}

lc::Result<void> Images::writeImage(const Image& img) const {
    return writeFileAtomic(dir_ + "/meta/" + img.id + ".json", json::Obj()
                                                                   .str("id", img.id)
                                                                   .strs("tags", img.tags)
                                                                   .strs("layers", img.layers)
                                                                   .num("size", img.size)
                                                                   .num("loaded", img.loaded)
                                                                   .done() + "\n");
}

lc::Result<std::vector<Image>> Images::list() const {
    std::vector<Image> out;
    DIR* d = ::opendir((dir_ + "/meta").c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.size() == 69 && n.ends_with(".json") && isHex64(n.substr(0, 64)))
            if (auto img = readImage(n.substr(0, 64))) out.push_back(std::move(*img));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const Image& a, const Image& b) { return a.loaded > b.loaded; });
    return out;
}

lc::Result<Image> Images::resolve(const std::string& ref) const {
    auto all = list();
    if (!all) return std::unexpected(all.error());
    std::string r = ref.starts_with("sha256:") ? ref.substr(7) : ref;
    std::string tag = normalizeRef(ref);
    for (auto& img : *all)
        if (img.id == r || std::find(img.tags.begin(), img.tags.end(), tag) != img.tags.end()) return img;
    const Image* found = nullptr;
    bool hex = !r.empty() && std::all_of(r.begin(), r.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    for (auto& img : *all) {
        if (hex && img.id.starts_with(r)) {
            if (found) return lc::fail(EINVAL, "multiple images match " + ref);
            found = &img;
        }
    }
    if (found) return *found;
    return lc::fail(ENOENT, "No such image: " + ref);
}

lc::Result<void> Images::ensureLayer(const std::string& tarPath, const std::string& diffId,
                                     const std::string& blobDigest, int64_t* size,
                                     std::vector<std::string>* created) const {
    std::string target = layerDir(diffId);
    std::string sizeFile = target + ".size";
    if (exists(target)) {
        *size += std::strtoll(readFile(sizeFile).c_str(), nullptr, 10);
        return {};
    }
    auto d = digestLayer(tarPath);
    if (!d) return std::unexpected(d.error());
    if (!blobDigest.empty() && d->raw != blobDigest)
        return lc::fail(EINVAL, "layer blob sha256:" + blobDigest + " does not match its content (sha256:" + d->raw + ")");
    if (d->uncompressed != diffId)
        return lc::fail(EINVAL, "layer " + tarPath.substr(tarPath.rfind('/') + 1) + ": content sha256:" + d->uncompressed +
                                    " does not match the config's diff_id sha256:" + diffId);
    auto tmp = mkTemp(dir_ + "/tmp", "layer-");
    if (!tmp) return std::unexpected(tmp.error());
    TempDir guard{*tmp};
    if (::chmod(tmp->c_str(), 0755) < 0) return lc::errnoError("chmod " + *tmp);  // the rootfs' "/" mode
    if (auto u = unpackTar(tarPath, *tmp, true); !u) return std::unexpected(u.error().wrap("unpack layer sha256:" + diffId));
    std::error_code ec;
    std::filesystem::create_directories(dir_ + "/layers", ec);
    LC_TRY(writeFileAtomic(sizeFile, std::to_string(d->size) + "\n"));
    if (::rename(tmp->c_str(), target.c_str()) < 0) {
        if (errno != EEXIST && errno != ENOTEMPTY) return lc::errnoError("rename " + *tmp);
    } else {
        guard.path.clear();
        created->push_back(diffId);
    }
    *size += d->size;
    return {};
}

lc::Result<std::string> Images::addImage(const std::string& configPath, const std::vector<std::string>& layerPaths,
                                         const std::vector<std::string>& layerDigests,
                                         const std::vector<std::string>& tags) const {
    std::string config = readFile(configPath);
    if (config.empty()) return lc::fail(EINVAL, "cannot read the image config " + configPath);
    std::string id = sha256Hex(config);
    auto c = json::Doc::parse(config);
    if (!c) return std::unexpected(c.error().wrap("image config"));
    std::vector<std::string> diffIds;
    for (const auto& s : c->strs({"rootfs", "diff_ids"})) {
        std::string h = digestHex(s);
        if (h.empty()) return lc::fail(EINVAL, "image config: bad diff_id \"" + s + "\"");
        diffIds.push_back(h);
    }
    if (diffIds.size() != layerPaths.size())
        return lc::fail(EINVAL, "image has " + std::to_string(layerPaths.size()) + " layers but its config lists " +
                                    std::to_string(diffIds.size()) + " diff_ids");
    Image img;
    img.id = id;
    img.layers = diffIds;
    img.loaded = nowNs();
    std::vector<std::string> created;
    for (size_t i = 0; i < layerPaths.size(); ++i) {
        if (auto r = ensureLayer(layerPaths[i], diffIds[i], layerDigests[i], &img.size, &created); !r) {
            // nothing half-loaded stays: the layers this load unpacked go again
            std::error_code ec;
            for (const auto& l : created) {
                std::filesystem::remove_all(layerDir(l), ec);
                std::filesystem::remove(layerDir(l) + ".size", ec);
            }
            return std::unexpected(r.error());
        }
    }

    auto lock = store_.lock();
    if (!lock) return std::unexpected(lock.error());
    std::filesystem::create_directories(dir_ + "/configs");
    std::filesystem::create_directories(dir_ + "/meta");
    LC_TRY(writeFileAtomic(dir_ + "/configs/" + id, config));
    if (auto old = readImage(id)) img.tags = old->tags;
    for (const auto& t : tags) {
        // a tag names one image: the one that had it keeps its other tags (or none)
        if (auto all = list()) {
            for (auto& other : *all) {
                if (other.id == id) continue;
                auto it = std::find(other.tags.begin(), other.tags.end(), t);
                if (it == other.tags.end()) continue;
                other.tags.erase(it);
                LC_TRY(writeImage(other));
            }
        }
        if (std::find(img.tags.begin(), img.tags.end(), t) == img.tags.end()) img.tags.push_back(t);
    }
    LC_TRY(writeImage(img));
    return id;
}

lc::Result<std::vector<std::string>> Images::loadDir(const std::string& dir) const {
    std::vector<std::string> out;
    auto loaded = [&](const std::string& id, const std::vector<std::string>& tags) {
        if (tags.empty()) out.push_back("Loaded image ID: sha256:" + id);
        for (const auto& t : tags) out.push_back("Loaded image: " + t);
    };
    if (exists(dir + "/manifest.json")) {  // docker save
        auto m = json::Doc::load(dir + "/manifest.json");
        if (!m) return std::unexpected(m.error());
        auto entries = m->objs({});
        if (entries.empty()) return lc::fail(EINVAL, "manifest.json lists no image");
        for (auto& e : entries) {
            auto cfg = inside(dir, e.str({"Config"}));
            if (!cfg) return std::unexpected(cfg.error());
            // a config named by its digest (<hex>.json, blobs/sha256/<hex>) must have it
            std::string cfgName = e.str({"Config"});
            std::string base = cfgName.substr(cfgName.rfind('/') == std::string::npos ? 0 : cfgName.rfind('/') + 1);
            if (base.ends_with(".json")) base.resize(base.size() - 5);
            if (isHex64(base)) {
                auto h = sha256File(*cfg);
                if (!h) return std::unexpected(h.error());
                if (*h != base) return lc::fail(EINVAL, "image config " + cfgName + " does not match its digest (sha256:" + *h + ")");
            }
            std::vector<std::string> paths, digests;
            for (const auto& l : e.strs({"Layers"})) {
                auto p = inside(dir, l);
                if (!p) return std::unexpected(p.error());
                paths.push_back(*p);
                digests.push_back(l.starts_with("blobs/sha256/") && isHex64(l.substr(13)) ? l.substr(13) : "");
            }
            std::vector<std::string> tags;
            for (const auto& t : e.strs({"RepoTags"})) tags.push_back(normalizeRef(t));
            auto id = addImage(*cfg, paths, digests, tags);
            if (!id) return std::unexpected(id.error());
            loaded(*id, tags);
        }
        return out;
    }
    if (!exists(dir + "/index.json")) return lc::fail(EINVAL, "not a docker save archive or an OCI image layout (no manifest.json, no index.json)");
    auto blob = [&](const std::string& digest) -> lc::Result<std::string> {
        std::string h = digestHex(digest);
        if (h.empty()) return lc::fail(EINVAL, "unsupported digest \"" + digest + "\"");
        std::string p = dir + "/blobs/sha256/" + h;
        auto got = sha256File(p);
        if (!got) return std::unexpected(got.error());
        if (*got != h) return lc::fail(EINVAL, "blob " + digest + " does not match its content (sha256:" + *got + ")");
        return p;
    };
    auto idx = json::Doc::load(dir + "/index.json");
    if (!idx) return std::unexpected(idx.error());
    std::vector<json::Doc> descs = idx->objs({"manifests"});
    if (descs.empty()) return lc::fail(EINVAL, "index.json lists no manifest");
    for (size_t i = 0; i < descs.size(); ++i) {
        auto& desc = descs[i];
        std::string mt = desc.str({"mediaType"});
        auto mp = blob(desc.str({"digest"}));
        if (!mp) return std::unexpected(mp.error());
        auto man = json::Doc::load(*mp);
        if (!man) return std::unexpected(man.error());
        if (mt.find("index") != std::string::npos || mt.find("manifest.list") != std::string::npos) {
            // a nested index: the linux/amd64 manifest (or the only one), named as its parent
            json::Doc pick;
            for (auto& m : man->objs({"manifests"})) {
                if (m.str({"platform", "os"}, "linux") == "linux" && m.str({"platform", "architecture"}, "amd64") == "amd64") {
                    pick = m;
                    break;
                }
            }
            if (pick.empty()) return lc::fail(EINVAL, "no linux/amd64 manifest in " + desc.str({"digest"}));
            auto pp = blob(pick.str({"digest"}));
            if (!pp) return std::unexpected(pp.error());
            man = json::Doc::load(*pp);
            if (!man) return std::unexpected(man.error());
        }
        auto cfg = blob(man->str({"config", "digest"}));
        if (!cfg) return std::unexpected(cfg.error());
        std::vector<std::string> paths, digests;
        for (auto& l : man->objs({"layers"})) {
            auto p = blob(l.str({"digest"}));
            if (!p) return std::unexpected(p.error());
            paths.push_back(*p);
            digests.push_back(digestHex(l.str({"digest"})));
        }
        std::vector<std::string> tags;
        std::string name = desc.str({"annotations", "io.containerd.image.name"});
        std::string refName = desc.str({"annotations", "org.opencontainers.image.ref.name"});
        if (name.empty() && (refName.find(':') != std::string::npos || refName.find('/') != std::string::npos)) name = refName;
        if (!name.empty()) tags.push_back(normalizeRef(name));
        auto id = addImage(*cfg, paths, digests, tags);
        if (!id) return std::unexpected(id.error());
        loaded(*id, tags);
    }
    return out;
}

lc::Result<std::vector<std::string>> Images::load(const std::string& path) const {
    LC_TRY(store_.init());
    struct stat st{};
    if (::stat(path.c_str(), &st) < 0) return lc::errnoError("open " + path);
    if (S_ISDIR(st.st_mode)) return loadDir(path);
    auto tmp = mkTemp(dir_ + "/tmp", "load-");
    if (!tmp) return std::unexpected(tmp.error());
    TempDir guard{*tmp};
    if (auto u = unpackTar(path, *tmp, false); !u) return std::unexpected(u.error());
    return loadDir(*tmp);
}

lc::Result<std::vector<std::string>> Images::remove(const std::string& ref, bool force) const {
    auto lock = store_.lock();
    if (!lock) return std::unexpected(lock.error());
    auto img = resolve(ref);
    if (!img) return std::unexpected(img.error());
    std::vector<std::string> out;
    std::string tag = normalizeRef(ref);
    auto it = std::find(img->tags.begin(), img->tags.end(), tag);
    if (it != img->tags.end() && img->tags.size() > 1) {
        img->tags.erase(it);
        LC_TRY(writeImage(*img));
        out.push_back("Untagged: " + tag);
        return out;
    }
    if (auto cs = store_.list()) {
        for (const auto& m : *cs)
            if (m.image == img->id)
                return lc::fail(EBUSY, std::string("conflict: unable to delete ") + img->id.substr(0, 12) +
                                           (force ? " (cannot be forced)" : " (must be forced)") +
                                           " - image is being used by container " + m.id.substr(0, 12));
    }
    for (const auto& t : img->tags) out.push_back("Untagged: " + t);
    std::set<std::string> used;
    if (auto all = list())
        for (const auto& o : *all)
            if (o.id != img->id) used.insert(o.layers.begin(), o.layers.end());
    std::error_code ec;
    std::filesystem::remove(dir_ + "/meta/" + img->id + ".json", ec);
    std::filesystem::remove(dir_ + "/configs/" + img->id, ec);
    for (const auto& l : img->layers) {
        if (used.contains(l)) continue;
        std::filesystem::remove_all(layerDir(l), ec);
        std::filesystem::remove(layerDir(l) + ".size", ec);
    }
    out.push_back("Deleted: sha256:" + img->id);
    return out;
}

lc::Result<std::string> Images::mountRootfs(const Image& img, const std::string& cid) const {
    std::string d = store_.dir(cid);
    for (const char* sub : {"/rootfs", "/upper", "/work"})
        if (::mkdir((d + sub).c_str(), 0755) < 0) return lc::errnoError("mkdir " + d + sub);
    if (d.find_first_of(":,") != std::string::npos) return lc::fail(EINVAL, "the manager root must not contain ':' or ','");
    // lower dirs relative to the layer store (mount(2) resolves them from our cwd): a page of
    // options holds some 60 layers this way
    std::string lower;
    for (auto it = img.layers.rbegin(); it != img.layers.rend(); ++it) lower += (lower.empty() ? "" : ":") + *it;
    std::string base = dir_ + "/layers";
    if (lower.empty()) {
        if (::mkdir((d + "/empty").c_str(), 0755) < 0) return lc::errnoError("mkdir " + d + "/empty");
        base = d;
        lower = "empty";
    }
    std::string opts = "lowerdir=" + lower + ",upperdir=" + d + "/upper,workdir=" + d + "/work";
    lc::UniqueFd cwd(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (::chdir(base.c_str()) < 0) return lc::errnoError("chdir " + base);
    int rc = ::mount("overlay", (d + "/rootfs").c_str(), "overlay", 0, opts.c_str());
    int err = errno;
    if (cwd) (void)::fchdir(cwd.get());
    if (rc < 0) return lc::errnoError("mount the overlay rootfs of " + cid, err);
    return d + "/rootfs";
}

void unmountRootfs(const Store& store, const std::string& cid) {
    std::string r = store.dir(cid) + "/rootfs";
    struct stat a{}, b{};
    if (::stat(r.c_str(), &a) < 0 || ::stat(store.dir(cid).c_str(), &b) < 0 || a.st_dev == b.st_dev) return;
    (void)::umount2(r.c_str(), MNT_DETACH);
}

}  // namespace mgr
