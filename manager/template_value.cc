// Values of the template engine (template.h): built from JSON, printed as Go prints them.
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

// ---------------------------------------------------------------------------------- values

Value Value::str(std::string v) {
    Value x;
    x.kind = Kind::String;
    x.s = std::move(v);
    return x;
}

Value Value::integer(int64_t v) {
    Value x;
    x.kind = Kind::Int;
    x.i = v;
    x.s = std::to_string(v);
    return x;
}

Value Value::boolean(bool v) {
    Value x;
    x.kind = Kind::Bool;
    x.b = v;
    return x;
}

namespace {

Value convert(lc::json::Value v, bool isMap) {
    Value x;
    switch (v.kind()) {
    case lc::json::Kind::Null: x.kind = Value::Kind::Null; break;
    case lc::json::Kind::Bool: x = Value::boolean(v.asBool()); break;
    case lc::json::Kind::String: x = Value::str(v.str()); break;
    case lc::json::Kind::Number:
        if (int64_t n = 0; v.get(n)) {
            x = Value::integer(n);
        } else {
            x.kind = Value::Kind::Float;
            x.s = std::string(v.text());
            x.f = std::strtod(x.s.c_str(), nullptr);
        }
        break;
    case lc::json::Kind::Array:
        x.kind = Value::Kind::Array;
        for (lc::json::Value e : v) x.arr.push_back(convert(e, false));
        break;
    case lc::json::Kind::Object:
        x.kind = Value::Kind::Object;
        x.isMap = isMap;
        for (lc::json::Value e : v) {
            std::string key(e.key());
            x.obj.emplace_back(key, convert(e, key == "Labels"));
        }
        break;
    }
    return x;
}

}  // namespace

std::vector<const std::pair<std::string, Value>*> sortedEntries(const Value& v) {
    std::vector<const std::pair<std::string, Value>*> out;
    for (const auto& e : v.obj) out.push_back(&e);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->first < b->first; });
    return out;
}

lc::Result<Value> Value::fromJson(std::string_view text) {
    lc::json::Document doc;
    LC_TRY(doc.parse(text, {.allowComments = true}));
    return convert(doc.root(), false);
}

const Value* Value::field(const std::string& key) const {
    for (const auto& [k, v] : obj)
        if (k == key) return &v;
    return nullptr;
}

std::string printValue(const Value& v) {
    using K = Value::Kind;
    switch (v.kind) {
    case K::Invalid: return "<no value>";
    case K::Null: return "<nil>";
    case K::Bool: return v.b ? "true" : "false";
    case K::Int:
    case K::Float:
    case K::String: return v.s;
    case K::Array: {
        std::string out = "[";
        for (size_t k = 0; k < v.arr.size(); ++k) out += (k ? " " : "") + printValue(v.arr[k]);
        return out + "]";
    }
    case K::Object: {
        std::string out;
        if (v.isMap) {
            out = "map[";
            bool first = true;
            for (auto* e : sortedEntries(v)) {
                out += (first ? "" : " ") + e->first + ":" + printValue(e->second);
                first = false;
            }
        } else {
            out = "{";
            for (size_t k = 0; k < v.obj.size(); ++k) out += (k ? " " : "") + printValue(v.obj[k].second);
        }
        return out + (v.isMap ? "]" : "}");
    }
    }
    return {};
}

std::string toJson(const Value& v) {
    using K = Value::Kind;
    auto quote = [](const std::string& s) {
        std::string q = json::quote(s), out;
        for (char c : q) {
            if (c == '<') out += "\\u003c";
            else if (c == '>') out += "\\u003e";
            else if (c == '&') out += "\\u0026";
            else out += c;
        }
        return out;
    };
    switch (v.kind) {
    case K::Invalid:
    case K::Null: return "null";
    case K::Bool: return v.b ? "true" : "false";
    case K::Int:
    case K::Float: return v.s;
    case K::String: return quote(v.s);
    case K::Array: {
        std::string out = "[";
        for (size_t k = 0; k < v.arr.size(); ++k) out += (k ? "," : "") + toJson(v.arr[k]);
        return out + "]";
    }
    case K::Object: {
        std::string out = "{";
        bool first = true;
        auto add = [&](const std::pair<std::string, Value>& e) {
            out += (first ? "" : ",") + quote(e.first) + ":" + toJson(e.second);
            first = false;
        };
        if (v.isMap)
            for (auto* e : sortedEntries(v)) add(*e);
        else
            for (const auto& e : v.obj) add(e);
        return out + "}";
    }
    }
    return {};
}

bool truthy(const Value& v) {
    using K = Value::Kind;
    switch (v.kind) {
    case K::Invalid:
    case K::Null: return false;
    case K::Bool: return v.b;
    case K::Int: return v.i != 0;
    case K::Float: return v.f != 0;
    case K::String: return !v.s.empty();
    case K::Array: return !v.arr.empty();
    case K::Object: return !v.isMap || !v.obj.empty();
    }
    return false;
}

}  // namespace mgr::tmpl
