// Helpers shared by the spec/ unit tests.
#pragma once

#include <yajl/yajl_tree.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

namespace spec_test {

inline std::string readData(const std::string& rel) {
    std::ifstream in(std::string(TEST_DATA_DIR) + "/" + rel, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TreeFree {
    void operator()(yajl_val v) const { yajl_tree_free(v); }
};
using Tree = std::unique_ptr<yajl_val_s, TreeFree>;

inline Tree parseTree(const std::string& json) {
    char err[256] = {};
    return Tree(yajl_tree_parse(json.c_str(), err, sizeof err));
}

// Semantic JSON equality, independent of the code under test: member order is ignored,
// numbers compare by their text (so uint64 values stay exact). On a difference, `where`
// receives the path.
inline bool sameJson(yajl_val a, yajl_val b, std::string& where, const std::string& path = "") {
    if (!a || !b || a->type != b->type) {
        where = path + " (type)";
        return false;
    }
    switch (a->type) {
        case yajl_t_string:
            if (std::string_view(a->u.string) != b->u.string) return where = path, false;
            return true;
        case yajl_t_number:
            if (std::string_view(a->u.number.r) != b->u.number.r) return where = path, false;
            return true;
        case yajl_t_array:
            if (a->u.array.len != b->u.array.len) return where = path + " (length)", false;
            for (size_t i = 0; i < a->u.array.len; ++i)
                if (!sameJson(a->u.array.values[i], b->u.array.values[i], where,
                              path + "[" + std::to_string(i) + "]"))
                    return false;
            return true;
        case yajl_t_object: {
            if (a->u.object.len != b->u.object.len) return where = path + " (member count)", false;
            for (size_t i = 0; i < a->u.object.len; ++i) {
                std::string_view key = a->u.object.keys[i];
                yajl_val other = nullptr;
                for (size_t j = 0; j < b->u.object.len; ++j)
                    if (key == b->u.object.keys[j]) other = b->u.object.values[j];
                if (!other) return where = path + "." + std::string(key) + " (missing)", false;
                if (!sameJson(a->u.object.values[i], other, where, path + "." + std::string(key)))
                    return false;
            }
            return true;
        }
        default:
            return true;  // true, false, null: the type says it all
    }
}

}  // namespace spec_test
