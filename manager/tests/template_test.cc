// --format's Go text/template subset: parsing, evaluation, errors, tables.
#include <catch2/catch.hpp>

#include "../template.h"

using namespace mgr::tmpl;

namespace {

const char* kDoc = R"({"Id":"abc","Name":"web","State":{"Status":"running","Pid":42,"Running":true,"ExitCode":0},
"Config":{"Cmd":["sh","-c","x"],"Labels":{"b":"2","a":"1","x.y":"<&>"},"Env":[]},"Ratio":1.5,"Nothing":null})";

std::string run(const std::string& format, const char* doc = kDoc) {
    auto t = Template::parse(format);
    if (!t) return "PARSE: " + t.error().message();
    auto v = Value::fromJson(doc);
    REQUIRE(v);
    auto out = t->execute(*v);
    if (!out) return "EXEC: " + out.error().message();
    return *out;
}

}  // namespace

TEST_CASE("template: fields, literal text, several actions", "[template]") {
    CHECK(run("{{.Name}}") == "web");
    CHECK(run("{{ .State.Pid }} {{.Name}}") == "42 web");
    CHECK(run("pid={{.State.Pid}}, running={{.State.Running}}") == "pid=42, running=true");
    CHECK(run("no actions") == "no actions");
    CHECK(run("{{.Ratio}} {{.Nothing}}") == "1.5 <nil>");
    CHECK(run("{{.Config.Cmd}}") == "[sh -c x]");
    CHECK(run("{{.Config.Labels}}") == "map[a:1 b:2 x.y:<&>]");       // a map: sorted keys
    CHECK(run("{{.State}}") == "{running 42 true 0}");                  // a struct: its values
    CHECK(run("{{/* a comment */}}x") == "x");
    CHECK(run("a  {{- .Name -}}  b") == "awebb");
    CHECK(run("{{.}}", R"("just a string")") == "just a string");
}

TEST_CASE("template: json, index, len and the string functions", "[template]") {
    CHECK(run("{{json .State}}") == R"({"Status":"running","Pid":42,"Running":true,"ExitCode":0})");
    CHECK(run("{{json .Config.Labels}}") == R"({"a":"1","b":"2","x.y":"\u003c\u0026\u003e"})");
    CHECK(run("{{json .Name}}") == R"("web")");
    CHECK(run("{{.State | json}}") == run("{{json .State}}"));
    CHECK(run(R"({{index .Config.Labels "a"}})") == "1");
    CHECK(run(R"({{index .Config.Labels "missing"}}|)") == "|");
    CHECK(run(R"({{index .Config.Cmd 1}})") == "-c");
    CHECK(run(R"({{index .Config.Cmd 5}})").starts_with("EXEC: template: :1:2: executing \"\" at <index>: error calling index: index out of range"));
    CHECK(run("{{len .Config.Cmd}} {{len .Name}} {{len .Config.Labels}}") == "3 3 3");
    CHECK(run("{{upper .Name}} {{lower \"AbC\"}} {{title \"hello world\"}}") == "WEB abc Hello World");
    CHECK(run(R"({{join .Config.Cmd ","}})") == "sh,-c,x");
    CHECK(run(R"({{split "a:b:c" ":"}})") == "[a b c]");
    CHECK(run(R"({{truncate .Id 2}}|{{pad .Name 1 2}}|)") == "ab| web  |");
    CHECK(run(R"({{printf "%s-%d-%5s-%-4s|%v %%" .Name .State.Pid "r" "l" .State.Running}})") == "web-42-    r-l   |true %");
    CHECK(run(R"({{printf "%s %s" .Name}})") == "web %!s(MISSING)");
    CHECK(run(R"({{println .Name .State.Pid}})") == "web 42\n");
    CHECK(run(R"({{print 1 2 "a" 3}})") == "1 2a3");
    CHECK(run(R"({{printf "%q" .Name}})") == "\"web\"");
}

