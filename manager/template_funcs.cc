// The template engine's functions (template.h lists them), with Go's semantics and errors.
#include "template.h"
#include "template_detail.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <map>

#include "json.h"

namespace mgr::tmpl {

// ---------------------------------------------------------------------------------- functions

namespace {

using Fn = std::function<lc::Result<Value>(const std::vector<Value>&)>;

std::unexpected<lc::Error> fnErr(const std::string& what) { return lc::fail(EINVAL, what); }

lc::Result<int> compare(const Value& a, const Value& b) {
    using K = Value::Kind;
    auto num = [](const Value& v) { return v.kind == K::Int ? static_cast<double>(v.i) : v.f; };
    if ((a.kind == K::Int || a.kind == K::Float) && (b.kind == K::Int || b.kind == K::Float)) {
        if (a.kind == K::Int && b.kind == K::Int) return a.i < b.i ? -1 : a.i > b.i;
        return num(a) < num(b) ? -1 : num(a) > num(b);
    }
    if (a.kind == K::String && b.kind == K::String) return a.s < b.s ? -1 : a.s > b.s;
    if (a.kind == K::Bool && b.kind == K::Bool) return a.b == b.b ? 0 : 2;
    if ((a.kind == K::Null || a.kind == K::Invalid) && (b.kind == K::Null || b.kind == K::Invalid)) return 0;
    return fnErr("incompatible types for comparison");
}

std::string goSprint(const std::vector<Value>& args, bool ln) {
    std::string out;
    for (size_t k = 0; k < args.size(); ++k) {
        // Sprint: a space between operands when neither is a string; Sprintln: always
        if (k && (ln || (args[k - 1].kind != Value::Kind::String && args[k].kind != Value::Kind::String))) out += ' ';
        out += printValue(args[k]);
    }
    return ln ? out + "\n" : out;
}

std::string goSprintf(const std::string& f, const std::vector<Value>& args) {
    std::string out;
    size_t next = 1;
    for (size_t k = 0; k < f.size(); ++k) {
        if (f[k] != '%' || k + 1 >= f.size()) {
            out += f[k];
            continue;
        }
        ++k;
        if (f[k] == '%') {
            out += '%';
            continue;
        }
        bool left = false;
        if (f[k] == '-') {
            left = true;
            ++k;
        }
        size_t width = 0;
        while (k < f.size() && std::isdigit(static_cast<unsigned char>(f[k]))) width = width * 10 + static_cast<size_t>(f[k++] - '0');
        if (k >= f.size()) break;
        char verb = f[k];
        if (next >= args.size()) {
            out += std::string("%!") + verb + "(MISSING)";
            continue;
        }
        const Value& v = args[next++];
        std::string s = verb == 'q' ? json::quote(printValue(v)) : printValue(v);
        if (verb == 'd' && v.kind != Value::Kind::Int) s = std::string("%!d(") + s + ")";
        if (s.size() < width) s = left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
        out += s;
    }
    return out;
}

std::string mapChars(std::string s, int (*f)(int)) {
    for (auto& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
    return s;
}

const std::map<std::string, Fn>& functions() {
    using K = Value::Kind;
    static const std::map<std::string, Fn> fns = {
        {"json", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 1) return fnErr("wrong number of args for json: want 1 got " + std::to_string(a.size()));
             return Value::str(toJson(a[0]));
         }},
        {"index", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.empty()) return fnErr("wrong number of args for index: want at least 1 got 0");
             Value cur = a[0];
             for (size_t k = 1; k < a.size(); ++k) {
                 if (cur.kind == K::Array) {
                     if (a[k].kind != K::Int) return fnErr("cannot index slice/array with type " + printValue(a[k]));
                     if (a[k].i < 0 || static_cast<size_t>(a[k].i) >= cur.arr.size())
                         return fnErr("error calling index: index out of range: " + a[k].s);
                     cur = cur.arr[static_cast<size_t>(a[k].i)];
                 } else if (cur.kind == K::Object) {
                     if (a[k].kind != K::String) return fnErr("value has type " + printValue(a[k]) + "; should be string");
                     const Value* f = cur.field(a[k].s);
                     cur = f ? *f : Value::str("");
                 } else {
                     return fnErr("error calling index: cannot index " + printValue(cur));
                 }
             }
             return cur;
         }},
        {"len", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 1) return fnErr("wrong number of args for len: want 1 got " + std::to_string(a.size()));
             if (a[0].kind == K::String) return Value::integer(static_cast<int64_t>(a[0].s.size()));
             if (a[0].kind == K::Array) return Value::integer(static_cast<int64_t>(a[0].arr.size()));
             if (a[0].kind == K::Object) return Value::integer(static_cast<int64_t>(a[0].obj.size()));
             return fnErr("error calling len: len of type " + printValue(a[0]));
         }},
        {"upper", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 1) return fnErr("wrong number of args for upper: want 1 got " + std::to_string(a.size()));
             return Value::str(mapChars(printValue(a[0]), ::toupper));
         }},
        {"lower", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 1) return fnErr("wrong number of args for lower: want 1 got " + std::to_string(a.size()));
             return Value::str(mapChars(printValue(a[0]), ::tolower));
         }},
        {"title", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 1) return fnErr("wrong number of args for title: want 1 got " + std::to_string(a.size()));
             std::string s = printValue(a[0]);
             for (size_t k = 0; k < s.size(); ++k)
                 if (k == 0 || !std::isalnum(static_cast<unsigned char>(s[k - 1])))
                     s[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[k])));
             return Value::str(s);
         }},
        {"join", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 2) return fnErr("wrong number of args for join: want 2 got " + std::to_string(a.size()));
             if (a[0].kind != K::Array) return fnErr("error calling join: not a list");
             std::string out;
             for (size_t k = 0; k < a[0].arr.size(); ++k) out += (k ? printValue(a[1]) : "") + printValue(a[0].arr[k]);
             return Value::str(out);
         }},
        {"split", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 2) return fnErr("wrong number of args for split: want 2 got " + std::to_string(a.size()));
             std::string s = printValue(a[0]), sep = printValue(a[1]);
             Value out;
             out.kind = K::Array;
             if (sep.empty()) {
                 for (char c : s) out.arr.push_back(Value::str(std::string(1, c)));
                 return out;
             }
             for (size_t start = 0;;) {
                 size_t d = s.find(sep, start);
                 out.arr.push_back(Value::str(s.substr(start, d == std::string::npos ? std::string::npos : d - start)));
                 if (d == std::string::npos) return out;
                 start = d + sep.size();
             }
         }},
        {"truncate", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 2 || a[1].kind != K::Int || a[1].i < 0) return fnErr("error calling truncate: want a string and a length");
             std::string s = printValue(a[0]);
             return Value::str(s.size() <= static_cast<size_t>(a[1].i) ? s : s.substr(0, static_cast<size_t>(a[1].i)));
         }},
        {"pad", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 3 || a[1].kind != K::Int || a[2].kind != K::Int || a[1].i < 0 || a[2].i < 0 || a[1].i > 4096 || a[2].i > 4096)
                 return fnErr("error calling pad: want a string and two lengths (0 to 4096)");
             return Value::str(std::string(static_cast<size_t>(a[1].i), ' ') + printValue(a[0]) + std::string(static_cast<size_t>(a[2].i), ' '));
         }},
        {"print", [](const std::vector<Value>& a) -> lc::Result<Value> { return Value::str(goSprint(a, false)); }},
        {"println", [](const std::vector<Value>& a) -> lc::Result<Value> { return Value::str(goSprint(a, true)); }},
        {"printf", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.empty() || a[0].kind != K::String) return fnErr("error calling printf: want a format string");
             return Value::str(goSprintf(a[0].s, a));
         }},
        {"not", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() != 1) return fnErr("wrong number of args for not: want 1 got " + std::to_string(a.size()));
             return Value::boolean(!truthy(a[0]));
         }},
        {"and", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.empty()) return fnErr("wrong number of args for and: want at least 1 got 0");
             for (const auto& v : a)
                 if (!truthy(v)) return v;
             return a.back();
         }},
        {"or", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.empty()) return fnErr("wrong number of args for or: want at least 1 got 0");
             for (const auto& v : a)
                 if (truthy(v)) return v;
             return a.back();
         }},
        {"eq", [](const std::vector<Value>& a) -> lc::Result<Value> {
             if (a.size() < 2) return fnErr("missing argument for comparison");
             for (size_t k = 1; k < a.size(); ++k) {
                 auto c = compare(a[0], a[k]);
                 if (!c) return fnErr("error calling eq: " + c.error().message());
                 if (*c == 0) return Value::boolean(true);
             }
             return Value::boolean(false);
         }},
    };
    return fns;
}

lc::Result<Value> ordered(const std::string& name, const std::vector<Value>& a, const std::function<bool(int)>& ok) {
    if (a.size() != 2) return fnErr("wrong number of args for " + name + ": want 2 got " + std::to_string(a.size()));
    auto c = compare(a[0], a[1]);
    if (!c) return fnErr("error calling " + name + ": " + c.error().message());
    if (*c == 2 && name != "ne") return fnErr("error calling " + name + ": invalid type for comparison");
    return Value::boolean(ok(*c));
}

}  // namespace

lc::Result<Value> callFunc(const std::string& name, const std::vector<Value>& a) {
    if (name == "ne") return ordered(name, a, [](int c) { return c != 0; });
    if (name == "lt") return ordered(name, a, [](int c) { return c == -1; });
    if (name == "le") return ordered(name, a, [](int c) { return c == -1 || c == 0; });
    if (name == "gt") return ordered(name, a, [](int c) { return c == 1; });
    if (name == "ge") return ordered(name, a, [](int c) { return c == 1 || c == 0; });
    return functions().at(name)(a);
}

bool isFunction(const std::string& name) {
    return functions().contains(name) || name == "ne" || name == "lt" || name == "le" || name == "gt" || name == "ge";
}

}  // namespace mgr::tmpl
