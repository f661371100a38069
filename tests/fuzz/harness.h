// The bodies of the fuzz targets, shared by the libFuzzer entry points (tests/fuzz/*.cc,
// built with clang by tests/fuzz/run.sh) and the corpus replay unit test
// (tests/fuzz_regress/, built with the main g++ build), so every corpus file and every
// reproducer is checked by `unit-tests` too.
//
// Besides "does not crash" each body checks a property and aborts when it is broken:
//   - parse -> write -> parse succeeds and the second write equals the first (the writer
//     emits only what the reader accepts, and nothing is lost or invented on the way);
//   - validate() gives the same verdict before and after that round trip;
//   - the state record decodes what it encodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spec/json.h"
#include "state/record.h"

namespace fuzz {

// A broken property aborts under libFuzzer (which then saves the input); the replay unit test
// defines FUZZ_HARNESS_THROWS to get an exception that Catch2 reports instead.
[[noreturn]] inline void broken(const char* what, const std::string& a, const std::string& b) {
#ifdef FUZZ_HARNESS_THROWS
    throw std::runtime_error(std::string(what) + "\n--- first\n" + a + "\n--- second\n" + b);
#endif
    std::fprintf(stderr, "fuzz property broken: %s\n--- first\n%s\n--- second\n%s\n", what,
                 a.c_str(), b.c_str());
    std::abort();
}

inline std::string_view asText(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A parser P for type T and its writer: the round trip must be a fixed point after one step.
template <typename T, typename Parse>
void roundTrip(const char* what, std::string_view input, Parse parse) {
    auto first = parse(input);
    if (!first) {
        if (first.error().message().empty()) broken(what, "error without a message", "");
        return;
    }
    std::string once = spec::toJson(*first);
    auto second = parse(once);
    if (!second) broken(what, once, second.error().message());
    std::string twice = spec::toJson(*second);
    if (once != twice) broken(what, once, twice);
    // The pretty writer must produce the same document.
    auto third = parse(spec::toJson(*second, true));
    if (!third) broken(what, "pretty output does not parse", third.error().message());
    if (spec::toJson(*third) != once) broken(what, once, spec::toJson(*third));
}

inline int config(const uint8_t* data, size_t size) {
    roundTrip<spec::Spec>("config round trip", asText(data, size),
                          [](std::string_view j) { return spec::parseSpec(j); });
    return 0;
}

inline int process(const uint8_t* data, size_t size) {
    roundTrip<spec::Process>("process round trip", asText(data, size),
                             [](std::string_view j) { return spec::parseProcess(j); });
    return 0;
}

inline int resources(const uint8_t* data, size_t size) {
    roundTrip<spec::Resources>("resources round trip", asText(data, size),
                               [](std::string_view j) { return spec::parseResources(j); });
    return 0;
}

// validate(): its verdict and message must not depend on whether the spec came straight
// from the input or went through the writer first.
inline int validate(const uint8_t* data, size_t size) {
    auto s = spec::parseSpec(asText(data, size));
    if (!s) return 0;
    auto v1 = spec::validate(*s);
    auto again = spec::parseSpec(spec::toJson(*s));
    if (!again) broken("validate: written spec does not parse", spec::toJson(*s), again.error().message());
    auto v2 = spec::validate(*again);
    std::string m1 = v1 ? "ok" : v1.error().message();
    std::string m2 = v2 ? "ok" : v2.error().message();
    if (m1 != m2) broken("validate verdict changed by the round trip", m1, m2);
    if (!v1 && m1.empty()) broken("validate: error without a message", "", "");
    return 0;
}

// state.json as the store reads it (decodeRecord) and as `runc state` prints it (parseState).
inline int state(const uint8_t* data, size_t size) {
    std::string_view in = asText(data, size);
    if (auto st = spec::parseState(in)) {
        std::string once = spec::toJson(*st);
        auto again = spec::parseState(once);
        if (!again) broken("state round trip", once, again.error().message());
        if (spec::toJson(*again) != once) broken("state round trip", once, spec::toJson(*again));
    }
    auto r = lc::state::decodeRecord(in);
    if (!r) return 0;
    std::string once = lc::state::encodeRecord(*r);
    auto again = lc::state::decodeRecord(once);
    if (!again) broken("state record round trip", once, again.error().message());
    if (lc::state::encodeRecord(*again) != once)
        broken("state record round trip", once, lc::state::encodeRecord(*again));
    return 0;
}

}  // namespace fuzz
