// Every seed and every saved reproducer of the fuzz targets goes through the same checks as
// under libFuzzer (tests/fuzz/harness.h), here with the g++ build of the library, so a fuzz
// finding stays fixed without clang. Specific findings also get a focused test below.
#define FUZZ_HARNESS_THROWS 1
#include "../fuzz/harness.h"

#include <catch2/catch.hpp>

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

TEST_CASE("fuzz harness detects a broken round trip", "[fuzz]") {
    // The property checks must be able to fail: a throw from broken() reaches the caller.
    CHECK_THROWS(fuzz::broken("self-test", "a", "b"));
}
