// The CLI's pure argv parsing (runc-cpp/argv.h) on the argvs the real clients send
// (docs/clients.md) and on the edge cases the fuzz target checks as properties.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../runc-cpp/argv.h"

using Args = std::vector<std::string>;

namespace {

cli::Invocation globals(const Args& a) {
    auto r = cli::parseGlobalArgs(a);
    INFO((r ? std::string() : r.error().message()));
    REQUIRE(r.has_value());
    return *r;
}

cli::CommandArgs command(const cli::Invocation& inv) {
    auto r = cli::parseCommandArgs(inv.command, inv.rest);
    INFO((r ? std::string() : r.error().message()));
    REQUIRE(r.has_value());
    return *r;
}

}  // namespace

TEST_CASE("argv: containerd shim create with its global flags", "[fuzz][cli]") {
    auto inv = globals({"--root", "/run/containerd/runc/default", "--log", "/b/log.json", "--log-format", "json",
                        "create", "--bundle", "/b", "--pid-file", "/b/init.pid", "--console-socket", "/tmp/p/pty.sock",
                        "rel-c1"});
    CHECK(inv.globals.root == "/run/containerd/runc/default");
    CHECK(inv.globals.logPath == "/b/log.json");
    CHECK(inv.globals.logFormat == "json");
    CHECK_FALSE(inv.globals.debug);
    CHECK(inv.command == "create");
    auto c = command(inv);
    const auto& f = std::get<cli::CreateFlags>(c.flags);
    CHECK(f.bundle == "/b");
    CHECK(f.pidFile == "/b/init.pid");
    CHECK(f.consoleSocket == "/tmp/p/pty.sock");
    CHECK_FALSE(f.noPivot);
    CHECK(c.args == Args{"rel-c1"});
    CHECK_FALSE(c.help);
}

TEST_CASE("argv: defaults without global flags (podman), --root= form", "[fuzz][cli]") {
    auto inv = globals({"delete", "--force", "rel-p1"});
    CHECK(inv.globals.root == "/run/runc-cpp");
    CHECK(inv.globals.logFormat == "text");
    CHECK(std::get<cli::DeleteFlags>(command(inv).flags).force);
    CHECK(globals({"--root=/r", "state", "x"}).globals.root == "/r");
    auto v = globals({"--version"});
    CHECK(v.version);
    CHECK(v.command.empty());
}

TEST_CASE("argv: exec flags; options end at the container id", "[fuzz][cli]") {
    auto inv = globals({"exec", "--pid-file", "/u/e/exec_pid", "--process", "/u/e/p", "--detach", "--tty",
                        "--console-socket", "/tmp/conmon-term.X", "-e", "A=1", "--env=B=2", "-uroot", "rel-p1",
                        "sh", "-c", "--tty"});
    auto c = command(inv);
    const auto& f = std::get<cli::ExecFlags>(c.flags);
    CHECK(f.pidFile == "/u/e/exec_pid");
    CHECK(f.processFile == "/u/e/p");
    CHECK(f.detach);
    CHECK(f.tty);
    CHECK(f.consoleSocket == "/tmp/conmon-term.X");
    CHECK(f.env == Args{"A=1", "B=2"});
    CHECK(f.user == "root");
    CHECK(c.args == Args{"rel-p1", "sh", "-c", "--tty"});  // the container's own "--tty"
}

TEST_CASE("argv: kill, update -r -, update --resources=FILE, ps args", "[fuzz][cli]") {
    auto k = command(globals({"kill", "--all", "rel-c1", "9"}));
    CHECK(std::get<cli::KillFlags>(k.flags).all);
    CHECK(k.args == Args{"rel-c1", "9"});

    auto u = command(globals({"update", "--resources", "-", "rel-d1"}));
    CHECK(std::get<cli::UpdateFlags>(u.flags).resourcesGiven);
    CHECK(std::get<cli::UpdateFlags>(u.flags).resources == "-");
    auto u2 = command(globals({"update", "--resources=/var/tmp/podman5", "rel-p1"}));
    CHECK(std::get<cli::UpdateFlags>(u2.flags).resources == "/var/tmp/podman5");
    auto u3 = command(globals({"update", "--memory", "64m", "rel-p1"}));
    CHECK_FALSE(std::get<cli::UpdateFlags>(u3.flags).resourcesGiven);
    CHECK(std::get<cli::UpdateFlags>(u3.flags).memory == "64m");

    auto ps = command(globals({"ps", "--format", "json", "rel-c1"}));
    CHECK(std::get<cli::PsFlags>(ps.flags).format == "json");
    auto ps2 = command(globals({"ps", "rel-c1", "-o", "pid"}));
    CHECK(std::get<cli::PsFlags>(ps2.flags).format == "table");
    CHECK(ps2.args == Args{"rel-c1", "-o", "pid"});
}

