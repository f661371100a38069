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
    // As with runc, options end at the first positional argument (or "--"): everything after
    // the container id belongs to the container's command (`exec id sh -c ...`, `ps id -ef`).
    std::vector<std::string> opts, rest;
    size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a.size() < 2 || a[0] != '-') break;
        opts.push_back(a);
        if (a.find('=') != std::string::npos) continue;
        bool isLong = a[1] == '-';
        if (!isLong && a.size() > 2) continue;  // "-uroot": value attached
        bool takesValue = false;
        for (const auto& d : all.options()) {
            bool match = isLong ? d->long_name() == a.substr(2)
                                : d->canonical_display_name(po::command_line_style::allow_dash_for_short) == a;
            if (match) takesValue = d->semantic()->max_tokens() > 0;
        }
        if (takesValue && i + 1 < args.size()) opts.push_back(args[++i]);
    }
    rest.assign(args.begin() + static_cast<long>(i), args.end());
    try {
        po::store(po::command_line_parser(opts).options(all).positional(pos).run(), vm);
        if (!rest.empty()) {
            if (pos.max_total_count() == 0) throw po::too_many_positional_options_error();
            std::vector<std::string> positional;
            if (vm.count("args")) positional = vm["args"].as<std::vector<std::string>>();
            positional.insert(positional.end(), rest.begin(), rest.end());
            vm.erase("args");
            vm.insert({"args", po::variable_value(positional, false)});
        }
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

int withContainer(Context& ctx, const char* cmd, const std::vector<std::string>& args,
                  const std::function<lc::Result<void>(lc::Container&)>& op) {
    po::options_description desc;
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    int rc = 0;
    std::string id;
    if (!parseArgs(ctx, cmd, "<container-id>", args, desc, pos, vm, &rc)) return rc;
    if (!requireId(ctx, vm, cmd, &id, &rc)) return rc;
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
