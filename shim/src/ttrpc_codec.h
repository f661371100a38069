// ttrpc framing: a 10-byte big-endian header (u32 payload length, u32 stream id, u8 type,
// u8 flags) followed by the payload, a protobuf Request (type 1) or Response (type 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libcontainer/error.h"

namespace shim::ttrpc {

inline constexpr size_t kHeaderSize = 10;
inline constexpr uint32_t kMaxMessage = 4u << 20;  // as the Go implementation
inline constexpr uint8_t kTypeRequest = 1;
inline constexpr uint8_t kTypeResponse = 2;

// grpc status codes used in Response.status.code
enum Code : int32_t {
    kOk = 0, kCancelled = 1, kUnknown = 2, kInvalidArgument = 3, kDeadlineExceeded = 4,
    kNotFound = 5, kAlreadyExists = 6, kPermissionDenied = 7, kResourceExhausted = 8,
    kFailedPrecondition = 9, kAborted = 10, kOutOfRange = 11, kUnimplemented = 12,
    kInternal = 13, kUnavailable = 14,
};

struct Frame {
    uint32_t stream = 0;
    uint8_t type = 0;
    uint8_t flags = 0;
    std::string payload;
};

std::string encodeFrame(uint32_t stream, uint8_t type, uint8_t flags, std::string_view payload);

// Accumulates bytes from a stream and cuts frames out of them.
class Decoder {
public:
    void feed(const char* data, size_t n) { buf_.append(data, n); }
    // The next complete frame, nothing when more bytes are needed, an error for a frame
    // longer than kMaxMessage (the stream cannot be resynchronised after that).
    lc::Result<std::optional<Frame>> next();
    [[nodiscard]] size_t buffered() const { return buf_.size() - off_; }

private:
    std::string buf_;
    size_t off_ = 0;
};

}  // namespace shim::ttrpc
