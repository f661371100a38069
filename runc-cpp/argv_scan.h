// The part of the command line walk that also runs before the C library is initialised
// (prestart.cc, the binary's entry point): where the global options end and what the command
// is. No allocation and no library call (not even an implicit memcmp or strlen), internal
// linkage in every file that includes it, so that the copy the entry point runs is built with
// that file's flags (no stack protector there: the canary is not set up yet).
#pragma once

#include <cstddef>

namespace cli::scan {

// s[0..n) equals the NUL-terminated literal.
[[gnu::always_inline]] static inline constexpr bool same(const char* s, std::size_t n, const char* lit) {
    for (std::size_t i = 0; i < n; ++i)
        if (lit[i] == '\0' || lit[i] != s[i]) return false;
    return lit[n] == '\0';
}

[[gnu::always_inline]] static inline constexpr std::size_t length(const char* s) {
    std::size_t n = 0;
    while (s[n] != '\0') ++n;
    return n;
}

[[gnu::always_inline]] static inline constexpr bool startsWith(const char* s, const char* prefix) {
    for (std::size_t i = 0; prefix[i] != '\0'; ++i)
        if (s[i] != prefix[i]) return false;
    return true;
}

// Global options that take a value (name without "=value").
[[gnu::always_inline]] static inline constexpr bool takesValue(const char* name, std::size_t n) {
    return same(name, n, "--root") || same(name, n, "--log") || same(name, n, "--log-format") ||
           same(name, n, "--criu") || same(name, n, "--rootless");
}

[[gnu::always_inline]] static inline constexpr bool helpOrVersion(const char* a) {
    const std::size_t n = length(a);
    return same(a, n, "-h") || same(a, n, "--help") || same(a, n, "-v") || same(a, n, "--version");
}

// Where the command name is among n arguments (arg(i) gives the i-th, argv[0] not included):
// global options end at the first argument that does not start with '-'; a value-taking one
// written without '=' takes the next argument with it. n when there is no command.
template <class Arg>
[[gnu::always_inline]] static inline constexpr std::size_t commandIndex(std::size_t n, Arg arg) {
    std::size_t i = 0;
    for (; i < n; ++i) {
        const char* a = arg(i);
        if (a[0] != '-') break;
        bool hasValue = false;
        for (const char* p = a; *p != '\0'; ++p) hasValue = hasValue || *p == '=';
        if (!hasValue && takesValue(a, length(a)) && i + 1 < n) ++i;
    }
    return i;
}

// The commands that start container processes: they run from a protected copy of the binary
// (libcontainer/src/security/exe_protect.h).
[[gnu::always_inline]] static inline constexpr bool startsContainers(const char* command) {
    const std::size_t n = length(command);
    return same(command, n, "create") || same(command, n, "run") || same(command, n, "exec");
}

}  // namespace cli::scan
