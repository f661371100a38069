// ttrpc framing and mount option parsing of the shim (pure; no protobuf needed).
#include <catch2/catch.hpp>

#include <sys/mount.h>

#include "../../shim/src/mounts.h"
#include "../../shim/src/ttrpc_codec.h"

using namespace shim;

TEST_CASE("ttrpc: a frame is a big-endian 10-byte header and the payload", "[shim]") {
    std::string f = ttrpc::encodeFrame(0x01020304, ttrpc::kTypeRequest, 0x5, "abc");
    REQUIRE(f.size() == 13);
    CHECK(f.substr(0, 4) == std::string("\0\0\0\3", 4));
    CHECK(f.substr(4, 4) == std::string("\1\2\3\4", 4));
    CHECK(f[8] == 1);
    CHECK(f[9] == 5);
    CHECK(f.substr(10) == "abc");
}

TEST_CASE("ttrpc: the decoder cuts frames from arbitrary chunks", "[shim]") {
    std::string stream = ttrpc::encodeFrame(1, 1, 0, "hello") + ttrpc::encodeFrame(3, 2, 0, "") +
                         ttrpc::encodeFrame(5, 1, 0, std::string(70000, 'x'));
    ttrpc::Decoder d;
    std::vector<ttrpc::Frame> got;
    for (size_t i = 0; i < stream.size(); i += 7) {
        d.feed(stream.data() + i, std::min<size_t>(7, stream.size() - i));
        for (;;) {
            auto f = d.next();
            REQUIRE(f);
            if (!*f) break;
            got.push_back(std::move(**f));
        }
    }
    REQUIRE(got.size() == 3);
    CHECK(got[0].stream == 1);
    CHECK(got[0].payload == "hello");
    CHECK(got[1].stream == 3);
    CHECK(got[1].type == 2);
    CHECK(got[1].payload.empty());
    CHECK(got[2].payload.size() == 70000);
    CHECK(d.buffered() == 0);
}

TEST_CASE("ttrpc: an incomplete header or payload waits for more bytes", "[shim]") {
    std::string f = ttrpc::encodeFrame(7, 1, 0, "payload");
    ttrpc::Decoder d;
    d.feed(f.data(), 9);
    auto r = d.next();
    REQUIRE(r);
    CHECK(!*r);
    d.feed(f.data() + 9, 4);
    r = d.next();
    REQUIRE(r);
    CHECK(!*r);
    d.feed(f.data() + 13, f.size() - 13);
    r = d.next();
    REQUIRE(r);
    REQUIRE(*r);
    CHECK((*r)->payload == "payload");
}

TEST_CASE("ttrpc: a frame over 4 MiB is an error", "[shim]") {
    std::string h("\x00\x40\x00\x01\0\0\0\1\1\0", 10);
    ttrpc::Decoder d;
    d.feed(h.data(), h.size());
    auto r = d.next();
    REQUIRE(!r);
    CHECK(r.error().message().find("exceeds maximum message size") != std::string::npos);
}

TEST_CASE("mounts: flags and propagation are split from the data", "[shim]") {
    auto a = parseMountOptions({"ro", "nosuid", "lowerdir=/a:/b", "upperdir=/u", "rprivate", "index=off"});
    CHECK(a.flags == (MS_RDONLY | MS_NOSUID));
    CHECK(a.propagation == (MS_PRIVATE | MS_REC));
    CHECK(a.data == "lowerdir=/a:/b,upperdir=/u,index=off");
    auto b = parseMountOptions({"rbind", "rw"});
    CHECK(b.flags == (MS_BIND | MS_REC));
    CHECK(b.data.empty());
}
