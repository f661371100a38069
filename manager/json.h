// The manager's view of the tree's one JSON reader and writer (base/json.h): a builder for
// records and a reader that looks values up by a path of keys.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace mgr::json {

// `s` as a JSON string literal, quotes included (lc::json::quote: valid UTF-8 passes through;
// NUL and a byte that is not part of a valid sequence become \ufffd).
using lc::json::quote;
using lc::json::utf8Len;  // the valid UTF-8 sequence at s[i]: its length, or 0

// Builds one JSON object: Obj().str("a", "x").num("b", 1).done() == {"a":"x","b":1}
class Obj {
public:
    Obj& str(std::string_view key, std::string_view value);
    Obj& num(std::string_view key, int64_t value);
    Obj& boolean(std::string_view key, bool value);
    Obj& raw(std::string_view key, std::string_view json);  // value already JSON
    Obj& strs(std::string_view key, const std::vector<std::string>& values);
    // The object's text (closes it: add nothing after).
    [[nodiscard]] std::string done() const;

private:
    mutable lc::json::Writer w_ = open();
    mutable bool closed_ = false;
    static lc::json::Writer open();
};

// A parsed document; values are looked up by a path of object keys.
class Doc {
public:
    static lc::Result<Doc> parse(std::string_view text);
    static lc::Result<Doc> load(const std::string& path);

    [[nodiscard]] bool has(std::initializer_list<const char*> path) const;
    [[nodiscard]] std::string str(std::initializer_list<const char*> path, std::string def = {}) const;
    [[nodiscard]] int64_t num(std::initializer_list<const char*> path, int64_t def = 0) const;
    [[nodiscard]] bool boolean(std::initializer_list<const char*> path, bool def = false) const;
    [[nodiscard]] std::vector<std::string> strs(std::initializer_list<const char*> path) const;
    // A value by a dotted path ("State.ExitCode"): strings raw, numbers and booleans as JSON;
    // nullopt when absent or not a scalar.
    [[nodiscard]] std::optional<std::string> scalar(const std::string& dotted) const;
    // The object at `path` (an empty Doc when absent or not an object), sharing this one's tree.
    [[nodiscard]] Doc obj(std::initializer_list<const char*> path) const;
    // The objects of the array at `path` (non-objects skipped).
    [[nodiscard]] std::vector<Doc> objs(std::initializer_list<const char*> path) const;
    // The keys of the object at `path`.
    [[nodiscard]] std::vector<std::string> keys(std::initializer_list<const char*> path) const;
    [[nodiscard]] bool empty() const { return !root_.exists(); }

private:
    [[nodiscard]] lc::json::Value get(std::initializer_list<const char*> path) const;
    std::shared_ptr<const lc::json::Document> doc_;  // shared by the Docs obj() and objs() make
    lc::json::Value root_;
};

}  // namespace mgr::json