TEST_CASE("argv: errors name the command; --help; unknown command", "[fuzz][cli]") {
    auto bad = cli::parseCommandArgs("list", {"--no-such-flag"});
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message() == "list: unrecognised option '--no-such-flag'");
    auto extra = cli::parseCommandArgs("list", {"x"});
    REQUIRE_FALSE(extra.has_value());
    CHECK(extra.error().message().rfind("list: ", 0) == 0);
    auto badInt = cli::parseCommandArgs("create", {"--preserve-fds", "many", "x"});
    REQUIRE_FALSE(badInt.has_value());
    CHECK(badInt.error().message().find("preserve-fds") != std::string::npos);
    auto unknown = cli::parseCommandArgs("frobnicate", {});
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().message() == "No help topic for 'frobnicate'");

    CHECK(command(globals({"kill", "--help"})).help);
    std::string help = cli::commandHelp("runc-cpp", "kill");
    CHECK(help.rfind("USAGE:\n   runc-cpp kill [command options] <container-id> [signal]\n\nOPTIONS:\n", 0) == 0);
    CHECK(help.find("--all") != std::string::npos);
    CHECK(cli::commandHelp("runc-cpp", "frobnicate").empty());

    auto g = cli::parseGlobalArgs(Args{"--bogus", "list"});
    REQUIRE_FALSE(g.has_value());
    CHECK(g.error().message() == "unrecognised option '--bogus'");
    auto twice = cli::parseGlobalArgs(Args{"--root", "a", "--root", "b", "list"});
    CHECK_FALSE(twice.has_value());
}

TEST_CASE("argv: a value-taking global flag at the end, and an empty argv", "[fuzz][cli]") {
    // "--root" with nothing after it: boost reports the missing value; no command is invented.
    auto r = cli::parseGlobalArgs(Args{"--root"});
    CHECK_FALSE(r.has_value());
    auto e = globals({});
    CHECK(e.command.empty());
    CHECK(e.rest.empty());
}

TEST_CASE("argv: \"--=x\" is an error, not the positional x (fuzz finding)", "[fuzz][cli]") {
    auto r = cli::parseCommandArgs("delete", {"--=rel-c1"});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message() == "delete: bad flag syntax: --=rel-c1");
    auto e = cli::parseCommandArgs("exec", {"-t", "--=nv=B=2", "rel-c1", "sh"});
    REQUIRE_FALSE(e.has_value());
    // after the container id it belongs to the container's command
    auto ok = cli::parseCommandArgs("exec", {"rel-c1", "sh", "--=x"});
    REQUIRE(ok.has_value());
    CHECK(ok->args == Args{"rel-c1", "sh", "--=x"});
}

TEST_CASE("argv: an empty argument in the command's place is no command", "[fuzz][cli]") {
    auto inv = globals({"--debug", "", "list"});
    CHECK(inv.globals.debug);
    CHECK(inv.command.empty());
    CHECK(inv.rest == Args{"list"});
}

TEST_CASE("argv: a %placeholder% in a bad option or value does not hang boost's what() (fuzz finding)", "[fuzz][cli]") {
    // Each of these looped forever inside boost::program_options::error::what().
    auto u = cli::parseCommandArgs("list", {"--x%canonical_option%"});
    REQUIRE_FALSE(u.has_value());
    CHECK(u.error().message() == "list: unrecognised option '--x%canonical_option%'");
    auto v = cli::parseCommandArgs("exec", {"--preserve-fds", "%value%", "rel-c1", "sh"});
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().message() == "exec: invalid use of option '--preserve-fds'");
    auto g = cli::parseGlobalArgs(Args{"--%option%", "list"});
    REQUIRE_FALSE(g.has_value());
    CHECK(g.error().message() == "unrecognised option '--%option%'");
    // a '%' in a good value is just a character
    auto ok = cli::parseCommandArgs("exec", {"-e", "A=50%value%", "rel-c1", "sh"});
    REQUIRE(ok.has_value());
    CHECK(std::get<cli::ExecFlags>(ok->flags).env == Args{"A=50%value%"});
}

TEST_CASE("argv: positionals cannot be given as an option; no abbreviations (fuzz finding)", "[fuzz][cli]") {
    // boost matched "--arg=x" to the internal positional option "args" and "x" became the id.
    for (const char* tok : {"--args=rel-c1", "--arg=rel-c1", "--args"}) {
        auto r = cli::parseCommandArgs("delete", {tok});
        INFO(tok);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message().rfind("delete: unrecognised option", 0) == 0);
    }
    auto abbrev = cli::parseCommandArgs("delete", {"--forc", "rel-c1"});
    REQUIRE_FALSE(abbrev.has_value());
    CHECK(abbrev.error().message() == "delete: unrecognised option '--forc'");
    CHECK_FALSE(cli::parseGlobalArgs(Args{"--ro", "/r", "list"}).has_value());
    auto spec = cli::parseCommandArgs("spec", {"x"});
    REQUIRE_FALSE(spec.has_value());
    CHECK(spec.error().message() == "spec: too many positional options have been specified on the command line");
}

