// A Go text/template subset (see template.h): the text is cut into literal text and actions,
// each action is tokenized and parsed into a node tree, and the tree is walked over a Value.
#include "template.h"
#include "template_detail.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <map>

#include "json.h"

namespace mgr::tmpl {


// ---------------------------------------------------------------------------------- syntax

struct Pipe;

struct Arg {
    enum class K { Field, Var, Dot, Func, Lit, Sub } k = K::Dot;
    std::string name;                // Var: without the $; Func: the function
    std::vector<std::string> chain;  // fields after the term
    Value lit;
    std::shared_ptr<Pipe> sub;
    std::string text;  // as written, for errors
    size_t pos = 0;
};

struct Cmd {
    std::vector<Arg> args;
};

struct Pipe {
    std::vector<std::string> vars;  // declared or assigned variables
    bool declare = false;
    std::vector<Cmd> cmds;
};

struct Node {
    enum class K { Text, Action, If, Range, With } k = K::Text;
    std::string text;
    Pipe pipe;
    std::vector<Node> list, elseList;
};

namespace {

enum class Tok { Field, Var, Dot, Ident, String, Number, LParen, RParen, Pipe, Declare, Assign, Comma };

struct Token {
    Tok t;
    std::string text;  // Field/Var: "Name.Sub" (no leading . or $); literals decoded
    size_t pos;        // offset in the template
    bool attached;     // no space before it
};

bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Parser {
public:
    explicit Parser(std::string_view src) : src_(src) {}

    lc::Result<std::vector<Node>> parseAll() {
        std::string term;
        auto list = parseList(term);
        if (!list) return list;
        if (term == "end" || term == "else") return err(pendingPos_, "unexpected {{" + term + "}}");
        return list;
    }

private:
    struct Action {
        std::vector<Token> toks;
        size_t pos;
    };

    std::unexpected<lc::Error> err(size_t pos, const std::string& what) const {
        return lc::fail(EINVAL, "template: :" + std::to_string(lineOf(pos)) + ": " + what);
    }
    size_t lineOf(size_t pos) const { return 1 + static_cast<size_t>(std::count(src_.begin(), src_.begin() + static_cast<std::ptrdiff_t>(std::min(pos, src_.size())), '\n')); }

    // The next piece: literal text (returned in `text`, action false) or an action. False at the end.
    lc::Result<bool> next(std::string& text, std::optional<Action>& action) {
        action.reset();
        text.clear();
        if (pos_ >= src_.size()) return false;
        size_t open = src_.find("{{", pos_);
        if (open != pos_) {
            size_t end = open == std::string_view::npos ? src_.size() : open;
            text = std::string(src_.substr(pos_, end - pos_));
            if (trimNext_) text.erase(0, text.find_first_not_of(" \t\r\n") == std::string::npos ? text.size() : text.find_first_not_of(" \t\r\n"));
            trimNext_ = false;
            // {{- trims the text before it
            if (end + 3 < src_.size() + 1 && src_.substr(end).starts_with("{{- ")) {
                size_t keep = text.find_last_not_of(" \t\r\n");
                text.erase(keep == std::string::npos ? 0 : keep + 1);
            }
            pos_ = end;
            return true;
        }
        trimNext_ = false;
        size_t start = open + 2;
        if (src_.substr(start).starts_with("- ")) start += 2;
        // the closing }} outside quotes
        size_t i = start;
        char quote = 0;
        for (; i < src_.size(); ++i) {
            char c = src_[i];
            if (quote) {
                if (c == '\\' && quote == '"') ++i;
                else if (c == quote) quote = 0;
                continue;
            }
            if (c == '"' || c == '`') quote = c;
            else if (src_.substr(i).starts_with("}}")) break;
        }
        if (i >= src_.size()) return err(open, quote ? "unterminated quoted string" : "unclosed action");
        size_t close = i;
        std::string_view body = src_.substr(start, close - start);
        if (body.size() >= 2 && body.ends_with(" -") ) {
            body.remove_suffix(2);
            trimNext_ = true;
        }
        pos_ = close + 2;
        std::string_view trimmed = body;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
        if (trimmed.starts_with("/*")) {
            if (!trimmed.ends_with("*/")) return err(open, "unclosed comment");
            return true;  // a comment: neither text nor action
        }
        auto toks = lex(body, start);
        if (!toks) return std::unexpected(toks.error());
        action = Action{std::move(*toks), open};
        return true;
    }

    lc::Result<std::vector<Token>> lex(std::string_view body, size_t base) const {
        std::vector<Token> out;
        size_t i = 0;
        bool space = true;
        while (i < body.size()) {
            char c = body[i];
            size_t at = base + i;
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++i;
                space = true;
                continue;
            }
            auto push = [&](Tok t, std::string text) { out.push_back({t, std::move(text), at, !space}); space = false; };
            auto chain = [&](size_t from) {  // .A.B from `from` (at a '.'); returns the end
                size_t j = from;
                while (j + 1 < body.size() && body[j] == '.' && identChar(body[j + 1])) {
                    ++j;
                    while (j < body.size() && identChar(body[j])) ++j;
                }
                return j;
            };
            if (c == '.') {
                if (i + 1 < body.size() && identChar(body[i + 1]) && !std::isdigit(static_cast<unsigned char>(body[i + 1]))) {
                    size_t j = chain(i);
                    push(Tok::Field, std::string(body.substr(i + 1, j - i - 1)));
                    i = j;
                } else {
                    push(Tok::Dot, ".");
                    ++i;
                }
            } else if (c == '$') {
                size_t j = i + 1;
                while (j < body.size() && identChar(body[j])) ++j;
                std::string name(body.substr(i + 1, j - i - 1));
                size_t k = chain(j);
                std::string fields = k > j ? std::string(body.substr(j + 1, k - j - 1)) : "";
                push(Tok::Var, fields.empty() ? name : name + "." + fields);
                // keep the variable's name apart from its fields: "$x.A" -> "x" + chain "A"
                out.back().text = name + (fields.empty() ? "" : "\x1f" + fields);
                i = k;
            } else if (c == '"' || c == '`') {
                std::string s;
                size_t j = i + 1;
                for (; j < body.size() && body[j] != c; ++j) {
                    if (c == '"' && body[j] == '\\' && j + 1 < body.size()) {
                        char e = body[++j];
                        s += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
                    } else {
                        if (c == '"' && body[j] == '\n') return err(at, "unterminated quoted string");
                        s += body[j];
                    }
                }
                if (j >= body.size()) return err(at, c == '"' ? "unterminated quoted string" : "unterminated raw quoted string");
                push(Tok::String, s);
                i = j + 1;
            } else if (std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '+') && i + 1 < body.size() && std::isdigit(static_cast<unsigned char>(body[i + 1])))) {
                size_t j = i + 1;
                while (j < body.size() && (std::isalnum(static_cast<unsigned char>(body[j])) || body[j] == '.' || body[j] == '_' ||
                                           ((body[j] == '-' || body[j] == '+') && (body[j - 1] == 'e' || body[j - 1] == 'E'))))
                    ++j;
                push(Tok::Number, std::string(body.substr(i, j - i)));
                i = j;
            } else if (identChar(c)) {
                size_t j = i;
                while (j < body.size() && identChar(body[j])) ++j;
                push(Tok::Ident, std::string(body.substr(i, j - i)));
                i = j;
            } else if (c == '(') {
                push(Tok::LParen, "(");
                ++i;
            } else if (c == ')') {
                push(Tok::RParen, ")");
                ++i;
                // (pipeline).Field
                if (i + 1 < body.size() && body[i] == '.' && identChar(body[i + 1])) {
                    size_t j = chain(i);
                    out.push_back({Tok::Field, std::string(body.substr(i + 1, j - i - 1)), base + i, true});
                    i = j;
                }
            } else if (c == '|') {
                push(Tok::Pipe, "|");
                ++i;
            } else if (c == ',') {
                push(Tok::Comma, ",");
                ++i;
            } else if (c == ':' && i + 1 < body.size() && body[i + 1] == '=') {
                push(Tok::Declare, ":=");
                i += 2;
            } else if (c == '=') {
                push(Tok::Assign, "=");
                ++i;
            } else {
                return err(at, std::string("unexpected \"") + c + "\" in command");
            }
        }
        return out;
    }

    static bool isFunc(const std::string& name);

    // A pipeline from toks[i..end); `sub` when inside ( ).
    lc::Result<Pipe> parsePipe(const std::vector<Token>& toks, size_t& i, size_t actionPos, bool sub, bool allowTwoVars) {
        Pipe p;
        // declarations: $x := / $x = / $i, $v :=
        size_t save = i;
        if (i < toks.size() && toks[i].t == Tok::Var && toks[i].text.find('\x1f') == std::string::npos) {
            std::vector<std::string> vars{toks[i].text};
            size_t j = i + 1;
            if (allowTwoVars && j + 1 < toks.size() && toks[j].t == Tok::Comma && toks[j + 1].t == Tok::Var) {
                vars.push_back(toks[j + 1].text);
                j += 2;
            }
            if (j < toks.size() && (toks[j].t == Tok::Declare || (toks[j].t == Tok::Assign && vars.size() == 1))) {
                p.vars = vars;
                p.declare = toks[j].t == Tok::Declare;
                i = j + 1;
            } else {
                i = save;
            }
        }
        for (;;) {
            Cmd c;
            while (i < toks.size() && toks[i].t != Tok::Pipe && toks[i].t != Tok::RParen) {
                auto a = parseOperand(toks, i, actionPos);
                if (!a) return std::unexpected(a.error());
                c.args.push_back(std::move(*a));
            }
            if (c.args.empty()) return err(actionPos, "missing value for command");
            p.cmds.push_back(std::move(c));
            if (i < toks.size() && toks[i].t == Tok::Pipe) {
                ++i;
                continue;
            }
            break;
        }
        if (i < toks.size() && toks[i].t == Tok::RParen && !sub) return err(toks[i].pos, "unexpected right paren");
        return p;
    }

    lc::Result<Arg> parseOperand(const std::vector<Token>& toks, size_t& i, size_t actionPos) {
        const Token& t = toks[i];
        Arg a;
        a.pos = t.pos;
        switch (t.t) {
        case Tok::Field:
            a.k = Arg::K::Field;
            a.chain = splitDots(t.text);
            a.text = "." + t.text;
            ++i;
            return a;
        case Tok::Var: {
            a.k = Arg::K::Var;
            auto sep = t.text.find('\x1f');
            a.name = t.text.substr(0, sep);
            if (sep != std::string::npos) a.chain = splitDots(t.text.substr(sep + 1));
            a.text = "$" + a.name;
            for (auto& f : a.chain) a.text += "." + f;
            ++i;
            return a;
        }
        case Tok::Dot:
            a.k = Arg::K::Dot;
            a.text = ".";
            ++i;
            return a;
        case Tok::String:
            a.k = Arg::K::Lit;
            a.lit = Value::str(t.text);
            a.text = json::quote(t.text);
            ++i;
            return a;
        case Tok::Number: {
            a.k = Arg::K::Lit;
            a.text = t.text;
            char* end = nullptr;
            errno = 0;
            long long n = std::strtoll(t.text.c_str(), &end, 0);
            if (*end == 0 && errno == 0) {
                a.lit = Value::integer(n);
            } else {
                errno = 0;
                double d = std::strtod(t.text.c_str(), &end);
                if (*end != 0 || errno) return err(t.pos, "bad number syntax: \"" + t.text + "\"");
                a.lit.kind = Value::Kind::Float;
                a.lit.f = d;
                a.lit.s = t.text;
            }
            ++i;
            return a;
        }
        case Tok::Ident:
            a.text = t.text;
            ++i;
            if (t.text == "true" || t.text == "false") {
                a.k = Arg::K::Lit;
                a.lit = Value::boolean(t.text == "true");
            } else if (t.text == "nil") {
                a.k = Arg::K::Lit;
                a.lit.kind = Value::Kind::Null;
            } else if (isFunc(t.text)) {
                a.k = Arg::K::Func;
                a.name = t.text;
            } else if (t.text == "if" || t.text == "range" || t.text == "with" || t.text == "end" || t.text == "else") {
                return err(t.pos, "unexpected <" + t.text + "> in command");
            } else {
                return err(t.pos, "function \"" + t.text + "\" not defined");
            }
            return a;
        case Tok::LParen: {
            ++i;
            auto p = parsePipe(toks, i, actionPos, true, false);
            if (!p) return std::unexpected(p.error());
            if (i >= toks.size() || toks[i].t != Tok::RParen) return err(t.pos, "unclosed left paren");
            ++i;
            a.k = Arg::K::Sub;
            a.sub = std::make_shared<Pipe>(std::move(*p));
            a.text = "(...)";
            if (i < toks.size() && toks[i].t == Tok::Field && toks[i].attached) {
                a.chain = splitDots(toks[i].text);
                ++i;
            }
            return a;
        }
        default:
            return err(t.pos, "unexpected \"" + t.text + "\" in operand");
        }
    }

    static std::vector<std::string> splitDots(const std::string& s) {
        std::vector<std::string> out;
        size_t start = 0;
        for (;;) {
            size_t d = s.find('.', start);
            out.push_back(s.substr(start, d == std::string::npos ? std::string::npos : d - start));
            if (d == std::string::npos) return out;
            start = d + 1;
        }
    }

    // Nodes up to {{end}}/{{else ...}} (its keyword in `term`, the rest of its tokens in
    // elseToks_) or the end of the text (term empty).
    lc::Result<std::vector<Node>> parseList(std::string& term) {
        std::vector<Node> list;
        term.clear();
        for (;;) {
            std::string text;
            std::optional<Action> act;
            auto more = next(text, act);
            if (!more) return std::unexpected(more.error());
            if (!*more) return list;
            if (!act) {
                if (!text.empty()) {
                    Node n;
                    n.text = text;
                    list.push_back(std::move(n));
                }
                continue;
            }
            auto& toks = act->toks;
            if (toks.empty()) return err(act->pos, "missing value for command");
            if (toks[0].t == Tok::Ident && (toks[0].text == "end" || toks[0].text == "else")) {
                term = toks[0].text;
                if (term == "end" && toks.size() > 1) return err(act->pos, "unexpected \"" + toks[1].text + "\" in end");
                elseToks_.assign(toks.begin() + 1, toks.end());
                pendingPos_ = act->pos;
                return list;
            }
            if (toks[0].t == Tok::Ident && (toks[0].text == "if" || toks[0].text == "range" || toks[0].text == "with")) {
                auto n = parseControl(toks[0].text, std::vector<Token>(toks.begin() + 1, toks.end()), act->pos);
                if (!n) return std::unexpected(n.error());
                list.push_back(std::move(*n));
                continue;
            }
            size_t i = 0;
            auto p = parsePipe(toks, i, act->pos, false, false);
            if (!p) return std::unexpected(p.error());
            Node n;
            n.k = Node::K::Action;
            n.pipe = std::move(*p);
            list.push_back(std::move(n));
        }
    }

    lc::Result<Node> parseControl(const std::string& kw, const std::vector<Token>& toks, size_t pos) {
        Node n;
        n.k = kw == "if" ? Node::K::If : kw == "range" ? Node::K::Range : Node::K::With;
        if (toks.empty()) return err(pos, "missing value for " + kw);
        size_t i = 0;
        auto p = parsePipe(toks, i, pos, false, kw == "range");
        if (!p) return std::unexpected(p.error());
        n.pipe = std::move(*p);
        std::string term;
        auto body = parseList(term);
        if (!body) return std::unexpected(body.error());
        n.list = std::move(*body);
        if (term.empty()) return err(src_.size(), "unexpected EOF");
        if (term == "else") {
            std::vector<Token> rest = elseToks_;
            if (!rest.empty()) {
                if (rest[0].t != Tok::Ident || (rest[0].text != "if" && rest[0].text != "with"))
                    return err(pendingPos_, "unexpected \"" + rest[0].text + "\" in else");
                // {{else if x}}: a nested if that ends at the same {{end}}
                auto nested = parseControl(rest[0].text, std::vector<Token>(rest.begin() + 1, rest.end()), pendingPos_);
                if (!nested) return std::unexpected(nested.error());
                n.elseList.push_back(std::move(*nested));
                return n;
            }
            auto els = parseList(term);
            if (!els) return std::unexpected(els.error());
            n.elseList = std::move(*els);
            if (term.empty()) return err(src_.size(), "unexpected EOF");
            if (term != "end") return err(pendingPos_, "expected end; found {{else}}");
        }
        return n;
    }

    std::string_view src_;
    size_t pos_ = 0;
    bool trimNext_ = false;
    std::vector<Token> elseToks_;
    size_t pendingPos_ = 0;
};

}  // namespace

