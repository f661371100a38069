// Shared machinery of the JSON writers: an RAII yajl generator with typed emitters, and the
// `write` overloads for the model's structs. Field order and omission follow the OCI JSON
// (the Go structs' `omitempty` tags), so output matches what runc writes.
#pragma once

#include <charconv>
#include <concepts>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/json.h"
#include "spec/spec.h"

namespace spec::detail {

// The one JSON writer of the tree (base/json.h); `runc spec` indents with tabs.
using lc::json::Writer;

// Struct writers (writer.cc, writer_linux.cc); each writes one JSON object.
void write(Writer& w, const Root& v);
void write(Writer& w, const IdMapping& v);
void write(Writer& w, const Mount& v);
void write(Writer& w, const User& v);
void write(Writer& w, const Box& v);
void write(Writer& w, const Capabilities& v);
void write(Writer& w, const Rlimit& v);
void write(Writer& w, const IoPriority& v);
void write(Writer& w, const Scheduler& v);
void write(Writer& w, const Process& v);
void write(Writer& w, const Hook& v);
void write(Writer& w, const Hooks& v);
void write(Writer& w, const Namespace& v);
void write(Writer& w, const Device& v);
void write(Writer& w, const DeviceCgroup& v);
void write(Writer& w, const Memory& v);
void write(Writer& w, const Cpu& v);
void write(Writer& w, const Pids& v);
void write(Writer& w, const WeightDevice& v);
void write(Writer& w, const ThrottleDevice& v);
void write(Writer& w, const BlockIO& v);
void write(Writer& w, const HugepageLimit& v);
void write(Writer& w, const InterfacePriority& v);
void write(Writer& w, const Network& v);
void write(Writer& w, const Rdma& v);
void write(Writer& w, const Resources& v);
void write(Writer& w, const SeccompArg& v);
void write(Writer& w, const SeccompSyscall& v);
void write(Writer& w, const Seccomp& v);
void write(Writer& w, const TimeOffset& v);
void write(Writer& w, const Personality& v);
void write(Writer& w, const IntelRdt& v);
void write(Writer& w, const Linux& v);
void write(Writer& w, const Spec& v);
void write(Writer& w, const State& v);

// Values of any supported type.
inline void value(Writer& w, const std::string& s) { w.str(s); }
inline void value(Writer& w, bool b) { w.boolean(b); }
template <std::integral T>
    requires(!std::same_as<T, bool>)
void value(Writer& w, T v) {
    w.integer(v);
}
template <typename T>
    requires std::is_class_v<T>
void value(Writer& w, const T& v) {
    write(w, v);
}
template <typename T>
void value(Writer& w, const std::vector<T>& v) {
    w.beginArray();
    for (const auto& e : v) value(w, e);
    w.endArray();
}
template <typename T>
void value(Writer& w, const std::map<std::string, T>& m) {
    w.beginObject();
    for (const auto& [k, e] : m) {
        w.key(k);
        value(w, e);
    }
    w.endObject();
}

// A member that is always written (no omitempty in the OCI JSON).
template <typename T>
void field(Writer& w, std::string_view k, const T& v) {
    w.key(k);
    value(w, v);
}

// omitempty: skip absent optionals, empty strings, containers, false and zero.
template <typename T>
void fieldOpt(Writer& w, std::string_view k, const std::optional<T>& v) {
    if (v) field(w, k, *v);
}
inline void fieldOpt(Writer& w, std::string_view k, const std::string& v) {
    if (!v.empty()) field(w, k, v);
}
inline void fieldOpt(Writer& w, std::string_view k, bool v) {
    if (v) field(w, k, v);
}
template <std::integral T>
    requires(!std::same_as<T, bool>)
void fieldOpt(Writer& w, std::string_view k, T v) {
    if (v != 0) field(w, k, v);
}
template <typename T>
void fieldOpt(Writer& w, std::string_view k, const std::vector<T>& v) {
    if (!v.empty()) field(w, k, v);
}
template <typename T>
void fieldOpt(Writer& w, std::string_view k, const std::map<std::string, T>& v) {
    if (!v.empty()) field(w, k, v);
}

}  // namespace spec::detail

// Shorthands for the struct writers, whose parameter is named `v`.
#define SPEC_PUT(name) ::spec::detail::field(w, #name, v.name)
#define SPEC_OPT(name) ::spec::detail::fieldOpt(w, #name, v.name)
