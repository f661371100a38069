// The wire format between lc::RemoteRuntime (the embedder's threads) and the runc-cpp helper
// process (helper.h). Pure code, no process state: unit-tested without root.
//
// One message per SOCK_SEQPACKET packet: an 8-byte header (magic "LCH" + version byte, then
// the payload length, both u32 native-endian) and a JSON object (base/json.h) of at most
// kMaxPayload bytes; up to kMaxFds fds ride along by SCM_RIGHTS, named in the object's "fds"
// array in the order they are attached.
//   request: {"v":1,"id":N,"op":"create", <the op's fields>, "fds":["stdout",...]}
//   reply:   {"v":1,"id":N,"ok":true, <results>, "fds":["pidfd",...]}
//            {"v":1,"id":N,"ok":false,"errno":E,"category":"generic"|"quiet"|"none","context":"..."}
// Every field is checked on receipt: known op, known fields only, each of its type and range,
// the attached fds exactly those named. Anything else is refused with an error naming it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/stats.h"
#include "libcontainer/unique_fd.h"
#include "base/json.h"

namespace lc::helper {

inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kMagic = 0x4c434800u | kVersion;  // "LCH" + version
inline constexpr size_t kHeader = 8;
inline constexpr size_t kMaxPayload = 128 * 1024;
inline constexpr size_t kMaxFds = 4;

// A packet as sent or received: its JSON text and the fds attached to it.
struct Frame {
    std::string json;
    std::vector<UniqueFd> fds;
};

// Header + payload (no I/O), and the checks of a received packet's header.
std::string encodeFrame(std::string_view json);
Result<std::string> decodeFrame(const char* data, size_t len);

// One sendmsg of the frame with `fds` attached (MSG_NOSIGNAL). recvFrame: fds arrive
// close-on-exec; a closed peer is ECONNRESET; truncation (payload or fds) is an error.
Result<void> sendFrame(int sock, std::string_view json, const std::vector<int>& fds);
// The same for bytes that are already a packet (or, in tests, are not).
Result<void> sendPacket(int sock, std::string_view packet, const std::vector<int>& fds);
Result<Frame> recvFrame(int sock);

// A checked view of one received message: the object, its fds by name, and getters that
// record the first mistake ("helper request create: field \"signal\": expected integer").
// Members not read by the time done() is called are refused as unknown fields.
class Message {
public:
    // `what` names the message in errors ("helper request", "helper reply").
    static Result<Message> parse(Frame frame, std::string what);

    [[nodiscard]] uint64_t id() const { return id_; }
    [[nodiscard]] const std::string& op() const { return op_; }

    std::string str(std::string_view key, bool required = false);
    bool boolean(std::string_view key);
    int64_t integer(std::string_view key, int64_t min, int64_t max, bool required = false);
    uint64_t unsignedInt(std::string_view key);
    std::vector<std::string> strings(std::string_view key);
    std::vector<int64_t> integers(std::string_view key, int64_t min, int64_t max);
    std::map<std::string, std::string> stringMap(std::string_view key);
    json::Value object(std::string_view key, bool required = false);
    [[nodiscard]] bool has(std::string_view key) const;
    // The attached fd of that name (invalid when not attached).
    UniqueFd takeFd(std::string_view name);
    // The first mistake, or one for a member or fd nobody read.
    Result<void> done();
    // A mistake found by the caller (a value out of its own range).
    void invalid(std::string_view key, std::string_view why);

private:
    Message() = default;
    json::Value get(std::string_view key);
    void mistake(std::string_view key, std::string_view why);
    json::Document doc_;
    std::string what_;
    uint64_t id_ = 0;
    std::string op_;
    std::vector<std::string> read_;
    std::map<std::string, UniqueFd> fds_;
    std::string error_;
};

// Writes the common members of a message; add fields, then finish().
class Writer {
public:
    Writer(uint64_t id, std::string_view op);   // a request
    explicit Writer(uint64_t id);              // a successful reply
    json::Writer& json() { return w_; }
    // Names an fd attached to the message (skipped when fd < 0).
    Writer& fd(std::string_view name, int fd);
    std::string finish();
    [[nodiscard]] const std::vector<int>& fds() const { return fds_; }
    [[nodiscard]] uint64_t id() const { return id_; }

private:
    uint64_t id_;
    json::Writer w_;
    std::vector<std::string> names_;
    std::vector<int> fds_;
};

// A failed reply carrying `e`; replyError gives back the same Error (same message()).
std::string encodeError(uint64_t id, const Error& e);
Error decodeError(Message& m);

// Stats as a JSON object, and back (every member checked).
void writeStats(json::Writer& w, const Stats& s);
Result<Stats> readStats(json::Value v);

}  // namespace lc::helper
