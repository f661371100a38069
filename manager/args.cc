#include "args.h"

#include <cctype>
#include <cstdlib>

namespace mgr {

lc::Result<Args> Args::parse(const std::vector<std::string>& argv, const std::vector<Flag>& flags) {
    Args a;
    auto byLong = [&](const std::string& n) -> const Flag* {
        for (auto& f : flags)
            if (f.longName == n) return &f;
        return nullptr;
    };
    auto byShort = [&](char c) -> const Flag* {
        for (auto& f : flags)
            if (f.shortName == c) return &f;
        return nullptr;
    };
    size_t i = 0;
    for (; i < argv.size(); ++i) {
        const std::string& s = argv[i];
        if (s == "--") {
            ++i;
            break;
        }
        if (s.size() < 2 || s[0] != '-') break;
        if (s[1] == '-') {
            std::string name = s.substr(2), val;
            bool inl = false;
            if (auto eq = name.find('='); eq != std::string::npos) {
                val = name.substr(eq + 1);
                name = name.substr(0, eq);
                inl = true;
            }
            const Flag* f = byLong(name);
            if (!f) return lc::fail(EINVAL, "unknown flag: --" + name);
            if (f->takesValue && !inl) {
                if (i + 1 >= argv.size()) return lc::fail(EINVAL, "flag needs an argument: --" + name);
                val = argv[++i];
            } else if (!f->takesValue && inl) {
                if (val != "true" && val != "false") return lc::fail(EINVAL, "invalid value for --" + name + ": " + val);
                if (val == "false") continue;
                val.clear();
            }
            a.values_[f->longName].push_back(val);
            continue;
        }
        for (size_t k = 1; k < s.size(); ++k) {
            const Flag* f = byShort(s[k]);
            if (!f) return lc::fail(EINVAL, std::string("unknown shorthand flag: '") + s[k] + "' in " + s);
            if (!f->takesValue) {
                a.values_[f->longName].push_back("");
                continue;
            }
            std::string val = s.substr(k + 1);
            if (val.empty()) {
                if (i + 1 >= argv.size()) return lc::fail(EINVAL, std::string("flag needs an argument: -") + s[k]);
                val = argv[++i];
            }
            a.values_[f->longName].push_back(val);
            break;
        }
    }
    a.positional.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
    return a;
}

std::string Args::value(const std::string& n, const std::string& def) const {
    auto it = values_.find(n);
    return it == values_.end() || it->second.empty() ? def : it->second.back();
}

std::vector<std::string> Args::values(const std::string& n) const {
    auto it = values_.find(n);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

lc::Result<int64_t> parseInt(const std::string& s, const std::string& what) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end || errno) return lc::fail(EINVAL, "invalid " + what + ": " + s);
    return v;
}

lc::Result<int64_t> parseSize(const std::string& s) {
    if (s.empty()) return lc::fail(EINVAL, "invalid size: empty");
    std::string num = s;
    int64_t mul = 1;
    char last = static_cast<char>(std::tolower(static_cast<unsigned char>(num.back())));
    if (last == 'b' && num.size() > 1) {
        num.pop_back();
        last = static_cast<char>(std::tolower(static_cast<unsigned char>(num.back())));
    }
    if (last == 'k') mul = 1024;
    else if (last == 'm') mul = 1024 * 1024;
    else if (last == 'g') mul = 1024LL * 1024 * 1024;
    if (mul != 1) num.pop_back();
    auto v = parseInt(num, "size");
    if (!v || *v <= 0) return lc::fail(EINVAL, "invalid size: " + s);
    return *v * mul;
}

}  // namespace mgr