bool Parser::isFunc(const std::string& name) { return isFunction(name); }

// ---------------------------------------------------------------------------------- execution

namespace {

class Exec {
public:
    Exec(std::string_view src, const Value& root) : src_(src) { vars_.emplace_back("", root); }

    lc::Result<void> walk(const std::vector<Node>& list, const Value& dot) {
        for (const auto& n : list) LC_TRY(walkNode(n, dot));
        return {};
    }
    std::string out;

private:
    lc::Result<void> walkNode(const Node& n, const Value& dot) {
        switch (n.k) {
        case Node::K::Text: out += n.text; return {};
        case Node::K::Action: {
            auto v = evalPipe(n.pipe, dot);
            if (!v) return std::unexpected(v.error());
            if (n.pipe.vars.empty()) out += printValue(*v);
            return {};
        }
        case Node::K::If:
        case Node::K::With: {
            size_t mark = vars_.size();
            auto v = evalPipe(n.pipe, dot);
            if (!v) return std::unexpected(v.error());
            lc::Result<void> r;
            if (truthy(*v)) r = walk(n.list, n.k == Node::K::With ? *v : dot);
            else r = walk(n.elseList, dot);
            vars_.resize(mark);
            return r;
        }
        case Node::K::Range: {
            size_t mark = vars_.size();
            Pipe p = n.pipe;
            std::vector<std::string> names = p.vars;
            p.vars.clear();  // bound per element below, not to the list
            auto v = evalPipe(p, dot);
            if (!v) return std::unexpected(v.error());
            auto each = [&](const Value& key, const Value& elem) -> lc::Result<void> {
                size_t inner = vars_.size();
                if (names.size() == 1) vars_.emplace_back(names[0], elem);
                if (names.size() == 2) {
                    vars_.emplace_back(names[0], key);
                    vars_.emplace_back(names[1], elem);
                }
                auto r = walk(n.list, elem);
                vars_.resize(inner);
                return r;
            };
            lc::Result<void> r;
            bool any = false;
            if (v->kind == Value::Kind::Array) {
                for (size_t k = 0; k < v->arr.size() && r; ++k, any = true) r = each(Value::integer(static_cast<int64_t>(k)), v->arr[k]);
            } else if (v->kind == Value::Kind::Object) {
                for (auto* e : sortedEntries(*v)) {
                    if (!r) break;
                    any = true;
                    r = each(Value::str(e->first), e->second);
                }
            } else if (v->kind != Value::Kind::Null && v->kind != Value::Kind::Invalid) {
                r = fail(posOf(n.pipe), "range", "range can't iterate over " + printValue(*v));
            }
            if (r && !any) r = walk(n.elseList, dot);
            vars_.resize(mark);
            return r;
        }
        }
        return {};
    }

