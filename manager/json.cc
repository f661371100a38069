#include "json.h"

#include <yajl/yajl_tree.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace mgr::json {

size_t utf8Len(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if (b(k) < 0x80 || b(k) > 0xBF) return 0;
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F) ||  // overlong, surrogate
        (c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F))    // overlong, > U+10FFFF
        return 0;
    return n;
}

std::string quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char ch = static_cast<unsigned char>(s[i]);
        if (ch >= 0x80) {
            // valid UTF-8 as is; any other byte becomes U+FFFD, as docker's log driver does,
            // so that the document stays valid JSON
            size_t n = utf8Len(s, i);
            if (n == 0) {
                out += "\\ufffd";
                continue;
            }
            out.append(s.substr(i, n));
            i += n - 1;
            continue;
        }
        switch (ch) {
        case 0: out += "\\ufffd"; break;  // yajl's tree reader would cut the string there
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                out += buf;
            } else {
                out += static_cast<char>(ch);
            }
        }
    }
    out += '"';
    return out;
}

Obj& Obj::key(std::string_view k) {
    if (s_.size() > 1) s_ += ',';
    s_ += quote(k);
    s_ += ':';
    return *this;
}

Obj& Obj::str(std::string_view k, std::string_view v) {
    key(k);
    s_ += quote(v);
    return *this;
}

Obj& Obj::num(std::string_view k, int64_t v) {
    key(k);
    s_ += std::to_string(v);
    return *this;
}

Obj& Obj::boolean(std::string_view k, bool v) {
    key(k);
    s_ += v ? "true" : "false";
    return *this;
}

Obj& Obj::raw(std::string_view k, std::string_view v) {
    key(k);
    s_ += v;
    return *this;
}

Obj& Obj::strs(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    s_ += '[';
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s_ += ',';
        s_ += quote(v[i]);
    }
    s_ += ']';
    return *this;
}

lc::Result<Doc> Doc::parse(std::string_view text) {
    std::string copy(text);
    char err[256] = {};
    yajl_val v = yajl_tree_parse(copy.c_str(), err, sizeof err);
    if (!v) return lc::fail(EINVAL, std::string("invalid JSON: ") + err);
    Doc d;
    d.root_ = std::shared_ptr<yajl_val_s>(v, [](yajl_val_s* p) { yajl_tree_free(p); });
    return d;
}

lc::Result<Doc> Doc::load(const std::string& path) {
    std::ifstream f(path);
    if (!f) return lc::errnoError("open " + path);
    std::stringstream ss;
    ss << f.rdbuf();
    auto d = parse(ss.str());
    if (!d) return std::unexpected(d.error().wrap("parse " + path));
    return d;
}

yajl_val_s* Doc::get(std::initializer_list<const char*> path) const {
    if (!root_) return nullptr;
    std::vector<const char*> p(path.begin(), path.end());
    p.push_back(nullptr);
    return yajl_tree_get(root_.get(), p.data(), yajl_t_any);
}

bool Doc::has(std::initializer_list<const char*> path) const {
    auto* v = get(path);
    return v && !YAJL_IS_NULL(v);
}

std::string Doc::str(std::initializer_list<const char*> path, std::string def) const {
    auto* v = get(path);
    return v && YAJL_IS_STRING(v) ? std::string(YAJL_GET_STRING(v)) : def;
}

int64_t Doc::num(std::initializer_list<const char*> path, int64_t def) const {
    auto* v = get(path);
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : def;
}

bool Doc::boolean(std::initializer_list<const char*> path, bool def) const {
    auto* v = get(path);
    if (v && YAJL_IS_TRUE(v)) return true;
    if (v && YAJL_IS_FALSE(v)) return false;
    return def;
}

std::vector<std::string> Doc::strs(std::initializer_list<const char*> path) const {
    std::vector<std::string> out;
    auto* v = get(path);
    if (!v || !YAJL_IS_ARRAY(v)) return out;
    for (size_t i = 0; i < v->u.array.len; ++i)
        if (YAJL_IS_STRING(v->u.array.values[i])) out.emplace_back(YAJL_GET_STRING(v->u.array.values[i]));
    return out;
}

std::optional<std::string> Doc::scalar(const std::string& dotted) const {
    if (!root_) return std::nullopt;
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
        size_t dot = dotted.find('.', start);
        parts.push_back(dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    std::vector<const char*> p;
    for (auto& s : parts) p.push_back(s.c_str());
    p.push_back(nullptr);
    yajl_val v = yajl_tree_get(root_.get(), p.data(), yajl_t_any);
    if (!v) return std::nullopt;
    if (YAJL_IS_STRING(v)) return std::string(YAJL_GET_STRING(v));
    if (YAJL_IS_NUMBER(v)) return std::string(YAJL_GET_NUMBER(v));
    if (YAJL_IS_TRUE(v)) return std::string("true");
    if (YAJL_IS_FALSE(v)) return std::string("false");
    if (YAJL_IS_NULL(v)) return std::string("null");
    return std::nullopt;
}

Doc Doc::obj(std::initializer_list<const char*> path) const {
    Doc d;
    auto* v = path.size() ? get(path) : root_.get();
    if (v && YAJL_IS_OBJECT(v)) d.root_ = std::shared_ptr<yajl_val_s>(root_, v);
    return d;
}

std::vector<Doc> Doc::objs(std::initializer_list<const char*> path) const {
    std::vector<Doc> out;
    auto* v = get(path);
    if (!v || !YAJL_IS_ARRAY(v)) return out;
    for (size_t i = 0; i < v->u.array.len; ++i) {
        if (!YAJL_IS_OBJECT(v->u.array.values[i])) continue;
        Doc d;
        d.root_ = std::shared_ptr<yajl_val_s>(root_, v->u.array.values[i]);
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<std::string> Doc::keys(std::initializer_list<const char*> path) const {
    std::vector<std::string> out;
    auto* v = path.size() ? get(path) : root_.get();
    if (!v || !YAJL_IS_OBJECT(v)) return out;
    for (size_t i = 0; i < v->u.object.len; ++i) out.emplace_back(v->u.object.keys[i]);
    return out;
}

}  // namespace mgr::json
