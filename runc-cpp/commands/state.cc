#include <cstdio>

#include "../cli.h"
#include "spec/json.h"

namespace cli {

int runState(Context& ctx, const std::vector<std::string>& args) {
    return withContainer(ctx, "state", args, [](lc::Container& c) -> lc::Result<void> {
        auto st = c.state();
        if (!st) return std::unexpected(st.error());
        // runc indents `state` output with two spaces (the writer's pretty form uses tabs,
        // which never occur inside JSON strings).
        std::string out;
        for (char ch : spec::toJson(*st, true)) {
            if (ch == '\t') out += "  ";
            else out += ch;
        }
        std::printf("%s\n", out.c_str());
        return {};
    });
}

}  // namespace cli
