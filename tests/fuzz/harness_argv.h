// The body of the argv fuzz target (tests/fuzz/fuzz_argv.cc), shared with the replay unit
// test like harness.h. The input is the argument list after the program name, arguments
// separated by NUL bytes (as /proc/<pid>/cmdline shows them; seeds in corpus/argv/).
//
// Besides "does not crash, throws nothing, no sanitizer report":
//   - the command and its arguments are the input's tokens after the global options;
//   - the global options round-trip: written back in `--name=value` form and parsed again
//     they give the same globals, command and arguments;
//   - a known command's positional arguments are a subsequence of its arguments, and a
//     second parse gives the same result (no hidden state);
//   - every error has a message; a known command has a help text.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../../runc-cpp/argv.h"
#include "harness.h"

namespace fuzz {

// One trailing NUL ends the last argument (cmdline style); it does not add an empty one.
inline std::vector<std::string> splitArgv(std::string_view in) {
    std::vector<std::string> out;
    if (!in.empty() && in.back() == '\0') in.remove_suffix(1);
    if (in.empty()) return out;
    size_t start = 0;
    for (;;) {
        size_t nul = in.find('\0', start);
        out.emplace_back(in.substr(start, nul == std::string_view::npos ? std::string_view::npos : nul - start));
        if (nul == std::string_view::npos || out.size() >= 256) break;
        start = nul + 1;
    }
    return out;
}

inline std::string joinArgv(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& a : v) s += "[" + a + "] ";
    return s;
}

inline std::vector<std::string> renderGlobals(const cli::Invocation& inv) {
    const cli::Globals& g = inv.globals;
    const cli::Globals d;
    std::vector<std::string> out;
    auto opt = [&](const char* name, const std::string& v, const std::string& def) {
        if (v == def) return;
        // boost refuses "--name=" with nothing after it, but takes an empty next argument
        if (v.empty()) {
            out.push_back(std::string("--") + name);
            out.emplace_back();
        } else {
            out.push_back(std::string("--") + name + "=" + v);
        }
    };
    opt("root", g.root, d.root);
    opt("log", g.logPath, d.logPath);
    opt("log-format", g.logFormat, d.logFormat);
    opt("rootless", g.rootless, d.rootless);
    opt("criu", g.criu, d.criu);
    if (g.debug) out.emplace_back("--debug");
    if (g.systemdCgroup) out.emplace_back("--systemd-cgroup");
    if (inv.help) out.emplace_back("--help");
    if (inv.version) out.emplace_back("--version");
    return out;
}

inline bool sameGlobals(const cli::Invocation& a, const cli::Invocation& b) {
    const cli::Globals &x = a.globals, &y = b.globals;
    return x.root == y.root && x.logPath == y.logPath && x.logFormat == y.logFormat && x.debug == y.debug &&
           x.systemdCgroup == y.systemdCgroup && x.rootless == y.rootless && x.criu == y.criu &&
           a.help == b.help && a.version == b.version && a.command == b.command && a.rest == b.rest;
}

inline bool subsequence(const std::vector<std::string>& sub, const std::vector<std::string>& of) {
    size_t j = 0;
    for (const auto& s : of)
        if (j < sub.size() && sub[j] == s) ++j;
    return j == sub.size();
}

inline int argv(const uint8_t* data, size_t size) {
    const std::vector<std::string> args = splitArgv(asText(data, size));
    auto inv = cli::parseGlobalArgs(args);
    if (!inv) {
        if (inv.error().message().empty()) broken("argv: global error without a message", joinArgv(args), "");
        return 0;
    }
    // command + rest are the input's tail (an empty argument in the command's place ends the
    // global options too; it is no command, and main prints the usage for it)
    if (!inv->command.empty() || !inv->rest.empty()) {
        std::vector<std::string> tail{inv->command};
        tail.insert(tail.end(), inv->rest.begin(), inv->rest.end());
        if (tail.size() > args.size() || !std::equal(tail.rbegin(), tail.rend(), args.rbegin()))
            broken("argv: command and arguments are not the input's tail", joinArgv(args), joinArgv(tail));
    }
    // globals round trip
    std::vector<std::string> again = renderGlobals(*inv);
    if (!inv->command.empty() || !inv->rest.empty()) again.push_back(inv->command);
    again.insert(again.end(), inv->rest.begin(), inv->rest.end());
    auto inv2 = cli::parseGlobalArgs(again);
    if (!inv2) broken("argv: rendered globals do not parse", joinArgv(again), inv2.error().message());
    if (!sameGlobals(*inv, *inv2)) broken("argv: globals round trip", joinArgv(args), joinArgv(again));

    if (inv->command.empty()) return 0;
    auto cmd = cli::parseCommandArgs(inv->command, inv->rest);
    auto cmd2 = cli::parseCommandArgs(inv->command, inv->rest);
    if (cmd.has_value() != cmd2.has_value()) broken("argv: two parses disagree", joinArgv(args), "");
    if (!cmd) {
        if (cmd.error().message().empty()) broken("argv: command error without a message", joinArgv(args), "");
        if (cmd.error().message() != cmd2.error().message())
            broken("argv: two parses disagree", cmd.error().message(), cmd2.error().message());
        return 0;
    }
    if (cmd->args != cmd2->args || cmd->help != cmd2->help || cmd->flags.index() != cmd2->flags.index())
        broken("argv: two parses disagree", joinArgv(cmd->args), joinArgv(cmd2->args));
    if (!subsequence(cmd->args, inv->rest))
        broken("argv: positionals are not a subsequence of the arguments", joinArgv(inv->rest), joinArgv(cmd->args));
    if (cli::commandHelp("runc-cpp", inv->command).empty()) broken("argv: no help text", inv->command, "");
    return 0;
}

}  // namespace fuzz