TEST_CASE("template: if, else if, range, with, variables, comparisons", "[template]") {
    CHECK(run("{{if .State.Running}}up{{else}}down{{end}}") == "up");
    CHECK(run("{{if .State.ExitCode}}failed{{else}}ok{{end}}") == "ok");
    CHECK(run(R"({{if eq .State.Status "exited"}}E{{else if eq .State.Status "running"}}R{{else}}?{{end}})") == "R");
    CHECK(run(R"({{if and .State.Running (gt .State.Pid 1)}}yes{{end}})") == "yes");
    CHECK(run(R"({{if or .Nothing (not .State.Running)}}x{{else}}y{{end}})") == "y");
    CHECK(run(R"({{if ne .Name "web"}}x{{else}}same{{end}} {{if le 1 1}}le{{end}} {{if lt 1.5 2}}lt{{end}} {{if ge "b" "a"}}ge{{end}})") == "same le lt ge");
    CHECK(run(R"({{if eq .Name "a" "b" "web"}}one of{{end}})") == "one of");
    CHECK(run("{{range .Config.Cmd}}[{{.}}]{{end}}") == "[sh][-c][x]");
    CHECK(run("{{range $i, $a := .Config.Cmd}}{{$i}}={{$a}} {{end}}") == "0=sh 1=-c 2=x ");
    CHECK(run("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}};{{end}}") == "a:1;b:2;x.y:<&>;");
    CHECK(run("{{range .Config.Env}}x{{else}}empty{{end}}") == "empty");
    CHECK(run("{{with .State}}{{.Status}}/{{$.Name}}{{end}}") == "running/web");
    CHECK(run("{{with .Nothing}}x{{else}}none{{end}}") == "none");
    CHECK(run("{{$n := .Name}}{{$n}}-{{$n = \"z\"}}{{$n}}") == "web-z");
    CHECK(run("{{(index .Config.Cmd 0)}} {{$.State.Pid}}") == "sh 42");
    CHECK(run("{{with $s := .State}}{{$s.Pid}}{{end}}") == "42");
    CHECK(run("{{(.State).Status}}") == "running");
}

TEST_CASE("template: parse errors as Go reports them", "[template]") {
    CHECK(run("{{.Name") == "PARSE: template: :1: unclosed action");
    CHECK(run("{{nope .Name}}") == "PARSE: template: :1: function \"nope\" not defined");
    CHECK(run("{{if .Name}}x") == "PARSE: template: :1: unexpected EOF");
    CHECK(run("x\n{{end}}") == "PARSE: template: :2: unexpected {{end}}");
    CHECK(run("{{else}}") == "PARSE: template: :1: unexpected {{else}}");
    CHECK(run("{{}}") == "PARSE: template: :1: missing value for command");
    CHECK(run("{{\"abc}}").starts_with("PARSE: template: :1: unterminated quoted string"));
    CHECK(run("{{.Name | }}") == "PARSE: template: :1: missing value for command");
    CHECK(run("{{(.Name}}") == "PARSE: template: :1: unclosed left paren");
    CHECK(run("{{.Name)}}") == "PARSE: template: :1: unexpected right paren");
    CHECK(run("{{/* open }}") == "PARSE: template: :1: unclosed comment");
    CHECK(run("{{if}}{{end}}") == "PARSE: template: :1: missing value for if");
    CHECK(run("{{.Name ; }}").starts_with("PARSE: template: :1: unexpected \";\""));
}

