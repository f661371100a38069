#include "options.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <regex>

#include <unistd.h>

#include "store.h"

namespace mgr {

namespace {

// (name, value, has '=') of each meaningful line.
struct KvLine {
    std::string key, value;
    bool hasValue;
};

lc::Result<std::vector<KvLine>> parseKvLines(const std::string& text, const std::string& file) {
    std::vector<KvLine> out;
    size_t start = 0;
    for (int lineNo = 1; start < text.size(); ++lineNo) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(start, nl - start);
        start = nl + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        line.erase(0, first);
        size_t eq = line.find('=');
        KvLine kv{line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1), eq != std::string::npos};
        if (kv.key.empty()) return lc::fail(EINVAL, "no variable name on line '" + line + "' of " + file);
        if (kv.key.find_first_of(" \t") != std::string::npos)
            return lc::fail(EINVAL, "variable '" + kv.key + "' contains whitespaces (" + file + " line " + std::to_string(lineNo) + ")");
        out.push_back(std::move(kv));
    }
    return out;
}

lc::Result<std::string> readText(const std::string& path) {
    if (::access(path.c_str(), R_OK) < 0) return lc::errnoError("open " + path);
    return readFile(path);
}

}  // namespace

lc::Result<std::vector<std::string>> parseEnvLines(const std::string& text, const std::string& file) {
    auto lines = parseKvLines(text, file);
    if (!lines) return std::unexpected(lines.error());
    std::vector<std::string> env;
    for (const auto& l : *lines) {
        if (l.hasValue) {
            env.push_back(l.key + "=" + l.value);
        } else if (const char* v = std::getenv(l.key.c_str())) {
            env.push_back(l.key + "=" + v);
        }
    }
    return env;
}

lc::Result<std::vector<std::string>> readEnvFile(const std::string& path) {
    auto text = readText(path);
    if (!text) return std::unexpected(text.error());
    return parseEnvLines(*text, path);
}

lc::Result<void> addLabel(std::map<std::string, std::string>& labels, const std::string& kv) {
    size_t eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    if (key.empty()) return lc::fail(EINVAL, "invalid label '" + kv + "': empty name");
    labels[key] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    return {};
}

lc::Result<void> addLabelFile(std::map<std::string, std::string>& labels, const std::string& path) {
    auto text = readText(path);
    if (!text) return std::unexpected(text.error());
    auto lines = parseKvLines(*text, path);
    if (!lines) return std::unexpected(lines.error());
    for (const auto& l : *lines) labels[l.key] = l.value;
    return {};
}

lc::Result<PsFilter> parsePsFilters(const std::vector<std::string>& flags) {
    static const std::vector<std::string> kStates = {"created", "restarting", "running", "removing", "paused", "exited", "dead"};
    PsFilter f;
    for (const auto& fl : flags) {
        size_t eq = fl.find('=');
        if (eq == std::string::npos) return lc::fail(EINVAL, "bad format of filter (expected name=value)");
        std::string key = fl.substr(0, eq), value = fl.substr(eq + 1);
        if (key != "id" && key != "name" && key != "status" && key != "label")
            return lc::fail(EINVAL, "invalid filter '" + key + "'");
        if (key == "status" && std::find(kStates.begin(), kStates.end(), value) == kStates.end())
            return lc::fail(EINVAL, "invalid filter 'status=" + value + "'");
        if (key == "name") {
            try {
                std::regex re(value);
            } catch (const std::regex_error&) {
                return lc::fail(EINVAL, "invalid filter 'name=" + value + "': not a regular expression");
            }
        }
        f.values[key].push_back(value);
    }
    return f;
}

bool psMatches(const PsFilter& f, const PsSubject& s) {
    for (const auto& [key, values] : f.values) {
        if (key == "label") {
            for (const auto& v : values) {  // every label must match
                size_t eq = v.find('=');
                auto it = s.labels.find(v.substr(0, eq));
                if (it == s.labels.end()) return false;
                if (eq != std::string::npos && it->second != v.substr(eq + 1)) return false;
            }
            continue;
        }
        bool any = false;
        for (const auto& v : values) {
            if (key == "id") any = any || s.id.starts_with(v);
            else if (key == "status") any = any || s.state == v;
            else if (key == "name") any = any || std::regex_search(s.name, std::regex(v));
        }
        if (!any) return false;
    }
    return true;
}

}  // namespace mgr
