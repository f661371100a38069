// Thin RAII wrappers over yajl for the few JSON documents libcontainer writes and reads
// itself (its state file, list/ps output). The OCI documents go through spec/.
#pragma once

#include <yajl/yajl_gen.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libcontainer/error.h"

namespace lc::util {

class JsonWriter {
public:
    explicit JsonWriter(bool pretty = false);
    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    JsonWriter& key(std::string_view k) { return str(k); }
    JsonWriter& str(std::string_view v);
    JsonWriter& num(int64_t v);
    JsonWriter& unum(uint64_t v);
    JsonWriter& boolean(bool v);
    JsonWriter& null();
    JsonWriter& stringMap(const std::map<std::string, std::string>& m);
    // The document so far.
    [[nodiscard]] std::string text() const;

private:
    struct Free {
        void operator()(yajl_gen_t* g) const { yajl_gen_free(g); }
    };
    std::unique_ptr<yajl_gen_t, Free> gen_;
};

// A parsed JSON value. Strings, keys and number texts are kept with their length, so a
// string with an escaped NUL ("a\u0000b") reads back whole: a state file gives back exactly
// what was stored (yajl_tree ends every string at its first NUL, which truncated them).
// Children are non-owning pointers into the owning JsonDoc's node list; nothing recurses,
// so deeply nested input neither builds nor frees on the stack.
struct JsonValue {
    enum class Kind { Null, False, True, Number, String, Object, Array };
    Kind kind = Kind::Null;
    std::string text;  // string contents, or the number as written
    std::vector<std::pair<std::string, const JsonValue*>> members;  // objects, in order
    std::vector<const JsonValue*> items;                            // arrays
    [[nodiscard]] bool isObject() const { return kind == Kind::Object; }
    [[nodiscard]] bool isArray() const { return kind == Kind::Array; }
    [[nodiscard]] bool isString() const { return kind == Kind::String; }
    [[nodiscard]] bool isNumber() const { return kind == Kind::Number; }
};

// A parsed document (comments allowed, UTF-8 checked, as yajl_tree did), owning its values.
class JsonDoc {
public:
    static Result<JsonDoc> parse(std::string_view text);
    [[nodiscard]] const JsonValue* root() const { return nodes_->empty() ? nullptr : &nodes_->front(); }

private:
    // A deque keeps the addresses of its elements stable as it grows and when moved.
    std::unique_ptr<std::deque<JsonValue>> nodes_ = std::make_unique<std::deque<JsonValue>>();
};

// Object member lookup (nullptr when missing or `obj` is not an object; the first of
// duplicate keys). The getters return 0, false or empty when the member is missing or of
// another type.
const JsonValue* member(const JsonValue* obj, std::string_view key);
std::string getString(const JsonValue* obj, std::string_view key);
int64_t getInt(const JsonValue* obj, std::string_view key);    // integers within int64 only
uint64_t getUint(const JsonValue* obj, std::string_view key);  // strtoull of any number
bool getBool(const JsonValue* obj, std::string_view key);
// The string members of an object (later duplicates win).
std::map<std::string, std::string> getStringMap(const JsonValue* obj, std::string_view key);

}  // namespace lc::util
