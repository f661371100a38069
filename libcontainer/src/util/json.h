// Thin RAII wrappers over yajl for the few JSON documents libcontainer writes and reads
// itself (its state file, list/ps output). The OCI documents go through spec/.
#pragma once

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

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

// A parsed document (yajl tree), freed on destruction.
class JsonDoc {
public:
    static Result<JsonDoc> parse(std::string_view text);
    [[nodiscard]] yajl_val root() const { return root_.get(); }

private:
    struct Free {
        void operator()(yajl_val v) const { yajl_tree_free(v); }
    };
    std::unique_ptr<std::remove_pointer_t<yajl_val>, Free> root_;
};

// Object member lookup (nullptr when missing or `obj` is not an object).
yajl_val member(yajl_val obj, std::string_view key);
std::string getString(yajl_val obj, std::string_view key);
int64_t getInt(yajl_val obj, std::string_view key);
uint64_t getUint(yajl_val obj, std::string_view key);
bool getBool(yajl_val obj, std::string_view key);
std::map<std::string, std::string> getStringMap(yajl_val obj, std::string_view key);

}  // namespace lc::util
