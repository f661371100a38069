// Shared machinery of the JSON readers: a lazily rendered JSON path, the first error, and
// typed `read` overloads for every scalar, container and struct of the model.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/json.h"
#include "spec/spec.h"

namespace spec::detail {

using lc::json::Document;
using lc::json::Kind;
using lc::json::Node;

// One step from the document root to the value being read. Steps live on the C++ stack and
// are only turned into text ("linux.resources.devices[2].major") when an error is reported.
struct Path {
    enum class Step : uint8_t { Root, Member, Index, MapKey };
    const Path* parent = nullptr;
    Step step = Step::Root;
    std::string_view key;
    size_t index = 0;

    [[nodiscard]] Path member(std::string_view k) const { return {this, Step::Member, k, 0}; }
    [[nodiscard]] Path at(size_t i) const { return {this, Step::Index, {}, i}; }
    [[nodiscard]] Path mapKey(std::string_view k) const { return {this, Step::MapKey, k, 0}; }
    [[nodiscard]] std::string str() const;
};

struct Reader {
    const Document& doc;
    std::string error;  // "<path>: <problem>" once something failed

    // Records the first error; always returns false so callers can `return r.fail(...)`.
    bool fail(const Path& p, std::string_view problem);
};

// Calls f(key, value, path) for each member of object `n`, skipping null members (a JSON null
// means "absent"). Stops at the first f returning false.
template <class F>
bool forEachMember(Reader& r, const Node& n, const Path& p, F&& f) {
    if (n.kind != Kind::Object) return r.fail(p, "expected object");
    for (uint32_t i = n.first; i != 0;) {
        const Node& c = r.doc.node(i);
        i = c.next;
        if (c.kind == Kind::Null) continue;
        if (!f(c.key, c, p.member(c.key))) return false;
    }
    return true;
}

// Scalars.
bool read(Reader& r, const Node& n, const Path& p, std::string& out);
bool read(Reader& r, const Node& n, const Path& p, bool& out);

template <typename T>
constexpr const char* intName() {
    constexpr bool s = std::is_signed_v<T>;
    switch (sizeof(T)) {
        case 1: return s ? "int8" : "uint8";
        case 2: return s ? "int16" : "uint16";
        case 4: return s ? "int32" : "uint32";
        default: return s ? "int64" : "uint64";
    }
}

bool isIntegerText(std::string_view t);
bool outOfRange(Reader& r, const Node& n, const Path& p, const char* type);

template <std::integral T>
    requires(!std::same_as<T, bool>)
bool read(Reader& r, const Node& n, const Path& p, T& out) {
    if (n.kind != Kind::Number || !isIntegerText(n.text)) return r.fail(p, "expected integer");
    const char* b = n.text.data();
    const char* e = b + n.text.size();
    using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
    Wide v = 0;
    auto [end, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || end != e || !std::in_range<T>(v))
        return outOfRange(r, n, p, intName<T>());
    out = static_cast<T>(v);
    return true;
}

// Struct readers (reader.cc, reader_linux.cc). Declared before the container templates so
// that those find them for element types.
bool read(Reader& r, const Node& n, const Path& p, Root& out);
bool read(Reader& r, const Node& n, const Path& p, IdMapping& out);
bool read(Reader& r, const Node& n, const Path& p, Mount& out);
bool read(Reader& r, const Node& n, const Path& p, User& out);
bool read(Reader& r, const Node& n, const Path& p, Box& out);
bool read(Reader& r, const Node& n, const Path& p, Capabilities& out);
bool read(Reader& r, const Node& n, const Path& p, Rlimit& out);
bool read(Reader& r, const Node& n, const Path& p, IoPriority& out);
bool read(Reader& r, const Node& n, const Path& p, Scheduler& out);
bool read(Reader& r, const Node& n, const Path& p, Process& out);
bool read(Reader& r, const Node& n, const Path& p, Hook& out);
bool read(Reader& r, const Node& n, const Path& p, Hooks& out);
bool read(Reader& r, const Node& n, const Path& p, Namespace& out);
bool read(Reader& r, const Node& n, const Path& p, Device& out);
bool read(Reader& r, const Node& n, const Path& p, DeviceCgroup& out);
bool read(Reader& r, const Node& n, const Path& p, Memory& out);
bool read(Reader& r, const Node& n, const Path& p, Cpu& out);
bool read(Reader& r, const Node& n, const Path& p, Pids& out);
bool read(Reader& r, const Node& n, const Path& p, WeightDevice& out);
bool read(Reader& r, const Node& n, const Path& p, ThrottleDevice& out);
bool read(Reader& r, const Node& n, const Path& p, BlockIO& out);
bool read(Reader& r, const Node& n, const Path& p, HugepageLimit& out);
bool read(Reader& r, const Node& n, const Path& p, InterfacePriority& out);
bool read(Reader& r, const Node& n, const Path& p, Network& out);
bool read(Reader& r, const Node& n, const Path& p, Rdma& out);
bool read(Reader& r, const Node& n, const Path& p, Resources& out);
bool read(Reader& r, const Node& n, const Path& p, SeccompArg& out);
bool read(Reader& r, const Node& n, const Path& p, SeccompSyscall& out);
bool read(Reader& r, const Node& n, const Path& p, Seccomp& out);
bool read(Reader& r, const Node& n, const Path& p, TimeOffset& out);
bool read(Reader& r, const Node& n, const Path& p, Personality& out);
bool read(Reader& r, const Node& n, const Path& p, IntelRdt& out);
bool read(Reader& r, const Node& n, const Path& p, Linux& out);
bool read(Reader& r, const Node& n, const Path& p, Spec& out);
bool read(Reader& r, const Node& n, const Path& p, State& out);

// Containers. An optional is engaged (and read into in place, so a repeated key merges as in
// Go); a vector is replaced; a null array element keeps its zero value, as Go does.
template <typename T>
bool read(Reader& r, const Node& n, const Path& p, std::optional<T>& out) {
    if (!out) out.emplace();
    return read(r, n, p, *out);
}

template <typename T>
bool read(Reader& r, const Node& n, const Path& p, std::vector<T>& out) {
    if (n.kind != Kind::Array) return r.fail(p, "expected array");
    out.clear();
    out.resize(n.count);
    size_t i = 0;
    for (uint32_t c = n.first; c != 0; ++i) {
        const Node& e = r.doc.node(c);
        c = e.next;
        if (e.kind != Kind::Null && !read(r, e, p.at(i), out[i])) return false;
    }
    return true;
}

template <typename T>
bool read(Reader& r, const Node& n, const Path& p, std::map<std::string, T>& out) {
    if (n.kind != Kind::Object) return r.fail(p, "expected object");
    for (uint32_t c = n.first; c != 0;) {
        const Node& e = r.doc.node(c);
        c = e.next;
        T& slot = out[std::string(e.key)];
        if (e.kind != Kind::Null && !read(r, e, p.mapKey(e.key), slot)) return false;
    }
    return true;
}

}  // namespace spec::detail

// Reads member `name` of the struct `out` when the current key is "name"; used inside the
// forEachMember callbacks of the struct readers (k, v, vp are the callback's parameters).
#define SPEC_FIELD(name) \
    if (k == #name) return read(r, v, vp, out.name)