    size_t posOf(const Pipe& p) const { return p.cmds.empty() || p.cmds[0].args.empty() ? 0 : p.cmds[0].args[0].pos; }

    std::unexpected<lc::Error> fail(size_t pos, const std::string& at, const std::string& what) const {
        size_t lineStart = src_.rfind('\n', pos == 0 ? 0 : pos - 1);
        lineStart = lineStart == std::string_view::npos || pos == 0 ? 0 : lineStart + 1;
        size_t line = 1 + static_cast<size_t>(std::count(src_.begin(), src_.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
        return lc::fail(EINVAL, "template: :" + std::to_string(line) + ":" + std::to_string(pos - lineStart) +
                                    ": executing \"\" at <" + at + ">: " + what);
    }

    lc::Result<Value> evalPipe(const Pipe& p, const Value& dot) {
        std::optional<Value> piped;
        for (const auto& c : p.cmds) {
            auto v = evalCmd(c, dot, piped ? &*piped : nullptr);
            if (!v) return v;
            piped = std::move(*v);
        }
        Value result = piped ? *piped : Value{};
        if (!p.vars.empty()) {
            if (p.declare) {
                vars_.emplace_back(p.vars[0], result);
            } else {
                auto it = std::find_if(vars_.rbegin(), vars_.rend(), [&](auto& e) { return e.first == p.vars[0]; });
                if (it == vars_.rend()) return fail(posOf(p), "$" + p.vars[0], "undefined variable: $" + p.vars[0]);
                it->second = result;
            }
        }
        return result;
    }

    lc::Result<Value> evalCmd(const Cmd& c, const Value& dot, const Value* piped) {
        const Arg& first = c.args[0];
        if (first.k == Arg::K::Func) {
            std::vector<Value> args;
            for (size_t k = 1; k < c.args.size(); ++k) {
                auto v = evalArg(c.args[k], dot);
                if (!v) return v;
                args.push_back(std::move(*v));
            }
            if (piped) args.push_back(*piped);
            auto r = callFunc(first.name, args);
            if (!r) return fail(first.pos, first.text, r.error().message());
            return r;
        }
        if (c.args.size() > 1 || piped) return fail(first.pos, first.text, "can't give argument to non-function " + first.text);
        return evalArg(first, dot);
    }

    lc::Result<Value> walkChain(Value v, const std::vector<std::string>& chain, const Arg& a) {
        for (const auto& f : chain) {
            if (v.kind == Value::Kind::Object) {
                const Value* x = v.field(f);
                if (!x) return fail(a.pos, a.text, "map has no entry for key \"" + f + "\"");
                Value next = *x;
                v = std::move(next);
            } else if (v.kind == Value::Kind::Null || v.kind == Value::Kind::Invalid) {
                return fail(a.pos, a.text, "nil pointer evaluating interface {}." + f);
            } else {
                return fail(a.pos, a.text, "can't evaluate field " + f + " in type " + typeName(v));
            }
        }
        return v;
    }

    static std::string typeName(const Value& v) {
        switch (v.kind) {
        case Value::Kind::Bool: return "bool";
        case Value::Kind::Int: return "int";
        case Value::Kind::Float: return "float64";
        case Value::Kind::String: return "string";
        case Value::Kind::Array: return "[]interface {}";
        default: return "interface {}";
        }
    }

    lc::Result<Value> evalArg(const Arg& a, const Value& dot) {
        switch (a.k) {
        case Arg::K::Dot: return dot;
        case Arg::K::Lit: return a.lit;
        case Arg::K::Field: return walkChain(dot, a.chain, a);
        case Arg::K::Var: {
            auto it = std::find_if(vars_.rbegin(), vars_.rend(), [&](auto& e) { return e.first == a.name; });
            if (it == vars_.rend()) return fail(a.pos, a.text, "undefined variable: $" + a.name);
            return walkChain(it->second, a.chain, a);
        }
        case Arg::K::Sub: {
            auto v = evalPipe(*a.sub, dot);
            if (!v) return v;
            return walkChain(std::move(*v), a.chain, a);
        }
        case Arg::K::Func: {
            auto r = callFunc(a.name, {});
            if (!r) return fail(a.pos, a.text, r.error().message());
            return r;
        }
        }
        return Value{};
    }

    std::string_view src_;
    std::vector<std::pair<std::string, Value>> vars_;  // "" is $
};

}  // namespace

struct TemplateRoot : Node {
    std::string src;
};

lc::Result<Template> Template::parse(std::string_view text) {
    auto root = std::make_shared<TemplateRoot>();
    root->src = std::string(text);
    Parser p(root->src);
    auto list = p.parseAll();
    if (!list) return std::unexpected(list.error());
    root->list = std::move(*list);
    Template t;
    t.root_ = root;
    return t;
}

lc::Result<std::string> Template::execute(const Value& data) const {
    auto* root = static_cast<const TemplateRoot*>(root_.get());
    Exec e(root->src, data);
    LC_TRY(e.walk(root->list, data));
    return std::move(e.out);
}

std::string tabulate(const std::string& text) {
    std::vector<std::vector<std::string>> lines;
    for (size_t start = 0; start < text.size();) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(start, nl - start);
        std::vector<std::string> cells;
        for (size_t s = 0;;) {
            size_t t = line.find('\t', s);
            cells.push_back(line.substr(s, t == std::string::npos ? std::string::npos : t - s));
            if (t == std::string::npos) break;
            s = t + 1;
        }
        lines.push_back(std::move(cells));
        start = nl + 1;
    }
    auto cols = [](const std::string& s) {  // display width: UTF-8 lead bytes
        size_t n = 0;
        for (unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    };
    std::vector<size_t> width;
    for (const auto& l : lines)
        for (size_t k = 0; k + 1 < l.size(); ++k) {  // a line's last cell is not in a column
            if (width.size() <= k) width.resize(k + 1, 10);
            width[k] = std::max(width[k], cols(l[k]) + 3);
        }
    std::string out;
    for (size_t n = 0; n < lines.size(); ++n) {
        const auto& l = lines[n];
        for (size_t k = 0; k < l.size(); ++k) {
            out += l[k];
            if (k + 1 < l.size()) out += std::string(width[k] - cols(l[k]), ' ');
        }
        if (n + 1 < lines.size() || text.ends_with('\n')) out += '\n';
    }
    return out;
}

bool splitTable(std::string& format) {
    bool table = format.starts_with("table");
    if (table) format.erase(0, 5);
    while (!format.empty() && format.front() == ' ') format.erase(0, 1);
    while (!format.empty() && format.back() == ' ') format.pop_back();
    std::string out;
    for (size_t k = 0; k < format.size(); ++k) {
        if (format[k] == '\\' && k + 1 < format.size() && (format[k + 1] == 't' || format[k + 1] == 'n')) {
            out += format[++k] == 't' ? '\t' : '\n';
        } else {
            out += format[k];
        }
    }
    format = out;
    return table;
}

}  // namespace mgr::tmpl
