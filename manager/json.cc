#include "json.h"

#include "base/file.h"

namespace mgr::json {

lc::json::Writer Obj::open() {
    lc::json::Writer w;
    w.beginObject();
    return w;
}

std::string Obj::done() const {
    if (!closed_) {
        w_.endObject();
        closed_ = true;
    }
    return w_.text();
}

Obj& Obj::str(std::string_view k, std::string_view v) {
    w_.key(k).safeStr(v);
    return *this;
}

Obj& Obj::num(std::string_view k, int64_t v) {
    w_.key(k).num(v);
    return *this;
}

Obj& Obj::boolean(std::string_view k, bool v) {
    w_.key(k).boolean(v);
    return *this;
}

Obj& Obj::raw(std::string_view k, std::string_view v) {
    w_.key(k).raw(v);
    return *this;
}

Obj& Obj::strs(std::string_view k, const std::vector<std::string>& v) {
    w_.key(k).beginArray();
    for (const auto& s : v) w_.safeStr(s);
    w_.endArray();
    return *this;
}

lc::Result<Doc> Doc::parse(std::string_view text) {
    // comments allowed, as the manager's files always were read (yajl_tree)
    LC_TRY_ASSIGN(auto parsed, lc::json::Document::parseOwned(std::string(text), {.allowComments = true}));
    Doc d;
    d.doc_ = std::make_shared<const lc::json::Document>(std::move(parsed));
    d.root_ = d.doc_->root();
    return d;
}

lc::Result<Doc> Doc::load(const std::string& path) {
    auto text = lc::util::readFile(path);
    if (!text) return std::unexpected(text.error());
    auto d = parse(*text);
    if (!d) return std::unexpected(d.error().wrap("parse " + path));
    return d;
}

lc::json::Value Doc::get(std::initializer_list<const char*> path) const {
    lc::json::Value v = root_;
    for (const char* k : path) v = v[k];
    return v;
}

bool Doc::has(std::initializer_list<const char*> path) const { return !get(path).isNull(); }

std::string Doc::str(std::initializer_list<const char*> path, std::string def) const {
    auto v = get(path);
    return v.isString() ? v.str() : def;
}

int64_t Doc::num(std::initializer_list<const char*> path, int64_t def) const { return get(path).asInt(def); }

bool Doc::boolean(std::initializer_list<const char*> path, bool def) const { return get(path).asBool(def); }

std::vector<std::string> Doc::strs(std::initializer_list<const char*> path) const {
    std::vector<std::string> out;
    auto v = get(path);
    if (!v.isArray()) return out;
    for (auto e : v)
        if (e.isString()) out.push_back(e.str());
    return out;
}

std::optional<std::string> Doc::scalar(const std::string& dotted) const {
    if (!root_) return std::nullopt;
    lc::json::Value v = root_;
    for (size_t start = 0;;) {
        size_t dot = dotted.find('.', start);
        v = v[std::string_view(dotted).substr(start, dot == std::string::npos ? std::string::npos : dot - start)];
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    if (!v) return std::nullopt;
    switch (v.kind()) {
    case lc::json::Kind::String:
    case lc::json::Kind::Number: return std::string(v.text());
    case lc::json::Kind::Bool: return std::string(v.asBool() ? "true" : "false");
    case lc::json::Kind::Null: return std::string("null");
    default: return std::nullopt;
    }
}

Doc Doc::obj(std::initializer_list<const char*> path) const {
    Doc d;
    auto v = path.size() ? get(path) : root_;
    if (v.isObject()) {
        d.doc_ = doc_;
        d.root_ = v;
    }
    return d;
}

std::vector<Doc> Doc::objs(std::initializer_list<const char*> path) const {
    std::vector<Doc> out;
    auto v = get(path);
    if (!v.isArray()) return out;
    for (auto e : v) {
        if (!e.isObject()) continue;
        Doc d;
        d.doc_ = doc_;
        d.root_ = e;
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<std::string> Doc::keys(std::initializer_list<const char*> path) const {
    std::vector<std::string> out;
    auto v = path.size() ? get(path) : root_;
    if (!v.isObject()) return out;
    for (auto e : v) out.emplace_back(e.key());
    return out;
}

}  // namespace mgr::json
