#include "base/json.h"

#include <yajl/yajl_parse.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <utility>

namespace lc::json {

struct Document::Builder {
    Document& doc;
    std::string_view input;
    std::vector<std::pair<uint32_t, uint32_t>> open;  // (container, its last child so far)
    std::string_view pendingKey;
    bool tooLarge = false;

    // yajl hands out pointers into the input unless the string had escapes (or a number was
    // split at the end of input); only those are copied.
    std::string_view keep(const unsigned char* p, size_t n) {
        auto s = reinterpret_cast<const char*>(p);
        auto a = reinterpret_cast<uintptr_t>(s);
        auto lo = reinterpret_cast<uintptr_t>(input.data());
        if (a >= lo && a + n <= lo + input.size()) return {s, n};
        return doc.copies_.emplace_back(s, n);
    }

    bool add(Kind kind, std::string_view text = {}, bool b = false) {
        auto& nodes = doc.nodes_;
        if (nodes.size() >= UINT32_MAX) {
            tooLarge = true;
            return false;
        }
        auto idx = static_cast<uint32_t>(nodes.size());
        Node& n = nodes.emplace_back();
        n.kind = kind;
        n.text = text;
        n.boolean = b;
        if (!open.empty()) {
            auto& [parent, last] = open.back();
            if (nodes[parent].kind == Kind::Object) n.key = std::exchange(pendingKey, {});
            if (last == 0)
                nodes[parent].first = idx;
            else
                nodes[last].next = idx;
            last = idx;
            ++nodes[parent].count;
        }
        if (kind == Kind::Object || kind == Kind::Array) open.emplace_back(idx, 0);
        return true;
    }

    static Builder& self(void* ctx) { return *static_cast<Builder*>(ctx); }

    static int onNull(void* ctx) { return self(ctx).add(Kind::Null); }
    static int onBool(void* ctx, int b) { return self(ctx).add(Kind::Bool, {}, b != 0); }
    static int onNumber(void* ctx, const char* s, size_t n) {
        auto& b = self(ctx);
        return b.add(Kind::Number, b.keep(reinterpret_cast<const unsigned char*>(s), n));
    }
    static int onString(void* ctx, const unsigned char* s, size_t n) {
        auto& b = self(ctx);
        return b.add(Kind::String, b.keep(s, n));
    }
    static int onKey(void* ctx, const unsigned char* s, size_t n) {
        auto& b = self(ctx);
        b.pendingKey = b.keep(s, n);
        return 1;
    }
    static int onStartMap(void* ctx) { return self(ctx).add(Kind::Object); }
    static int onStartArray(void* ctx) { return self(ctx).add(Kind::Array); }
    static int onEnd(void* ctx) {
        self(ctx).open.pop_back();
        return 1;
    }
};

namespace {

using B = Document::Builder;
constexpr yajl_callbacks kCallbacks = {
    .yajl_null = B::onNull,
    .yajl_boolean = B::onBool,
    .yajl_integer = nullptr,
    .yajl_double = nullptr,
    .yajl_number = B::onNumber,  // raw text: exact for any integer width
    .yajl_string = B::onString,
    .yajl_start_map = B::onStartMap,
    .yajl_map_key = B::onKey,
    .yajl_end_map = B::onEnd,
    .yajl_start_array = B::onStartArray,
    .yajl_end_array = B::onEnd,
};

struct HandleFree {
    void operator()(yajl_handle h) const { yajl_free(h); }
};
using Handle = std::unique_ptr<yajl_handle_t, HandleFree>;

// yajl's short message ("parse error: premature EOF\n") without the trailing newline.
std::string yajlMessage(yajl_handle h) {
    unsigned char* raw = yajl_get_error(h, 0, nullptr, 0);
    std::string msg = raw ? reinterpret_cast<const char*>(raw) : "parse error";
    if (raw) yajl_free_error(h, raw);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return msg;
}

}  // namespace

Result<void> Document::parse(std::string_view json, ParseOptions o) {
    nodes_.clear();
    copies_.clear();
    if (owned_ && json.data() != owned_->data()) owned_.reset();
    // A config.json averages a node per ~10 bytes; one reservation avoids most regrowth.
    nodes_.reserve(json.size() / 10 + 8);

    Builder b{*this, json, {}, {}, false};
    b.open.reserve(16);
    Handle h(yajl_alloc(&kCallbacks, nullptr, &b));
    if (!h) return fail(ENOMEM, "invalid JSON: cannot allocate parser");
    if (o.allowComments) yajl_config(h.get(), yajl_allow_comments, 1);

    auto data = reinterpret_cast<const unsigned char*>(json.data());
    yajl_status st = yajl_parse(h.get(), data, json.size());
    size_t offset = yajl_get_bytes_consumed(h.get());
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h.get());
        offset = json.size();
    }
    if (st == yajl_status_ok && !nodes_.empty()) return {};
    if (b.tooLarge) return fail(EINVAL, "invalid JSON: document too large");
    return fail(EINVAL, "invalid JSON: " + yajlMessage(h.get()) + " at offset " +
                    std::to_string(offset));
}

