#include <catch2/catch.hpp>

#include "libcontainer/passwd.h"

TEST_CASE("findPasswdEntry picks the first well-formed line for the uid", "[passwd]") {
    const char* text =
        "root:x:0:0:root:/root:/bin/sh\n"
        "short:x:1000\n"                        // too few fields: skipped
        "bad:x:10a0:0::/bad:/bin/false\n"       // not a number: skipped
        "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
        "alias:x:1000:5::/elsewhere:/bin/sh\n"  // later duplicate: ignored
        "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin";  // no final newline
    auto a = lc::findPasswdEntry(text, 1000);
    REQUIRE(a);
    CHECK(a->name == "alice");
    CHECK(a->gid == 1000);
    CHECK(a->home == "/home/alice");
    CHECK(a->shell == "/bin/bash");
    auto n = lc::findPasswdEntry(text, 65534);
    REQUIRE(n);
    CHECK(n->home == "/nonexistent");
    CHECK(lc::findPasswdEntry(text, 0)->name == "root");
    CHECK_FALSE(lc::findPasswdEntry(text, 1));
    CHECK_FALSE(lc::findPasswdEntry("", 0));
    CHECK_FALSE(lc::lookupPasswdUid("/nonexistent/passwd", 0));
}
