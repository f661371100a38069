// The one JSON reader and writer of the tree (spec/, libcontainer/, the CLIs, the shim and the
// manager), both on yajl.
//
// Reader: a read-only Document built in one pass from yajl's event parser. Nodes live in one
// vector and link to their first child and next sibling by index, so the whole tree is a
// single allocation (plus rare copies of escaped strings). Strings, keys and number texts are
// kept with their length (an escaped NUL, "a\u0000b", reads back whole) and are views into the
// input where possible: parse() needs the input to outlive the Document, parseOwned() keeps
// its own copy. Numbers keep their source text, so uint64 values beyond int64 are exact.
// Nothing recurses, so deeply nested input neither builds nor frees on the stack.
//
// Writer: an RAII yajl generator with typed emitters.
#pragma once

#include <yajl/yajl_gen.h>

#include <charconv>
#include <concepts>
#include <cstdint>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace lc::json {

enum class Kind : uint8_t { Null, Bool, Number, String, Object, Array };

struct Node {
    Kind kind = Kind::Null;
    bool boolean = false;
    uint32_t first = 0;     // index of the first child; 0 = none (node 0 is the root)
    uint32_t next = 0;      // index of the next sibling; 0 = none
    uint32_t count = 0;     // number of children (objects, arrays)
    std::string_view key;   // member name when the parent is an object
    std::string_view text;  // string contents (unescaped) or number text
};

class Document;

// A handle on one node of a Document (or on nothing: a missing member). Cheap to copy; valid
// while its Document lives. Lookups on a missing value give missing values, so chains such as
// doc.root()["a"]["b"].str() need no checks in between.
class Value {
public:
    Value() = default;
    Value(const Document* d, uint32_t i) : doc_(d), index_(i) {}

    [[nodiscard]] bool exists() const { return doc_ != nullptr; }
    explicit operator bool() const { return exists(); }
    [[nodiscard]] Kind kind() const;
    [[nodiscard]] bool isNull() const { return !exists() || kind() == Kind::Null; }
    [[nodiscard]] bool isObject() const { return exists() && kind() == Kind::Object; }
    [[nodiscard]] bool isArray() const { return exists() && kind() == Kind::Array; }
    [[nodiscard]] bool isString() const { return exists() && kind() == Kind::String; }
    [[nodiscard]] bool isNumber() const { return exists() && kind() == Kind::Number; }
    [[nodiscard]] bool isBool() const { return exists() && kind() == Kind::Bool; }
    [[nodiscard]] const Node& node() const;
    [[nodiscard]] uint32_t index() const { return index_; }

    // The member name when this value sits in an object.
    [[nodiscard]] std::string_view key() const;
    // A string's contents or a number's text; empty for anything else.
    [[nodiscard]] std::string_view text() const;
    [[nodiscard]] std::string str() const { return isString() ? std::string(text()) : std::string(); }
    // Numbers: true and the value when it is an integer that fits; false otherwise.
    bool get(int64_t& out) const;
    bool get(uint64_t& out) const;
    // Scalars with a default for anything else (missing, another type, out of range).
    [[nodiscard]] int64_t asInt(int64_t def = 0) const;
    [[nodiscard]] uint64_t asUint(uint64_t def = 0) const;
    [[nodiscard]] bool asBool(bool def = false) const;

    // Object member by key (the first of duplicates); missing when absent or not an object.
    [[nodiscard]] Value operator[](std::string_view key) const;
    // Array element or object member by position; missing when out of range.
    [[nodiscard]] Value at(size_t i) const;
    [[nodiscard]] size_t size() const;

    // Children (array elements or object members, in document order).
    class Iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Value;
        using difference_type = std::ptrdiff_t;
        Iterator() = default;
        Iterator(const Document* d, uint32_t i) : doc_(d), index_(i) {}
        Value operator*() const { return Value(doc_, index_); }
        Iterator& operator++();
        Iterator operator++(int) {
            Iterator t = *this;
            ++*this;
            return t;
        }
        bool operator==(const Iterator& o) const { return index_ == o.index_; }

