// The compiled seccomp filter cache (security/seccomp_cache.h): a hit gives exactly what
// compileSeccomp gives, anything odd in the directory means compiling again, never an error.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "seccomp_profiles.h"
#include "security/seccomp_cache.h"
#include "security/security.h"

using namespace lc::security;
using namespace lc::security::test;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/rcpp-scache.XXXXXX";
        REQUIRE(::mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

bool same(const SeccompProgram& a, const SeccompProgram& b) {
    if (a.flags != b.flags || a.notify != b.notify || a.filter.size() != b.filter.size()) return false;
    for (size_t i = 0; i < a.filter.size(); ++i) {
        const auto &x = a.filter[i], &y = b.filter[i];
        if (x.code != y.code || x.jt != y.jt || x.jf != y.jf || x.k != y.k) return false;
    }
    return true;
}

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
    return out;
}

spec::Seccomp small() {
    return profile("SCMP_ACT_ERRNO", {rule({"read", "write", "exit_group"}, "SCMP_ACT_ALLOW"),
                                      rule({"mkdir"}, "SCMP_ACT_KILL")});
}

// Overwrites the filter part of the one cache file with `k` in every instruction.
void tamper(const std::string& file) {
    std::string data;
    {
        std::ifstream in(file, std::ios::binary);
        data.assign(std::istreambuf_iterator<char>(in), {});
    }
    REQUIRE(data.size() > 16);
    for (size_t i = data.size() - 4; i < data.size(); ++i) data[i] = 0x5a;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << data;
}

}  // namespace

TEST_CASE("seccomp cache: the key covers the profile, the build and the kernel", "[security]") {
    auto k1 = seccompCacheKey(small());
    REQUIRE(k1);  // the build has build ids (Debian's gcc links with --build-id)
    CHECK(k1->find("code ") != std::string::npos);
    CHECK(k1->find("libseccomp ") != std::string::npos);
    CHECK(k1->find("kernel ") != std::string::npos);
    auto other = small();
    other.syscalls[1].action = "SCMP_ACT_ERRNO";
    other.syscalls[1].errnoRet = 1;
    auto k2 = seccompCacheKey(other);
    REQUIRE(k2);
    CHECK(*k1 != *k2);
    CHECK(*seccompCacheKey(small()) == *k1);
}

TEST_CASE("seccomp cache: a miss stores, a hit returns the same program", "[security]") {
    TempDir t;
    std::string dir = t.path + "/a/seccomp";
    auto direct = compileSeccomp(small());
    REQUIRE(direct);
    auto first = compileSeccompCached(small(), dir);
    REQUIRE(first);
    CHECK(same(*first, *direct));
    auto files = entries(dir);
    REQUIRE(files.size() == 1);
    struct stat st{};
    REQUIRE(::stat((dir + "/" + files[0]).c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
    auto second = compileSeccompCached(small(), dir);
    REQUIRE(second);
    CHECK(same(*second, *direct));

    SECTION("the hit really comes from the file") {
        // A cache file whose program was changed (but is still well formed) is served as is:
        // this is what the ownership and mode checks are there to protect.
        tamper(dir + "/" + files[0]);
        auto third = compileSeccompCached(small(), dir);
        REQUIRE(third);
        CHECK_FALSE(same(*third, *direct));
    }
    SECTION("a file others may write is not trusted") {
        tamper(dir + "/" + files[0]);
        REQUIRE(::chmod((dir + "/" + files[0]).c_str(), 0666) == 0);
        auto third = compileSeccompCached(small(), dir);
        REQUIRE(third);
        CHECK(same(*third, *direct));
    }
    SECTION("a directory others may write is not used") {
        tamper(dir + "/" + files[0]);
        REQUIRE(::chmod(dir.c_str(), 0777) == 0);
        auto third = compileSeccompCached(small(), dir);
        REQUIRE(third);
        CHECK(same(*third, *direct));
    }
    SECTION("a symlink in place of the file is not followed") {
        std::string real = t.path + "/elsewhere";
        REQUIRE(::rename((dir + "/" + files[0]).c_str(), real.c_str()) == 0);
        tamper(real);
        REQUIRE(::symlink(real.c_str(), (dir + "/" + files[0]).c_str()) == 0);
        auto third = compileSeccompCached(small(), dir);
        REQUIRE(third);
        CHECK(same(*third, *direct));
    }
    SECTION("a truncated file is compiled again and replaced") {
        REQUIRE(::truncate((dir + "/" + files[0]).c_str(), 20) == 0);
        auto third = compileSeccompCached(small(), dir);
        REQUIRE(third);
        CHECK(same(*third, *direct));
        REQUIRE(::stat((dir + "/" + files[0]).c_str(), &st) == 0);
        CHECK(st.st_size > 20);
    }
    SECTION("a different profile is a different entry") {
        auto other = small();
        other.syscalls.push_back(rule({"rmdir"}, "SCMP_ACT_KILL"));
        auto p = compileSeccompCached(other, dir);
        REQUIRE(p);
        CHECK(same(*p, *compileSeccomp(other)));
        CHECK(entries(dir).size() == 2);
    }
}

TEST_CASE("seccomp cache: errors are compileSeccomp's and nothing is stored", "[security]") {
    TempDir t;
    std::string dir = t.path + "/seccomp";
    auto bad = small();
    bad.syscalls[0].action = "SCMP_ACT_BOGUS";
    auto p = compileSeccompCached(bad, dir);
    REQUIRE_FALSE(p);
    CHECK(p.error().message() == compileSeccomp(bad).error().message());
    CHECK(entries(dir).empty());
}

TEST_CASE("seccomp cache: a full directory is emptied before the next entry", "[security]") {
    TempDir t;
    std::string dir = t.path + "/seccomp";
    REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
    for (size_t i = 0; i < kSeccompCacheMax; ++i)
        std::ofstream(dir + "/" + std::to_string(i) + ".bpf") << "x";
    auto p = compileSeccompCached(small(), dir);
    REQUIRE(p);
    CHECK(entries(dir).size() == 1);
}

TEST_CASE("seccomp cache: where it lives", "[security]") {
    const char* old = std::getenv("RUNC_CPP_SECCOMP_CACHE");
    std::string saved = old ? old : "";
    ::setenv("RUNC_CPP_SECCOMP_CACHE", "0", 1);
    CHECK(defaultSeccompCacheDir().empty());
    ::setenv("RUNC_CPP_SECCOMP_CACHE", "/somewhere/else", 1);
    CHECK(defaultSeccompCacheDir() == "/somewhere/else");
    ::unsetenv("RUNC_CPP_SECCOMP_CACHE");
    if (::geteuid() == 0) CHECK(defaultSeccompCacheDir() == "/run/runc-cpp-cache/seccomp");
    if (old) ::setenv("RUNC_CPP_SECCOMP_CACHE", saved.c_str(), 1);
    CHECK(compileSeccompCached(small(), "relative/dir"));
}
