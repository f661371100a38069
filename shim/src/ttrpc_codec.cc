#include "ttrpc_codec.h"

namespace shim::ttrpc {

namespace {
void putU32(std::string& s, uint32_t v) {
    s.push_back(static_cast<char>(v >> 24));
    s.push_back(static_cast<char>(v >> 16));
    s.push_back(static_cast<char>(v >> 8));
    s.push_back(static_cast<char>(v));
}
uint32_t getU32(const char* p) {
    auto b = reinterpret_cast<const unsigned char*>(p);
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
}  // namespace

std::string encodeFrame(uint32_t stream, uint8_t type, uint8_t flags, std::string_view payload) {
    std::string out;
    out.reserve(kHeaderSize + payload.size());
    putU32(out, static_cast<uint32_t>(payload.size()));
    putU32(out, stream);
    out.push_back(static_cast<char>(type));
    out.push_back(static_cast<char>(flags));
    out.append(payload);
    return out;
}

lc::Result<std::optional<Frame>> Decoder::next() {
    if (buf_.size() - off_ < kHeaderSize) return std::optional<Frame>{};
    const char* h = buf_.data() + off_;
    uint32_t len = getU32(h);
    if (len > kMaxMessage)
        return lc::fail("ttrpc: message length " + std::to_string(len) + " exceeds maximum message size " +
                        std::to_string(kMaxMessage));
    if (buf_.size() - off_ < kHeaderSize + len) return std::optional<Frame>{};
    Frame f;
    f.stream = getU32(h + 4);
    f.type = static_cast<uint8_t>(h[8]);
    f.flags = static_cast<uint8_t>(h[9]);
    f.payload.assign(h + kHeaderSize, len);
    off_ += kHeaderSize + len;
    if (off_ == buf_.size()) {
        buf_.clear();
        off_ = 0;
    } else if (off_ > 65536) {
        buf_.erase(0, off_);
        off_ = 0;
    }
    return std::optional<Frame>(std::move(f));
}

}  // namespace shim::ttrpc
