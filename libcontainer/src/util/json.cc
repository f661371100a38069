#include "util/json.h"

#include <yajl/yajl_parse.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace lc::util {

JsonWriter::JsonWriter(bool pretty) : gen_(yajl_gen_alloc(nullptr)) {
    if (pretty) {
        yajl_gen_config(gen_.get(), yajl_gen_beautify, 1);
        yajl_gen_config(gen_.get(), yajl_gen_indent_string, "  ");
    }
}
JsonWriter& JsonWriter::beginObject() { yajl_gen_map_open(gen_.get()); return *this; }
JsonWriter& JsonWriter::endObject() { yajl_gen_map_close(gen_.get()); return *this; }
JsonWriter& JsonWriter::beginArray() { yajl_gen_array_open(gen_.get()); return *this; }
JsonWriter& JsonWriter::endArray() { yajl_gen_array_close(gen_.get()); return *this; }
JsonWriter& JsonWriter::str(std::string_view v) {
    yajl_gen_string(gen_.get(), reinterpret_cast<const unsigned char*>(v.data()), v.size());
    return *this;
}
JsonWriter& JsonWriter::num(int64_t v) { yajl_gen_integer(gen_.get(), v); return *this; }
JsonWriter& JsonWriter::unum(uint64_t v) {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
    yajl_gen_number(gen_.get(), buf, static_cast<size_t>(n));
    return *this;
}
JsonWriter& JsonWriter::boolean(bool v) { yajl_gen_bool(gen_.get(), v); return *this; }
JsonWriter& JsonWriter::null() { yajl_gen_null(gen_.get()); return *this; }
JsonWriter& JsonWriter::stringMap(const std::map<std::string, std::string>& m) {
    beginObject();
    for (const auto& [k, v] : m) key(k).str(v);
    return endObject();
}
std::string JsonWriter::text() const {
    const unsigned char* buf = nullptr;
    size_t len = 0;
    yajl_gen_get_buf(gen_.get(), &buf, &len);
    return std::string(reinterpret_cast<const char*>(buf), len);
}

namespace {

// Builds JsonValues from yajl's event parser, which hands every string, key and number over
// with its length.
struct Builder {
    std::deque<JsonValue>& nodes;
    std::vector<JsonValue*> open;  // containers not closed yet, innermost last
    std::string pendingKey;

    static Builder& self(void* ctx) { return *static_cast<Builder*>(ctx); }

    JsonValue& add(JsonValue::Kind kind) {
        JsonValue& v = nodes.emplace_back();
        v.kind = kind;
        if (!open.empty()) {
            JsonValue* parent = open.back();
            if (parent->kind == JsonValue::Kind::Object)
                parent->members.emplace_back(std::move(pendingKey), &v);
            else
                parent->items.push_back(&v);
            pendingKey.clear();
        }
        if (kind == JsonValue::Kind::Object || kind == JsonValue::Kind::Array) open.push_back(&v);
        return v;
    }

    static int onNull(void* ctx) { return self(ctx).add(JsonValue::Kind::Null), 1; }
    static int onBool(void* ctx, int b) {
        return self(ctx).add(b ? JsonValue::Kind::True : JsonValue::Kind::False), 1;
    }
    static int onNumber(void* ctx, const char* s, size_t n) {
        self(ctx).add(JsonValue::Kind::Number).text.assign(s, n);
        return 1;
    }
    static int onString(void* ctx, const unsigned char* s, size_t n) {
        self(ctx).add(JsonValue::Kind::String).text.assign(reinterpret_cast<const char*>(s), n);
        return 1;
    }
    static int onKey(void* ctx, const unsigned char* s, size_t n) {
        self(ctx).pendingKey.assign(reinterpret_cast<const char*>(s), n);
        return 1;
    }
    static int onStartMap(void* ctx) { return self(ctx).add(JsonValue::Kind::Object), 1; }
    static int onStartArray(void* ctx) { return self(ctx).add(JsonValue::Kind::Array), 1; }
    static int onEnd(void* ctx) {
        auto& b = self(ctx);
        if (!b.open.empty()) b.open.pop_back();
        return 1;
    }
};

constexpr yajl_callbacks kCallbacks = {
    Builder::onNull, Builder::onBool, nullptr, nullptr, Builder::onNumber, Builder::onString,
    Builder::onStartMap, Builder::onKey, Builder::onEnd, Builder::onStartArray, Builder::onEnd,
};

struct FreeHandle {
    void operator()(yajl_handle h) const { yajl_free(h); }
};

}  // namespace

Result<JsonDoc> JsonDoc::parse(std::string_view text) {
    JsonDoc d;
    Builder b{*d.nodes_, {}, {}};
    std::unique_ptr<std::remove_pointer_t<yajl_handle>, FreeHandle> h(yajl_alloc(&kCallbacks, nullptr, &b));
    if (!h) return fail(ENOMEM, "invalid JSON: cannot allocate a parser");
    yajl_config(h.get(), yajl_allow_comments, 1);
    auto in = reinterpret_cast<const unsigned char*>(text.data());
    yajl_status st = yajl_parse(h.get(), in, text.size());
    if (st == yajl_status_ok) st = yajl_complete_parse(h.get());
    if (st != yajl_status_ok) {
        unsigned char* e = yajl_get_error(h.get(), 0, in, text.size());
        std::string msg = e ? reinterpret_cast<const char*>(e) : "parse error";
        if (e) yajl_free_error(h.get(), e);
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        return fail(EINVAL, "invalid JSON: " + msg);
    }
    if (d.nodes_->empty()) return fail(EINVAL, "invalid JSON: empty document");
    return d;
}

const JsonValue* member(const JsonValue* obj, std::string_view key) {
    if (!obj || !obj->isObject()) return nullptr;
    for (const auto& [k, v] : obj->members)
        if (k == key) return v;
    return nullptr;
}
std::string getString(const JsonValue* obj, std::string_view key) {
    const JsonValue* v = member(obj, key);
    return v && v->isString() ? v->text : std::string();
}
int64_t getInt(const JsonValue* obj, std::string_view key) {
    const JsonValue* v = member(obj, key);
    if (!v || !v->isNumber()) return 0;
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v->text.data(), v->text.data() + v->text.size(), n);
    return ec == std::errc() && p == v->text.data() + v->text.size() ? n : 0;
}
uint64_t getUint(const JsonValue* obj, std::string_view key) {
    const JsonValue* v = member(obj, key);
    return v && v->isNumber() ? std::strtoull(v->text.c_str(), nullptr, 10) : 0;
}
bool getBool(const JsonValue* obj, std::string_view key) {
    const JsonValue* v = member(obj, key);
    return v && v->kind == JsonValue::Kind::True;
}
std::map<std::string, std::string> getStringMap(const JsonValue* obj, std::string_view key) {
    std::map<std::string, std::string> out;
    const JsonValue* m = member(obj, key);
    if (!m || !m->isObject()) return out;
    for (const auto& [k, v] : m->members)
        if (v->isString()) out[k] = v->text;
    return out;
}

}  // namespace lc::util