TEST_CASE("argv: options after the container id move in front, as runc's CLI does (not for exec, ps)", "[fuzz][cli]") {
    auto u = command(globals({"update", "rel-c1", "--memory", "10M", "--pids-limit=5"}));
    CHECK(std::get<cli::UpdateFlags>(u.flags).memory == "10M");
    CHECK(std::get<cli::UpdateFlags>(u.flags).pidsLimit == "5");
    CHECK(u.args == Args{"rel-c1"});
    auto d = command(globals({"delete", "rel-c1", "-f"}));
    CHECK(std::get<cli::DeleteFlags>(d.flags).force);
    CHECK(d.args == Args{"rel-c1"});
    // a switch does not take the next argument along (urfave/cli would: `kill ID -a 9`)
    auto k = command(globals({"kill", "rel-c1", "-a", "0"}));
    CHECK(std::get<cli::KillFlags>(k.flags).all);
    CHECK(k.args == Args{"rel-c1", "0"});
    auto k2 = command(globals({"kill", "rel-c1", "0", "--all"}));
    CHECK(std::get<cli::KillFlags>(k2.flags).all);
    CHECK(k2.args == Args{"rel-c1", "0"});
    // "--" ends the reordering; unknown options stay where they are (and end the options)
    auto dd = command(globals({"kill", "rel-c1", "--", "-a"}));
    CHECK_FALSE(std::get<cli::KillFlags>(dd.flags).all);
    CHECK(dd.args == Args{"rel-c1", "-a"});
    auto unk = command(globals({"update", "rel-c1", "--bogus", "1"}));
    CHECK(unk.args == Args{"rel-c1", "--bogus", "1"});
    auto h = command(globals({"update", "rel-c1", "--help"}));
    CHECK(h.help);
    // exec and ps keep everything after the id for the container's command
    auto e = command(globals({"exec", "rel-c1", "env", "-e", "X=1"}));
    CHECK(std::get<cli::ExecFlags>(e.flags).env.empty());
    CHECK(e.args == Args{"rel-c1", "env", "-e", "X=1"});
    auto p = command(globals({"ps", "rel-c1", "--format", "json"}));
    CHECK(std::get<cli::PsFlags>(p.flags).format == "table");
    CHECK(p.args == Args{"rel-c1", "--format", "json"});
}

TEST_CASE("argv: \"--name=\" is an empty value, as Go's flag package takes it", "[fuzz][cli]") {
    auto inv = globals({"--log-format=", "list"});
    CHECK(inv.globals.logFormat.empty());
    CHECK(inv.command == "list");
    auto c = command(globals({"create", "--pid-file=", "--bundle=/b", "rel-c1"}));
    CHECK(std::get<cli::CreateFlags>(c.flags).pidFile.empty());
    CHECK(std::get<cli::CreateFlags>(c.flags).bundle == "/b");
    CHECK(c.args == Args{"rel-c1"});
    // a switch with '=' stays boost's error
    CHECK_FALSE(cli::parseCommandArgs("delete", {"--force=", "rel-c1"}).has_value());
}

TEST_CASE("argv: commandOf finds the command as parseGlobalArgs does, without parsing", "[fuzz][cli]") {
    auto both = [](std::vector<const char*> argv) {
        auto c = cli::commandOf(static_cast<int>(argv.size()), argv.data());
        Args rest(argv.begin() + 1, argv.end());
        auto inv = cli::parseGlobalArgs(rest);
        if (inv && !inv->help && !inv->version) CHECK(std::string(c) == inv->command);
        return std::string(c);
    };
    CHECK(both({"runc", "--root", "/run/containerd/runc/k8s.io", "--log", "/x/log.json", "--log-format", "json",
                "create", "--bundle", "b", "id"}) == "create");
    CHECK(both({"runc", "--root=/r", "--systemd-cgroup", "exec", "--detach", "id", "true"}) == "exec");
    CHECK(both({"runc", "run", "id"}) == "run");
    CHECK(both({"runc", "--root", "run", "state", "id"}) == "state");  // "run" is --root's value
    CHECK(both({"runc", "--debug", "--root"}).empty());
    CHECK(both({"runc"}).empty());
    CHECK(both({"runc", "--help", "run"}).empty());
    CHECK(both({"runc", "-v", "create"}).empty());
    CHECK(both({"runc", "", "run"}).empty());
    CHECK(cli::commandOf(0, nullptr).empty());
}
