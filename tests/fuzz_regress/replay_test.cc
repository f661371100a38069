// Every seed and every saved reproducer of the fuzz targets goes through the same checks as
// under libFuzzer (tests/fuzz/harness.h), here with the g++ build of the library, so a fuzz
// finding stays fixed without clang. Specific findings also get a focused test below.
#define FUZZ_HARNESS_THROWS 1
#include "../fuzz/harness.h"
#include "../fuzz/harness_argv.h"

#include <catch2/catch.hpp>

#include "base/json.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kTests = fs::path(TEST_DATA_DIR).parent_path();

std::vector<fs::path> inputsOf(const std::string& target) {
    std::vector<fs::path> out;
    for (const auto& dir : {kTests / "fuzz" / "corpus" / target, kTests / "fuzz_regress" / "inputs" / target}) {
        if (!fs::is_directory(dir)) continue;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file()) out.push_back(e.path());
    }
    return out;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void replay(const std::string& target, int (*body)(const uint8_t*, size_t)) {
    auto files = inputsOf(target);
    REQUIRE_FALSE(files.empty());  // the seed corpus must be there
    for (const auto& f : files) {
        INFO(f.string());
        std::string data = slurp(f);
        CHECK_NOTHROW(body(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
    }
}

}  // namespace

TEST_CASE("fuzz corpus replay: config", "[fuzz]") { replay("config", fuzz::config); }
TEST_CASE("fuzz corpus replay: process", "[fuzz]") { replay("process", fuzz::process); }
TEST_CASE("fuzz corpus replay: resources", "[fuzz]") { replay("resources", fuzz::resources); }
TEST_CASE("fuzz corpus replay: validate", "[fuzz]") { replay("validate", fuzz::validate); }
TEST_CASE("fuzz corpus replay: state", "[fuzz]") { replay("state", fuzz::state); }
TEST_CASE("fuzz corpus replay: argv", "[fuzz]") { replay("argv", fuzz::argv); }

TEST_CASE("fuzz harness detects a broken round trip", "[fuzz]") {
    // The property checks must be able to fail: a throw from broken() reaches the caller.
    CHECK_THROWS(fuzz::broken("self-test", "a", "b"));
}

TEST_CASE("deeply nested JSON is rejected or read without exhausting the stack", "[fuzz]") {
    // Inputs the fuzzer cannot reach within its length limit: 100,000 levels of nesting.
    // The spec reader builds its tree without recursion and the state store's yajl tree
    // must cope too; each parser returns (an error or a value), nothing crashes.
    constexpr size_t kDepth = 100000;
    const std::string arrays = std::string(kDepth, '[') + std::string(kDepth, ']');
    std::string objectsText;
    for (size_t i = 0; i < kDepth; ++i) objectsText += "{\"a\":";
    objectsText += "1" + std::string(kDepth, '}');
    const std::string objects = objectsText;
    const std::string inState = std::string("{\"id\":\"x\",\"pid\":1,\"annotations\":") + arrays + "}";
    for (const std::string* doc : {&arrays, &objects, &inState}) {
        // Unknown members are ignored, so some of these parse; the point is that all return.
        (void)spec::parseSpec(*doc);
        (void)spec::parseProcess(*doc);
        (void)spec::parseResources(*doc);
        (void)spec::parseState(*doc);
    }
    CHECK_FALSE(spec::parseSpec(arrays).has_value());
    CHECK_FALSE(spec::parseSpec(inState).has_value());  // annotations must be an object
    CHECK_FALSE(lc::state::decodeRecord(arrays).has_value());
    CHECK_FALSE(lc::state::decodeRecord(objects).has_value());
    // nested junk in a member the record ignores: the record itself still decodes
    auto r = lc::state::decodeRecord(inState);
    REQUIRE(r.has_value());
    CHECK(r->id == "x");
    CHECK(r->annotations.empty());
}

TEST_CASE("state record: non-ASCII survives encode/decode", "[fuzz]") {
    lc::state::Record rec;
    rec.id = "c1";
    rec.pid = 7;
    rec.bundle = "/b/\xc3\xa9";
    rec.annotations["k\xc3\xa9"] = "\xf0\x9f\x98\x80";
    auto back = lc::state::decodeRecord(lc::state::encodeRecord(rec));
    REQUIRE(back.has_value());
    CHECK(back->bundle == rec.bundle);
    CHECK(back->annotations == rec.annotations);
}

// Was known bug 2 (docs/reliability.md): decodeRecord read with yajl_tree, whose strings end
// at the first NUL, so an annotation "a\u0000b" from config.json came back from state.json
// as "a" (and keys that differ after a NUL collided). State files round-trip exactly now.
TEST_CASE("state record: annotations with NUL survive encode/decode", "[fuzz]") {
    lc::state::Record rec;
    rec.id = "c1";
    rec.pid = 7;
    rec.annotations[std::string("k\0x", 3)] = std::string("a\0b", 3);
    rec.annotations[std::string("k\0y", 3)] = "second";
    auto back = lc::state::decodeRecord(lc::state::encodeRecord(rec));
    REQUIRE(back.has_value());
    CHECK(back->annotations == rec.annotations);
}

TEST_CASE("state record: NUL in the id, bundle and cgroup paths survives encode/decode", "[fuzz]") {
    lc::state::Record rec;
    rec.id = std::string("c\0d", 3);
    rec.pid = 9;
    rec.bundle = std::string("/b\0/x", 5);
    rec.cgroupPaths[std::string("cpu\0", 4)] = std::string("/a\0b", 4);
    auto text = lc::state::encodeRecord(rec);
    CHECK(text.find('\0') == std::string::npos);  // written escaped
    CHECK(text.find("\\u0000") != std::string::npos);
    auto back = lc::state::decodeRecord(text);
    REQUIRE(back.has_value());
    CHECK(back->id == rec.id);
    CHECK(back->bundle == rec.bundle);
    CHECK(back->cgroupPaths == rec.cgroupPaths);
}

TEST_CASE("json::Document keeps NUL in keys and strings, numbers exact, order and duplicates", "[fuzz]") {
    namespace j = lc::json;
    auto doc = j::Document::parseOwned(R"({"a\u0000b": "x\u0000y", "a": 1, "a": 2, /* c */ "n": 18446744073709551615,)"
                                       R"( "big": 9223372036854775808, "f": 1.5, "t": true, "arr": [null, "s"]})",
                                       {.allowComments = true});
    REQUIRE(doc.has_value());
    j::Value r = doc->root();
    REQUIRE(r.isObject());
    CHECK(r.getString(std::string("a\0b", 3)) == std::string("x\0y", 3));
    CHECK(r["a"].text() == "1");  // "a" and "a\0b" are different keys
    CHECK(r.getInt("a") == 1);     // the first of duplicates
    CHECK(r.getUint("n") == 18446744073709551615ULL);
    CHECK(r.getInt("big") == 0);   // beyond int64: not an integer
    CHECK(r.getInt("f") == 0);
    CHECK(r.getBool("t"));
    CHECK_FALSE(r.getBool("missing"));
    CHECK_FALSE(r["missing"]["deeper"].exists());
    j::Value arr = r["arr"];
    REQUIRE((arr.isArray() && arr.size() == 2));
    CHECK(arr.at(0).kind() == j::Kind::Null);
    CHECK(arr.at(1).text() == "s");
    CHECK_FALSE(arr.at(2).exists());
    std::vector<std::string_view> keys;
    for (j::Value v : r) keys.push_back(v.key());
    CHECK(keys.size() == 8);  // duplicates kept
    CHECK(keys[0] == std::string_view("a\0b", 3));
    CHECK(r.getStringMap("missing").empty());
    // a moved Document keeps its views
    j::Document moved = std::move(*doc);
    CHECK(moved.root().getString(std::string("a\0b", 3)) == std::string("x\0y", 3));
}

TEST_CASE("json::Document rejects what is not one JSON value, with a message", "[fuzz]") {
    for (std::string bad : {"", "   ", "{", "{\"a\":}", "[1,]", "\"\xff\"", "{} {}", "nul", "/* c */ 1"}) {
        auto d = lc::json::Document::parseOwned(bad);
        INFO(bad);
        REQUIRE_FALSE(d.has_value());
        CHECK(d.error().message().rfind("invalid JSON: ", 0) == 0);
    }
}

TEST_CASE("json::Writer and quote: escapes, raw values, invalid UTF-8 and NUL replaced", "[fuzz]") {
    lc::json::Writer w;
    w.beginObject().key("s").str("a\"b\\c\n\x01").key("n").num(-5).key("u").unum(18446744073709551615ULL);
    w.key("raw").raw(R"({"x":[1,2]})").key("b").boolean(true).key("z").null().endObject();
    CHECK(w.text() == R"({"s":"a\"b\\c\n\u0001","n":-5,"u":18446744073709551615,"raw":{"x":[1,2]},"b":true,"z":null})");
    CHECK(lc::json::quote(std::string("a\0b\xff\xc3\xa9\x7f", 7)) == "\"a\\ufffdb\\ufffd\xc3\xa9\\u007f\"");
    CHECK(lc::json::quote("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate
    lc::json::Writer s;
    s.beginArray().safeStr("\xff").str("ok").endArray();
    CHECK(s.text() == "[\"\\ufffd\",\"ok\"]");
}

TEST_CASE("json::Document: 100,000 levels of nesting parse and free without recursion", "[fuzz]") {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    lc::json::Document d;
    REQUIRE(d.parse(deep).has_value());
    CHECK(d.root().isArray());
    std::string objs;
    for (int i = 0; i < 100000; ++i) objs += "{\"k\":";
    objs += "1" + std::string(100000, '}');
    CHECK(lc::json::Document::parseOwned(objs).has_value());
    CHECK_FALSE(lc::state::decodeRecord(objs).has_value());  // an object, but no id/pid
}
