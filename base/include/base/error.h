// Error and Result: the one error type used across base/, spec/, libcontainer/ and the CLIs.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <system_error>
#include <utility>

namespace lc {

// An error is an errno-style code plus a human message. Messages are lower case and
// name the path, id or field involved ("open /run/x/state.json: no such file or directory").
struct Error {
    std::error_code code;
    std::string context;

    // The full text: the context, then the code's description when there is a code.
    [[nodiscard]] std::string message() const {
        if (!code) return context;
        // strerror text, lower-cased as Go (and so runc) prints it: callers match on
        // "no such file or directory" and "permission denied".
        std::string text = code.message();
        if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' && !(text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z'))
            text[0] = static_cast<char>(text[0] - 'A' + 'a');
        if (text.empty()) return context;
        if (context.empty()) return text;
        return context + ": " + text;
    }
    [[nodiscard]] int errnum() const { return code ? code.value() : 0; }

    // Adds outer context: wrap("create") turns "x: y" into "create: x: y".
    [[nodiscard]] Error wrap(const std::string& outer) const& {
        Error e = *this;
        e.context = context.empty() ? outer : outer + ": " + context;
        return e;
    }
};

// A value or an Error. [[nodiscard]]: the compiler warns wherever a Result is dropped;
// a caller that means to ignore one says so with (void).
template <typename T = void>
class [[nodiscard]] Result : public std::expected<T, Error> {
public:
    using Base = std::expected<T, Error>;
    using Base::Base;
    constexpr Result() = default;
    constexpr Result(const Base& b) : Base(b) {}
    constexpr Result(Base&& b) : Base(std::move(b)) {}
};

// An Error from errno (read it right after the failing call).
inline std::unexpected<Error> errnoError(std::string context, int err = errno) {
    return std::unexpected(Error{std::error_code(err, std::generic_category()), std::move(context)});
}
// An Error with only a message (no errno).
inline std::unexpected<Error> fail(std::string context) {
    return std::unexpected(Error{std::error_code(), std::move(context)});
}
// A category for codes whose context already says everything ("container does not exist"):
// message() adds no strerror text, errnum() still tells the cause.
inline const std::error_category& quietCategory() {
    struct Quiet : std::error_category {
        const char* name() const noexcept override { return "lc-quiet"; }
        std::string message(int) const override { return {}; }
    };
    static const Quiet kQuiet;
    return kQuiet;
}
inline std::unexpected<Error> failQuiet(int err, std::string context) {
    return std::unexpected(Error{std::error_code(err, quietCategory()), std::move(context)});
}
// An Error whose message is complete as given, with a code that tells the cause
// (errnum()); unlike errnoError, no strerror text is appended.
inline std::unexpected<Error> fail(int err, std::string context) {
    return failQuiet(err, std::move(context));
}

}  // namespace lc

// Propagates the error of an expression of type Result<T>; yields nothing.
#define LC_TRY(expr)                                            \
    do {                                                        \
        auto&& lc_try_r_ = (expr);                              \
        if (!lc_try_r_) return std::unexpected(lc_try_r_.error()); \
    } while (0)

// Propagates the error with added context.
#define LC_TRY_CTX(expr, ctx)                                          \
    do {                                                               \
        auto&& lc_try_r_ = (expr);                                     \
        if (!lc_try_r_) return std::unexpected(lc_try_r_.error().wrap(ctx)); \
    } while (0)

#define LC_CONCAT_IMPL_(a, b) a##b
#define LC_CONCAT_(a, b) LC_CONCAT_IMPL_(a, b)

// Declares or assigns from the value of a Result, or propagates its error:
//   LC_TRY_ASSIGN(auto fd, openSomething());   LC_TRY_ASSIGN(existing, parse(text));
#define LC_TRY_ASSIGN(lhs, expr)                                             \
    auto&& LC_CONCAT_(lc_try_v_, __LINE__) = (expr);                         \
    if (!LC_CONCAT_(lc_try_v_, __LINE__))                                    \
        return std::unexpected(LC_CONCAT_(lc_try_v_, __LINE__).error());     \
    lhs = std::move(*LC_CONCAT_(lc_try_v_, __LINE__))