TEST_CASE("template: execution errors name the place and the field", "[template]") {
    CHECK(run("{{.Nope}}") == "EXEC: template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\"");
    CHECK(run("ab\n  {{.State.Nope}}") == "EXEC: template: :2:4: executing \"\" at <.State.Nope>: map has no entry for key \"Nope\"");
    CHECK(run("{{.Name.X}}") == "EXEC: template: :1:2: executing \"\" at <.Name.X>: can't evaluate field X in type string");
    CHECK(run("{{.Nothing.X}}").ends_with("nil pointer evaluating interface {}.X"));
    CHECK(run("{{.Name 1}}").ends_with("can't give argument to non-function .Name"));
    CHECK(run("{{range .Name}}{{end}}").ends_with("range can't iterate over web"));
    CHECK(run("{{$x}}").ends_with("undefined variable: $x"));
    CHECK(run("{{eq .Name 1}}").ends_with("incompatible types for comparison"));
    CHECK(run("{{json}}").ends_with("wrong number of args for json: want 1 got 0"));
}

TEST_CASE("template: table prefix, escapes and the tab writer", "[template]") {
    std::string f = "table {{.ID}}\\t{{.Names}}";
    CHECK(splitTable(f));
    CHECK(f == "{{.ID}}\t{{.Names}}");
    std::string g = "  {{.ID}}\\n";
    CHECK_FALSE(splitTable(g));
    CHECK(g == "{{.ID}}\n");
    // minwidth 10, padding 3; a line's last cell is not padded
    CHECK(tabulate("CONTAINER ID\tNAMES\nabc\tweb\n") == "CONTAINER ID   NAMES\nabc            web\n");
    CHECK(tabulate("a\tb\tc\nxx\ty\n") == "a         b         c\nxx        y\n");
    CHECK(tabulate("h\xc3\xa9\tx\n") == "h\xc3\xa9        x\n");  // widths count characters
    CHECK(tabulate("no tabs") == "no tabs");
}

// ------------------------------------------------------------------ options.h (same binary)
#include <stdlib.h>

#include "../options.h"

TEST_CASE("env files in docker's format", "[options]") {
    ::setenv("MGR_UNIT_PASS", "from caller", 1);
    ::unsetenv("MGR_UNIT_UNSET");
    auto e = mgr::parseEnvLines("# comment\n\nA=1\n  B=x y \nMGR_UNIT_PASS\nMGR_UNIT_UNSET\nC=\nD=a=b\r\n", "f");
    REQUIRE(e);
    CHECK(*e == std::vector<std::string>{"A=1", "B=x y ", "MGR_UNIT_PASS=from caller", "C=", "D=a=b"});
    // "B " is not a valid name: whitespace
    auto bad = mgr::parseEnvLines("A=1\nB C=2\n", "f.env");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == "variable 'B C' contains whitespaces (f.env line 2)");
    CHECK_FALSE(mgr::parseEnvLines("=x\n", "f"));
    CHECK_FALSE(mgr::readEnvFile("/nonexistent/env"));
}

TEST_CASE("labels", "[options]") {
    std::map<std::string, std::string> l;
    REQUIRE(mgr::addLabel(l, "a=1"));
    REQUIRE(mgr::addLabel(l, "b"));
    REQUIRE(mgr::addLabel(l, "c=x=y"));
    REQUIRE(mgr::addLabel(l, "a=2"));
    CHECK(l == std::map<std::string, std::string>{{"a", "2"}, {"b", ""}, {"c", "x=y"}});
    CHECK_FALSE(mgr::addLabel(l, "=v"));
}

