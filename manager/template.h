// --format: a Go text/template subset, evaluated over a JSON value tree (what docker's
// --format does over its structs). Supported: literal text, {{pipeline}} with fields
// (.A.B), $ and $var (with fields), string/raw-string/number/bool/nil literals, ( ) and |,
// {{if}}/{{else if}}/{{else}}/{{end}}, {{range [$i[, $v] :=] x}}, {{with}}, {{$x := ...}},
// {{/* comments */}}, trim markers {{- and -}}; the functions json, index, len, upper, lower,
// title, join, split, truncate, pad, print, printf, println, eq, ne, lt, le, gt, ge, and, or,
// not. A missing key is an error (docker's inspect runs with missingkey=error); `index` of a
// missing key gives "". Objects reached through a key named "Labels" print as Go maps
// (map[k:v]), other objects as Go structs ({v1 v2}); ranging over an object visits its keys
// sorted, as Go does for maps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libcontainer/error.h"

namespace mgr::tmpl {

struct Value {
    enum class Kind { Invalid, Null, Bool, Int, Float, String, Array, Object };
    Kind kind = Kind::Invalid;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;  // String: the text; Int/Float: the number as written
    std::vector<Value> arr;
    std::vector<std::pair<std::string, Value>> obj;  // document order
    bool isMap = false;                              // prints as map[..] with sorted keys

    static Value str(std::string v);
    static Value integer(int64_t v);
    static Value boolean(bool v);
    // A JSON document as a value tree (read with the tree's one reader, base/json.h).
    static lc::Result<Value> fromJson(std::string_view text);
    [[nodiscard]] const Value* field(const std::string& key) const;
};

// Go's fmt %v of a value.
std::string printValue(const Value& v);
// Go's json.Marshal of a value (compact; <, >, & escaped as \u003c ...).
std::string toJson(const Value& v);
// Go's truth: false, 0, nil, "" and empty lists/maps are false.
bool truthy(const Value& v);

struct Node;

class Template {
public:
    // A parse error reads "template: :LINE: what" (callers prefix docker's
    // "template parsing error: ").
    static lc::Result<Template> parse(std::string_view text);
    // An error reads "template: :LINE:COL: executing \"\" at <.Field>: what".
    [[nodiscard]] lc::Result<std::string> execute(const Value& data) const;

private:
    std::shared_ptr<const Node> root_;
};

// Go's text/tabwriter as docker's tables use it (minwidth 10, tabwidth 1, padding 3, spaces):
// cells end at a tab; every cell but a line's last is padded to its column's width.
std::string tabulate(const std::string& text);

// docker's formatter preprocessing: a "table" prefix is split off (returns true) and the
// literal \t and \n sequences of a shell argument become a tab and a newline.
bool splitTable(std::string& format);

}  // namespace mgr::tmpl
