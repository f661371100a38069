// A small read-only JSON document built in one pass from yajl's event parser.
//
// Nodes live in one vector and link to their first child and next sibling by index, so the
// whole tree is a single allocation (plus rare copies of escaped strings). Strings and number
// texts are views into the caller's input where possible; the input must outlive the Document.
// Numbers keep their source text, so uint64 values beyond long long are exact.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"

namespace spec::detail {

enum class Kind : uint8_t { Null, Bool, Number, String, Object, Array };

struct Node {
    Kind kind = Kind::Null;
    bool boolean = false;
    uint32_t first = 0;     // index of the first child; 0 = none (node 0 is the root)
    uint32_t next = 0;      // index of the next sibling; 0 = none
    uint32_t count = 0;     // number of children (objects, arrays)
    std::string_view key;   // member name when the parent is an object
    std::string_view text;  // string contents (unescaped) or number text
};

class Document {
public:
    Document() = default;
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;

    // Parses `json` (one complete value, strict JSON, UTF-8 checked). On failure the message
    // carries yajl's description and the byte offset.
    lc::Result<void> parse(std::string_view json);

    [[nodiscard]] const Node& root() const { return nodes_.front(); }
    [[nodiscard]] const Node& node(uint32_t i) const { return nodes_[i]; }

    // Internal to the builder callbacks.
    struct Builder;

private:
    std::vector<Node> nodes_;
    std::deque<std::string> copies_;  // strings yajl handed us outside the input buffer
};

}  // namespace spec::detail
