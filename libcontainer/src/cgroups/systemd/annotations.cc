// org.systemd.property.* annotations -> unit properties (GVariant text values), as runc does.
#include <charconv>
#include <cmath>

#include "cgroups/fs.h"
#include "cgroups/systemd/props.h"

namespace lc::cgroups::systemd {
namespace {

constexpr std::string_view kPrefix = "org.systemd.property.";

struct IntType {
    const char* word;  // GVariant type keyword
    const char* sig;
    bool isSigned;
    uint64_t max;
};
constexpr IntType kIntTypes[] = {
    {"byte", "y", false, 0xff},           {"int16", "n", true, 0x7fff},
    {"uint16", "q", false, 0xffff},       {"int32", "i", true, 0x7fffffff},
    {"uint32", "u", false, 0xffffffff},   {"int64", "x", true, 0x7fffffffffffffff},
    {"uint64", "t", false, UINT64_MAX},
};

const IntType* intType(std::string_view s) {
    for (const auto& t : kIntTypes)
        if (s == t.word || (s.size() == 2 && s[0] == '@' && s.substr(1) == t.sig)) return &t;
    return nullptr;
}

Result<Value> parseInt(std::string_view s, const IntType& t) {
    s = trim(s);
    if (t.isSigned) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size() ||
            v > static_cast<int64_t>(t.max) || v < -static_cast<int64_t>(t.max) - 1)
            return fail(EINVAL, "\"" + std::string(s) + "\" is not a valid " + t.word);
        return Value{t.sig, v};
    }
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > t.max)
        return fail(EINVAL, "\"" + std::string(s) + "\" is not a valid " + t.word);
    return Value{t.sig, v};
}

// 'text' or "text" with backslash escapes; sets `rest` to what follows.
Result<std::string> parseQuoted(std::string_view s, std::string_view& rest) {
    const char q = s[0];
    std::string out;
    for (size_t i = 1; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && i + 1 < s.size()) {
            char n = s[++i];
            out.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            continue;
        }
        if (c == q) {
            rest = s.substr(i + 1);
            return out;
        }
        out.push_back(c);
    }
    return fail(EINVAL, "unterminated string");
}

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isLetter(char c) { return isLower(c) || (c >= 'A' && c <= 'Z'); }

// A value of "...Sec" properties in microseconds (uint64), as runc converts them.
Result<Value> toUSec(const Value& v) {
    constexpr uint64_t M = 1000000;
    if (auto* u = std::get_if<uint64_t>(&v.v)) return Value{"t", *u * M};
    if (auto* i = std::get_if<int64_t>(&v.v)) return Value{"t", static_cast<uint64_t>(*i) * M};
    if (auto* d = std::get_if<double>(&v.v)) return Value{"t", static_cast<uint64_t>(*d * M)};
    return fail(EINVAL, "not a number");
}

}  // namespace

Result<Value> parseGVariantText(std::string_view text) {
    std::string_view s = trim(text);
    if (s.empty()) return fail(EINVAL, "empty value");
    if (s == "true" || s == "false") return Value{"b", s == "true"};
    if (s[0] == '\'' || s[0] == '"') {
        std::string_view rest;
        auto str = parseQuoted(s, rest);
        if (!str) return std::unexpected(str.error());
        if (!trim(rest).empty()) return fail(EINVAL, "trailing text after the string");
        return Value{"s", std::move(*str)};
    }
    if (s.starts_with("@as")) s = trim(s.substr(3));
    if (s[0] == '[') {  // a list of strings
        std::vector<std::string> items;
        std::string_view rest = trim(s.substr(1));
        while (!rest.empty() && rest[0] != ']') {
            if (rest[0] != '\'' && rest[0] != '"') return fail(EINVAL, "only lists of strings are supported");
            auto str = parseQuoted(rest, rest);
            if (!str) return std::unexpected(str.error());
            items.push_back(std::move(*str));
            rest = trim(rest);
            if (!rest.empty() && rest[0] == ',') rest = trim(rest.substr(1));
        }
        if (rest.empty()) return fail(EINVAL, "unterminated list");
        if (!trim(rest.substr(1)).empty()) return fail(EINVAL, "trailing text after the list");
        return Value{"as", std::move(items)};
    }
    size_t sp = s.find_first_of(" \t");
    if (sp != std::string_view::npos) {
        std::string_view word = s.substr(0, sp);
        if (const IntType* t = intType(word)) return parseInt(s.substr(sp + 1), *t);
        if (word == "double" || word == "@d") s = trim(s.substr(sp + 1));
        else return fail(EINVAL, "unsupported type \"" + std::string(word) + "\"");
    }
    if (s.find_first_of(".eE") != std::string_view::npos) {
        std::string tmp(s);
        char* end = nullptr;
        double d = std::strtod(tmp.c_str(), &end);
        if (end != tmp.c_str() + tmp.size() || !std::isfinite(d)) return fail(EINVAL, "\"" + tmp + "\" is not a number");
        return Value{"d", d};
    }
    return parseInt(s, kIntTypes[3]);  // a bare number is an int32
}

Result<Properties> annotationProperties(const std::map<std::string, std::string>& annotations) {
    Properties out;
    for (const auto& [key, raw] : annotations) {
        if (!key.starts_with(kPrefix)) continue;
        std::string name = key.substr(kPrefix.size());
        if (name.size() < 3) return fail(EINVAL, "annotation " + key + " name incorrect: too short");
        for (char c : name)
            if (!isLetter(c)) return fail(EINVAL, "annotation " + key + " name incorrect: contains non-alphabetic character");
        auto v = parseGVariantText(raw);
        if (!v) return fail(EINVAL, "annotation " + key + "=" + raw + " value parse error: " + v.error().message());
        if (name.size() > 3 && name.ends_with("Sec") && isLower(name[name.size() - 4])) {
            auto us = toUSec(*v);
            if (!us) return fail(EINVAL, "annotation " + key + "=" + raw + " value parse error: " + us.error().message());
            name = name.substr(0, name.size() - 3) + "USec";
            *v = std::move(*us);
        }
        out.push_back({std::move(name), std::move(*v)});
    }
    return out;
}

}  // namespace lc::cgroups::systemd
