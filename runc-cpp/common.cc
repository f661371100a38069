#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli.h"

namespace cli {

std::optional<CommandArgs> parseArgs(Context& ctx, const char* cmd, const std::vector<std::string>& args, int* rc) {
    auto p = parseCommandArgs(cmd, args);
    if (!p) {
        ctx.log->error(p.error().message());
        *rc = 1;
        return std::nullopt;
    }
    if (p->help) {
        std::cout << commandHelp(ctx.program, cmd);
        *rc = 0;
        return std::nullopt;
    }
    return std::move(*p);
}

int failWith(Context& ctx, const lc::Error& e) { return failWith(ctx, e.message()); }

int failWith(Context& ctx, const std::string& msg) {
    ctx.log->error(msg);
    return 1;
}

bool requireId(Context& ctx, const CommandArgs& p, const char* cmd, std::string* id, int* rc) {
    const std::vector<std::string>& a = p.args;
    if (a.size() != 1) {
        ctx.log->error(ctx.program + ": \"" + cmd + "\" requires exactly 1 argument(s)");
        *rc = 1;
        return false;
    }
    *id = a[0];
    return true;
}

int withContainer(Context& ctx, const char* cmd, const std::vector<std::string>& args,
                  const std::function<lc::Result<void>(lc::Container&)>& op) {
    int rc = 0;
    std::string id;
    auto p = parseArgs(ctx, cmd, args, &rc);
    if (!p) return rc;
    if (!requireId(ctx, *p, cmd, &id, &rc)) return rc;
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(id);
    if (!c) return failWith(ctx, c.error());
    if (auto r = op(*c); !r) return failWith(ctx, r.error());
    return 0;
}

int parseSignal(const std::string& s) {
    if (s.empty()) return -1;
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (*end == '\0') return (n >= 0 && n < NSIG) ? static_cast<int>(n) : -1;  // 0: probe liveness
    std::string name = s;
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int sig = 1; sig < NSIG; ++sig) {
        const char* abbrev = ::sigabbrev_np(sig);
        if (abbrev && name == abbrev) return sig;
    }
    if (name.rfind("RTMIN+", 0) == 0) return SIGRTMIN + std::atoi(name.c_str() + 6);
    if (name.rfind("RTMAX-", 0) == 0) return SIGRTMAX - std::atoi(name.c_str() + 6);
    return -1;
}

}  // namespace cli
