#include "json_doc.h"

#include <yajl/yajl_parse.h>

#include <cstdint>
#include <memory>
#include <utility>

namespace spec::detail {

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

lc::Result<void> Document::parse(std::string_view json) {
    nodes_.clear();
    copies_.clear();
    // A config.json averages a node per ~10 bytes; one reservation avoids most regrowth.
    nodes_.reserve(json.size() / 10 + 8);

    Builder b{*this, json, {}, {}, false};
    b.open.reserve(16);
    Handle h(yajl_alloc(&kCallbacks, nullptr, &b));
    if (!h) return lc::fail(ENOMEM, "invalid JSON: cannot allocate parser");

    auto data = reinterpret_cast<const unsigned char*>(json.data());
    yajl_status st = yajl_parse(h.get(), data, json.size());
    size_t offset = yajl_get_bytes_consumed(h.get());
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h.get());
        offset = json.size();
    }
    if (st == yajl_status_ok && !nodes_.empty()) return {};
    if (b.tooLarge) return lc::fail("invalid JSON: document too large");
    return lc::fail("invalid JSON: " + yajlMessage(h.get()) + " at offset " +
                    std::to_string(offset));
}

}  // namespace spec::detail
