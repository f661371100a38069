// The Prometheus text exposition format, version 0.0.4: families of samples with # HELP and
// # TYPE lines, escaped label values and sanitized label names.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mgr::prom {

inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::pair<std::string, std::string>>;

// A label value in double quotes' content: \ -> \\, " -> \", newline -> \n; a byte that is
// not part of valid UTF-8 becomes U+FFFD (the format is UTF-8).
std::string escapeLabelValue(std::string_view v);
// HELP text: \ -> \\, newline -> \n (invalid UTF-8 as above).
std::string escapeHelp(std::string_view v);
// A valid label name ([a-zA-Z_][a-zA-Z0-9_]*) from any string: each other byte becomes '_',
// a leading digit gets a '_' before it; "" becomes "_".
std::string sanitizeLabelName(std::string_view s);
// A sample value: integers exactly (below 2^53), other numbers in the shortest form that
// reads back the same, NaN, +Inf, -Inf.
std::string formatValue(double v);

// Collects samples by family; text() writes the families sorted by name, each with its HELP
// and TYPE once, the samples in the order they were added, their labels sorted by name. A
// label name that is not valid is sanitized; a repeated label name keeps its first value.
class Exposition {
public:
    // type: counter, gauge, untyped. The first add() of a family sets its type and help.
    void add(const std::string& family, std::string_view type, std::string_view help, const Labels& labels, double value);
    [[nodiscard]] std::string text() const;
    [[nodiscard]] bool empty() const { return families_.empty(); }

private:
    struct Family {
        std::string type, help;
        std::vector<std::string> samples;  // "{labels} value" (the part after the name)
    };
    std::map<std::string, Family> families_;
};

}  // namespace mgr::prom
