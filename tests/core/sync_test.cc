#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "process/sync.h"

using namespace lc::process;

TEST_CASE("sync codec round-trips every message type", "[core][sync]") {
    for (auto t : {Msg::Go, Msg::MountsReady, Msg::HooksDone, Msg::Console, Msg::Ready, Msg::Error, Msg::Child}) {
        std::string wire = encodeMsg(t, 42, "payload");
        auto m = decodeMsg(wire.data(), wire.size());
        REQUIRE(m);
        CHECK(m->type == t);
        CHECK(m->err == 42);
        CHECK(m->payload == "payload");
    }
}

TEST_CASE("sync codec rejects malformed frames", "[core][sync]") {
    std::string wire = encodeMsg(Msg::Ready, 0, "abc");
    CHECK_FALSE(decodeMsg(wire.data(), 10));                       // short header
    CHECK_FALSE(decodeMsg(wire.data(), wire.size() - 1));          // length mismatch
    std::string bad = wire;
    bad[0] ^= 0x55;
    CHECK_FALSE(decodeMsg(bad.data(), bad.size()));                // magic
    std::string badType = encodeMsg(static_cast<Msg>(99), 0, "");
    CHECK_FALSE(decodeMsg(badType.data(), badType.size()));        // type
}

TEST_CASE("sync messages carry fds over a seqpacket pair", "[core][sync]") {
    int sp[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
    lc::UniqueFd a(sp[0]), b(sp[1]);
    int pfd[2];
    REQUIRE(::pipe(pfd) == 0);
    lc::UniqueFd r(pfd[0]), w(pfd[1]);
    REQUIRE(sendMsg(a.get(), Msg::Console, 0, "", r.get()));
    auto m = recvMsg(b.get());
    REQUIRE(m);
    CHECK(m->type == Msg::Console);
    REQUIRE(m->fd.valid());
    REQUIRE(::write(w.get(), "x", 1) == 1);
    char c = 0;
    REQUIRE(::read(m->fd.get(), &c, 1) == 1);
    CHECK(c == 'x');
    a.reset();
    auto eof = recvMsg(b.get());
    REQUIRE_FALSE(eof);
    CHECK(eof.error().errnum() == ECONNRESET);
}

TEST_CASE("sync messages: small ones (from the stack) and large ones arrive whole", "[core][sync]") {
    int sp[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
    lc::UniqueFd a(sp[0]), b(sp[1]);
    for (size_t len : {size_t{0}, size_t{7}, size_t{1024 - kSyncHeader}, size_t{1024 - kSyncHeader + 1}, size_t{40000}}) {
        std::string payload(len, 'p');
        for (size_t i = 0; i < len; ++i) payload[i] = static_cast<char>('a' + i % 26);
        REQUIRE(sendMsg(a.get(), Msg::Child, 42, payload));
        auto m = recvMsg(b.get());
        REQUIRE(m);
        CHECK(m->type == Msg::Child);
        CHECK(m->err == 42);
        CHECK(m->payload == payload);
    }
}