TEST_CASE("ps filters: one key ORed, keys ANDed, labels all", "[options]") {
    mgr::PsSubject web{"abcdef", "web-1", "running", {{"tier", "front"}, {"env", "prod"}}};
    mgr::PsSubject db{"123456", "db", "exited", {{"tier", "back"}}};
    auto f = [](std::vector<std::string> v) {
        auto r = mgr::parsePsFilters(v);
        REQUIRE(r);
        return *r;
    };
    CHECK(mgr::psMatches(f({}), web));
    CHECK(mgr::psMatches(f({"label=tier"}), web));
    CHECK(mgr::psMatches(f({"label=tier=front"}), web));
    CHECK_FALSE(mgr::psMatches(f({"label=tier=front"}), db));
    CHECK_FALSE(mgr::psMatches(f({"label=tier", "label=env"}), db));  // labels: all
    CHECK(mgr::psMatches(f({"label=tier", "label=env=prod"}), web));
    CHECK(mgr::psMatches(f({"status=exited", "status=running"}), web));  // one key: any
    CHECK_FALSE(mgr::psMatches(f({"status=exited", "name=web"}), web));  // keys: all
    CHECK(mgr::psMatches(f({"name=^web"}), web));
    CHECK_FALSE(mgr::psMatches(f({"name=^web"}), db));
    CHECK(mgr::psMatches(f({"id=abc"}), web));
    CHECK_FALSE(mgr::psMatches(f({"id=bcd"}), web));
    CHECK(mgr::parsePsFilters({"foo=1"}).error().message() == "invalid filter 'foo'");
    CHECK(mgr::parsePsFilters({"status=sleeping"}).error().message() == "invalid filter 'status=sleeping'");
    CHECK_FALSE(mgr::parsePsFilters({"label"}));
    CHECK_FALSE(mgr::parsePsFilters({"name=("}));
}

// ------------------------------------------------------------------ restart.h (same binary)
#include "../restart.h"

TEST_CASE("restart policies: docker's parsing and messages", "[restart]") {
    using K = mgr::RestartPolicy::Kind;
    auto p = [](const std::string& s) { return mgr::parseRestartPolicy(s); };
    CHECK(p("no")->kind == K::No);
    CHECK(p("always")->kind == K::Always);
    CHECK(p("unless-stopped")->kind == K::UnlessStopped);
    CHECK(p("on-failure")->kind == K::OnFailure);
    CHECK(p("on-failure")->maxRetries == 0);
    CHECK(p("on-failure:3")->maxRetries == 3);
    CHECK(p("on-failure:3")->name() == "on-failure");
    CHECK(p("foo").error().message() ==
          "invalid restart policy: unknown policy 'foo'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
    CHECK(p("on-failure:-1").error().message() == "invalid restart policy: maximum retry count cannot be negative");
    CHECK(p("always:3").error().message() == "invalid restart policy: maximum retry count can only be used with 'on-failure'");
    CHECK(p("always:-3").error().message() ==
          "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative");
    CHECK(p("on-failure:x").error().message() == "invalid restart policy format: maximum retry count must be an integer");
    CHECK(p("on-failure:99999999999").error().message() == "invalid restart policy format: maximum retry count must be an integer");
    CHECK(p(":3").error().message() == "invalid restart policy format: no policy provided before colon");
}

TEST_CASE("restart decisions and back-off", "[restart]") {
    auto p = [](const std::string& s) { return *mgr::parseRestartPolicy(s); };
    CHECK_FALSE(mgr::shouldRestart(p("no"), 1, 0, false));
    CHECK(mgr::shouldRestart(p("always"), 0, 100, false));
    CHECK_FALSE(mgr::shouldRestart(p("always"), 1, 0, true));  // stopped by the user
    CHECK_FALSE(mgr::shouldRestart(p("unless-stopped"), 1, 0, true));
    CHECK(mgr::shouldRestart(p("on-failure"), 1, 1000, false));
    CHECK_FALSE(mgr::shouldRestart(p("on-failure"), 0, 0, false));
    CHECK(mgr::shouldRestart(p("on-failure:2"), 3, 1, false));
    CHECK_FALSE(mgr::shouldRestart(p("on-failure:2"), 3, 2, false));
    CHECK(mgr::nextBackoffMs(0, 5) == 100);
    CHECK(mgr::nextBackoffMs(100, 5) == 200);
    CHECK(mgr::nextBackoffMs(6400, 9999) == 12800);
    CHECK(mgr::nextBackoffMs(6400, 10000) == 100);  // ran 10 s: start over
    CHECK(mgr::nextBackoffMs(51200, 0) == 60000);   // capped at a minute
    CHECK(mgr::nextBackoffMs(60000, 0) == 60000);
}
