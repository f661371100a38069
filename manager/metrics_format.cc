#include "metrics_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "json.h"

namespace mgr::prom {

namespace {

std::string escape(std::string_view v, bool quotes) {
    std::string out;
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(v[i]);
        if (c >= 0x80) {
            size_t n = json::utf8Len(v, i);
            if (n == 0) {
                out += "\xEF\xBF\xBD";  // U+FFFD
                continue;
            }
            out.append(v.substr(i, n));
            i += n - 1;
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quotes) {
            out += "\\\"";
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

bool validLabelName(std::string_view s) {
    return !s.empty() && sanitizeLabelName(s) == s;
}

}  // namespace

std::string escapeLabelValue(std::string_view v) { return escape(v, true); }
std::string escapeHelp(std::string_view v) { return escape(v, false); }

std::string sanitizeLabelName(std::string_view s) {
    std::string out;
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) out += '_';
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out += ok ? c : '_';
    }
    return out;
}

std::string formatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", v);
        return std::string(buf) == "-0" ? "0" : buf;
    }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

void Exposition::add(const std::string& family, std::string_view type, std::string_view help, const Labels& labels,
                     double value) {
    auto [it, fresh] = families_.try_emplace(family);
    if (fresh) {
        it->second.type = type;
        it->second.help = help;
    }
    std::map<std::string, std::string_view> byName;  // sorted by name, as client_golang writes them
    for (const auto& [k, v] : labels) byName.try_emplace(validLabelName(k) ? k : sanitizeLabelName(k), v);
    std::string s;
    for (const auto& [name, v] : byName) {
        s += s.empty() ? "{" : ",";
        s += name + "=\"" + escapeLabelValue(v) + "\"";
    }
    if (!s.empty()) s += "}";
    s += " " + formatValue(value);
    it->second.samples.push_back(std::move(s));
}

std::string Exposition::text() const {
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + escapeHelp(f.help) + "\n";
        out += "# TYPE " + name + " " + f.type + "\n";
        for (const auto& s : f.samples) out += name + s + "\n";
    }
    return out;
}

}  // namespace mgr::prom
