#include "util/json.h"

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

Result<JsonDoc> JsonDoc::parse(std::string_view text) {
    std::string copy(text);  // yajl_tree_parse wants a NUL-terminated string
    char err[256] = {0};
    yajl_val v = yajl_tree_parse(copy.c_str(), err, sizeof err);
    if (!v) {
        std::string msg = err;
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        return fail(EINVAL, "invalid JSON: " + msg);
    }
    JsonDoc d;
    d.root_.reset(v);
    return d;
}

yajl_val member(yajl_val obj, std::string_view key) {
    if (!YAJL_IS_OBJECT(obj)) return nullptr;
    for (size_t i = 0; i < obj->u.object.len; ++i)
        if (key == obj->u.object.keys[i]) return obj->u.object.values[i];
    return nullptr;
}
std::string getString(yajl_val obj, std::string_view key) {
    yajl_val v = member(obj, key);
    return YAJL_IS_STRING(v) ? std::string(v->u.string) : std::string();
}
int64_t getInt(yajl_val obj, std::string_view key) {
    yajl_val v = member(obj, key);
    return YAJL_IS_INTEGER(v) ? v->u.number.i : 0;
}
uint64_t getUint(yajl_val obj, std::string_view key) {
    yajl_val v = member(obj, key);
    return YAJL_IS_NUMBER(v) ? std::strtoull(v->u.number.r, nullptr, 10) : 0;
}
bool getBool(yajl_val obj, std::string_view key) { return YAJL_IS_TRUE(member(obj, key)); }
std::map<std::string, std::string> getStringMap(yajl_val obj, std::string_view key) {
    std::map<std::string, std::string> out;
    yajl_val m = member(obj, key);
    if (!YAJL_IS_OBJECT(m)) return out;
    for (size_t i = 0; i < m->u.object.len; ++i)
        if (YAJL_IS_STRING(m->u.object.values[i])) out[m->u.object.keys[i]] = m->u.object.values[i]->u.string;
    return out;
}

}  // namespace lc::util