    private:
        const Document* doc_ = nullptr;
        uint32_t index_ = 0;
    };
    [[nodiscard]] Iterator begin() const;
    [[nodiscard]] Iterator end() const { return Iterator(doc_, 0); }

    // Conveniences over operator[]: a member's string, integer, boolean; the string members
    // of an object member (later duplicates win); the strings of an array member.
    [[nodiscard]] std::string getString(std::string_view k) const { return (*this)[k].str(); }
    [[nodiscard]] int64_t getInt(std::string_view k) const { return (*this)[k].asInt(); }
    [[nodiscard]] uint64_t getUint(std::string_view k) const { return (*this)[k].asUint(); }
    [[nodiscard]] bool getBool(std::string_view k) const { return (*this)[k].asBool(); }
    [[nodiscard]] std::map<std::string, std::string> getStringMap(std::string_view k) const;
    [[nodiscard]] std::vector<std::string> getStrings(std::string_view k) const;

private:
    const Document* doc_ = nullptr;
    uint32_t index_ = 0;
};

struct ParseOptions {
    bool allowComments = false;  // /* */ and // comments (yajl_allow_comments)
};

class Document {
public:
    Document() = default;
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;
    // Moves keep every view valid: the nodes are reached by index and the owned input and
    // the copies do not move.
    Document(Document&&) = default;
    Document& operator=(Document&&) = default;

    // Parses `json` (one complete value, UTF-8 checked). On failure the message carries
    // yajl's description and the byte offset ("invalid JSON: parse error: premature EOF at
    // offset 12"). The input must outlive the Document.
    Result<void> parse(std::string_view json, ParseOptions o = {});
    // Parses a copy of `json` that the Document keeps.
    static Result<Document> parseOwned(std::string json, ParseOptions o = {});

    [[nodiscard]] const Node& rootNode() const { return nodes_.front(); }
    [[nodiscard]] const Node& node(uint32_t i) const { return nodes_[i]; }
    [[nodiscard]] Value root() const { return nodes_.empty() ? Value() : Value(this, 0); }

    // Internal to the builder callbacks.
    struct Builder;

private:
    std::vector<Node> nodes_;
    std::deque<std::string> copies_;      // strings yajl handed us outside the input buffer
    std::unique_ptr<std::string> owned_;  // parseOwned's input (heap: its address is stable)
};

class Writer {
public:
    // Compact, or indented with `indent` ("\t" as runc spec writes, "  " elsewhere).
    explicit Writer(bool pretty = false, const char* indent = "\t");

    Writer& beginObject();
    Writer& endObject();
    Writer& beginArray();
    Writer& endArray();
    Writer& key(std::string_view k) { return str(k); }
    // A string as given (yajl escapes quotes and control characters; valid UTF-8 expected).
    Writer& str(std::string_view s);
    // Text from outside (logs, commands, file names): as quote() writes it, so NUL and bytes
    // that are not UTF-8 become U+FFFD instead of breaking the document.
    Writer& safeStr(std::string_view s);
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    Writer& integer(T v) {
        char buf[24];
        auto res = std::to_chars(buf, buf + sizeof buf, v);
        return raw(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
    }
    Writer& num(int64_t v) { return integer(v); }
    Writer& unum(uint64_t v) { return integer(v); }
    Writer& number(double v);
    Writer& boolean(bool v);
    Writer& null();
    // A value that is already JSON text (the caller vouches for it), in place of one value
    // (not a key: keys go through key()).
    Writer& raw(std::string_view json);
    Writer& stringMap(const std::map<std::string, std::string>& m);
    Writer& strings(const std::vector<std::string>& v);

    // The document written so far.
    [[nodiscard]] std::string text() const;

private:
    struct Free {
        void operator()(yajl_gen g) const { yajl_gen_free(g); }
    };
    std::unique_ptr<yajl_gen_t, Free> g_;
};

// Length of the valid UTF-8 sequence at s[i] (i < s.size()), 0 when the bytes there are not
// one (overlong forms, surrogates and code points above U+10FFFF are not).
size_t utf8Len(std::string_view s, size_t i);

// `s` as one JSON string literal, quotes included: valid UTF-8 passes through; NUL and every
// byte that is not part of a valid sequence become \ufffd, as Go's encoder (docker's logs and
// events) writes them; control characters and DEL as \u00XX.
std::string quote(std::string_view s);

}  // namespace lc::json
