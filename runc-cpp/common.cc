#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli.h"

namespace cli {

bool parseArgs(Context& ctx, const char* cmd, const char* usage, const std::vector<std::string>& args,
               const po::options_description& desc, const po::positional_options_description& pos,
               po::variables_map& vm, int* rc) {
    po::options_description all;
    all.add(desc);
    all.add_options()("help,h", "show help")("args", po::value<std::vector<std::string>>());
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        ctx.log->error(std::string(cmd) + ": " + e.what());
        *rc = 1;
        return false;
    }
    if (vm.count("help")) {
        std::cout << "USAGE:\n   " << ctx.program << " " << cmd << " " << usage << "\n\nOPTIONS:\n" << desc;
        *rc = 0;
        return false;
    }
    return true;
}

int failWith(Context& ctx, const lc::Error& e) { return failWith(ctx, e.message()); }

int failWith(Context& ctx, const std::string& msg) {
    ctx.log->error(msg);
    return 1;
}

bool requireId(Context& ctx, const po::variables_map& vm, const char* cmd, std::string* id, int* rc) {
    std::vector<std::string> a;
    if (vm.count("args")) a = vm["args"].as<std::vector<std::string>>();
    if (a.size() != 1) {
        ctx.log->error(std::string(cmd) + ": \"" + cmd + "\" requires exactly 1 argument(s)");
        *rc = 1;
        return false;
    }
    *id = a[0];
    return true;
}

int parseSignal(const std::string& s) {
    if (s.empty()) return -1;
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (*end == '\0') return (n > 0 && n < NSIG) ? static_cast<int>(n) : -1;
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