Result<Document> Document::parseOwned(std::string json, ParseOptions o) {
    Document d;
    d.owned_ = std::make_unique<std::string>(std::move(json));
    LC_TRY(d.parse(*d.owned_, o));
    return d;
}

// --- Value ---

Kind Value::kind() const { return node().kind; }
const Node& Value::node() const {
    static const Node kMissing;
    return doc_ ? doc_->node(index_) : kMissing;
}
std::string_view Value::key() const { return node().key; }
std::string_view Value::text() const {
    const Node& n = node();
    return n.kind == Kind::String || n.kind == Kind::Number ? n.text : std::string_view();
}

namespace {
// A number's whole text as an integer of type T (no fraction, exponent or overflow).
template <typename T>
bool integerText(const Value& v, T& out) {
    if (!v.isNumber()) return false;
    std::string_view t = v.node().text;
    T n = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || p != t.data() + t.size()) return false;
    out = n;
    return true;
}
}  // namespace

bool Value::get(int64_t& out) const { return integerText(*this, out); }
bool Value::get(uint64_t& out) const { return integerText(*this, out); }
int64_t Value::asInt(int64_t def) const {
    int64_t v = 0;
    return get(v) ? v : def;
}
uint64_t Value::asUint(uint64_t def) const {
    uint64_t v = 0;
    return get(v) ? v : def;
}
bool Value::asBool(bool def) const { return isBool() ? node().boolean : def; }

Value Value::operator[](std::string_view k) const {
    if (!isObject()) return {};
    for (uint32_t i = node().first; i != 0; i = doc_->node(i).next)
        if (doc_->node(i).key == k) return Value(doc_, i);
    return {};
}
Value Value::at(size_t pos) const {
    if (!isObject() && !isArray()) return {};
    size_t n = 0;
    for (uint32_t i = node().first; i != 0; i = doc_->node(i).next, ++n)
        if (n == pos) return Value(doc_, i);
    return {};
}
size_t Value::size() const { return isObject() || isArray() ? node().count : 0; }
Value::Iterator Value::begin() const {
    return isObject() || isArray() ? Iterator(doc_, node().first) : end();
}
Value::Iterator& Value::Iterator::operator++() {
    index_ = doc_->node(index_).next;
    return *this;
}

std::map<std::string, std::string> Value::getStringMap(std::string_view k) const {
    std::map<std::string, std::string> out;
    for (Value v : (*this)[k])
        if (v.isString()) out[std::string(v.key())] = v.str();
    return out;
}
std::vector<std::string> Value::getStrings(std::string_view k) const {
    std::vector<std::string> out;
    Value a = (*this)[k];
    if (!a.isArray()) return out;
    for (Value v : a)
        if (v.isString()) out.push_back(v.str());
    return out;
}

// --- Writer ---

Writer::Writer(bool pretty, const char* indent) : g_(yajl_gen_alloc(nullptr)) {
    if (pretty) {
        yajl_gen_config(g_.get(), yajl_gen_beautify, 1);
        yajl_gen_config(g_.get(), yajl_gen_indent_string, indent);
    }
}
Writer& Writer::beginObject() { yajl_gen_map_open(g_.get()); return *this; }
Writer& Writer::endObject() { yajl_gen_map_close(g_.get()); return *this; }
Writer& Writer::beginArray() { yajl_gen_array_open(g_.get()); return *this; }
Writer& Writer::endArray() { yajl_gen_array_close(g_.get()); return *this; }
Writer& Writer::str(std::string_view s) {
    yajl_gen_string(g_.get(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
    return *this;
}
Writer& Writer::safeStr(std::string_view s) { return raw(quote(s)); }
Writer& Writer::number(double v) { yajl_gen_double(g_.get(), v); return *this; }
Writer& Writer::boolean(bool v) { yajl_gen_bool(g_.get(), v ? 1 : 0); return *this; }
Writer& Writer::null() { yajl_gen_null(g_.get()); return *this; }
// yajl_gen_number emits its text verbatim in the place of one value (commas and
// indentation included), which is what a pre-serialized value needs.
Writer& Writer::raw(std::string_view json) {
    yajl_gen_number(g_.get(), json.data(), json.size());
    return *this;
}
Writer& Writer::stringMap(const std::map<std::string, std::string>& m) {
    beginObject();
    for (const auto& [k, v] : m) key(k).str(v);
    return endObject();
}
Writer& Writer::strings(const std::vector<std::string>& v) {
    beginArray();
    for (const auto& s : v) str(s);
    return endArray();
}
std::string Writer::text() const {
    const unsigned char* buf = nullptr;
    size_t len = 0;
    yajl_gen_get_buf(g_.get(), &buf, &len);
    return std::string(reinterpret_cast<const char*>(buf), len);
}

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
        auto ch = static_cast<unsigned char>(s[i]);
        if (ch >= 0x80) {
            // valid UTF-8 as is; any other byte becomes U+FFFD, as Go's encoder (so docker's
            // log driver) writes it, so that the document stays valid JSON
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
        case 0: out += "\\ufffd"; break;  // many readers would cut the string there
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out += kHex[ch >> 4];
                out += kHex[ch & 15];
            } else {
                out += static_cast<char>(ch);
            }
        }
    }
    out += '"';
    return out;
}

}  // namespace lc::json
