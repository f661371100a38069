#include "helper/protocol.h"

#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace lc::helper {

std::string encodeFrame(std::string_view json) {
    std::string out(kHeader, '\0');
    const uint32_t hdr[2] = {kMagic, static_cast<uint32_t>(json.size())};
    std::memcpy(out.data(), hdr, kHeader);
    out.append(json);
    return out;
}

Result<std::string> decodeFrame(const char* data, size_t len) {
    if (len < kHeader) return fail(EPROTO, "helper message: " + std::to_string(len) + " bytes is shorter than its header");
    uint32_t hdr[2];
    std::memcpy(hdr, data, kHeader);
    if ((hdr[0] & 0xffffff00u) != (kMagic & 0xffffff00u)) return fail(EPROTO, "helper message: bad magic");
    if ((hdr[0] & 0xffu) != kVersion)
        return fail(EPROTO, "helper message: version " + std::to_string(hdr[0] & 0xffu) + " is not " + std::to_string(kVersion));
    if (hdr[1] > kMaxPayload) return fail(EMSGSIZE, "helper message: payload of " + std::to_string(hdr[1]) + " bytes is over the limit");
    if (hdr[1] != len - kHeader)
        return fail(EPROTO, "helper message: header says " + std::to_string(hdr[1]) + " bytes, packet has " + std::to_string(len - kHeader));
    return std::string(data + kHeader, len - kHeader);
}

Result<void> sendFrame(int sock, std::string_view json, const std::vector<int>& fds) {
    if (json.size() > kMaxPayload) return fail(EMSGSIZE, "helper message: payload of " + std::to_string(json.size()) + " bytes is over the limit");
    return sendPacket(sock, encodeFrame(json), fds);
}

Result<void> sendPacket(int sock, std::string_view packet, const std::vector<int>& fds) {
    if (fds.size() > kMaxFds) return fail(EINVAL, "helper message: too many fds");
    std::string buf(packet);
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char ctrl[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    if (!fds.empty()) {
        msg.msg_control = ctrl;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    if (n < 0) return errnoError("send to the runc-cpp helper");
    return {};
}

Result<Frame> recvFrame(int sock) {
    std::string buf(kHeader + kMaxPayload + 1, '\0');
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char ctrl[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    msg.msg_control = ctrl;
    msg.msg_controllen = sizeof ctrl;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) return errnoError("receive from the runc-cpp helper");
    Frame f;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            f.fds.emplace_back(fd);
        }
    }
    if (n == 0) return fail(ECONNRESET, "the runc-cpp helper closed its socket");
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) return fail(EMSGSIZE, "helper message: truncated (too long or too many fds)");
    LC_TRY_ASSIGN(f.json, decodeFrame(buf.data(), static_cast<size_t>(n)));
    return f;
}

Result<Message> Message::parse(Frame frame, std::string what) {
    Message m;
    m.what_ = std::move(what);
    auto doc = json::Document::parseOwned(std::move(frame.json));
    if (!doc) return std::unexpected(doc.error().wrap(m.what_));
    m.doc_ = std::move(*doc);
    if (!m.doc_.root().isObject()) return fail(EPROTO, m.what_ + ": not a JSON object");
    const int64_t v = m.integer("v", 0, UINT32_MAX, true);
    if (m.error_.empty() && v != kVersion)
        m.mistake("v", "version " + std::to_string(v) + " is not " + std::to_string(kVersion));
    m.id_ = m.unsignedInt("id");
    if (!m.has("id")) m.mistake("id", "missing");
    if (m.has("op")) m.op_ = m.str("op", true);
    auto names = m.strings("fds");
    if (m.error_.empty()) {
        if (names.size() != frame.fds.size())
            m.mistake("fds", "names " + std::to_string(names.size()) + " fds, " + std::to_string(frame.fds.size()) + " attached");
        for (size_t i = 0; i < names.size() && i < frame.fds.size(); ++i) {
            if (names[i].empty() || m.fds_.count(names[i])) {
                m.mistake("fds", "empty or repeated name \"" + names[i] + "\"");
                break;
            }
            m.fds_[names[i]] = std::move(frame.fds[i]);
        }
    }
    if (!m.error_.empty()) return fail(EPROTO, m.error_);
    return m;
}

void Message::mistake(std::string_view key, std::string_view why) {
    if (!error_.empty()) return;
    error_ = what_ + (op_.empty() ? "" : " " + op_) + ": field \"" + std::string(key) + "\": " + std::string(why);
}
void Message::invalid(std::string_view key, std::string_view why) { mistake(key, why); }

bool Message::has(std::string_view key) const { return doc_.root()[key].exists(); }

json::Value Message::get(std::string_view key) {
    read_.emplace_back(key);
    return doc_.root()[key];
}

std::string Message::str(std::string_view key, bool required) {
    json::Value v = get(key);
    if (!v) {
        if (required) mistake(key, "missing");
        return {};
    }
    if (!v.isString()) return mistake(key, "expected string"), std::string();
    if (v.text().find('\0') != std::string::npos) return mistake(key, "contains a NUL byte"), std::string();
    return v.str();
}

bool Message::boolean(std::string_view key) {
    json::Value v = get(key);
    if (!v) return false;
    if (!v.isBool()) mistake(key, "expected boolean");
    return v.asBool();
}

namespace {
bool toInt(json::Value v, int64_t* n) {
    if (!v.isNumber()) return false;
    auto [p, ec] = std::from_chars(v.text().data(), v.text().data() + v.text().size(), *n);
    return ec == std::errc() && p == v.text().data() + v.text().size();
}
}  // namespace

std::vector<int64_t> Message::integers(std::string_view key, int64_t min, int64_t max) {
    std::vector<int64_t> out;
    json::Value v = get(key);
    if (!v) return out;
    if (!v.isArray()) return mistake(key, "expected array of integers"), out;
    for (json::Value item : v) {
        int64_t n = 0;
        if (!toInt(item, &n)) return mistake(key, "expected array of integers"), out;
        if (n < min || n > max)
            return mistake(key, std::to_string(n) + " is out of range " + std::to_string(min) + "-" + std::to_string(max)), out;
        out.push_back(n);
    }
    return out;
}

int64_t Message::integer(std::string_view key, int64_t min, int64_t max, bool required) {
    json::Value v = get(key);
    if (!v) {
        if (required) mistake(key, "missing");
        return 0;
    }
    int64_t n = 0;
    if (!toInt(v, &n)) return mistake(key, "expected integer"), 0;
    if (n < min || n > max)
        return mistake(key, std::to_string(n) + " is out of range " + std::to_string(min) + "-" + std::to_string(max)), 0;
    return n;
}

uint64_t Message::unsignedInt(std::string_view key) {
    json::Value v = get(key);
    if (!v) return 0;
    uint64_t n = 0;
    auto [p, ec] = v.isNumber() ? std::from_chars(v.text().data(), v.text().data() + v.text().size(), n)
                                 : std::from_chars_result{nullptr, std::errc::invalid_argument};
    if (ec != std::errc() || p != v.text().data() + v.text().size()) return mistake(key, "expected unsigned integer"), 0;
    return n;
}

std::vector<std::string> Message::strings(std::string_view key) {
    std::vector<std::string> out;
    json::Value v = get(key);
    if (!v) return out;
    if (!v.isArray()) return mistake(key, "expected array of strings"), out;
    for (json::Value item : v) {
        if (!item.isString() || item.text().find('\0') != std::string::npos) return mistake(key, "expected array of strings"), out;
        out.push_back(item.str());
    }
    return out;
}

std::map<std::string, std::string> Message::stringMap(std::string_view key) {
    std::map<std::string, std::string> out;
    json::Value v = get(key);
    if (!v) return out;
    if (!v.isObject()) return mistake(key, "expected object of strings"), out;
    for (json::Value item : v) {
        if (!item.isString()) return mistake(key, "expected object of strings"), out;
        out[std::string(item.key())] = item.str();
    }
    return out;
}

json::Value Message::object(std::string_view key, bool required) {
    json::Value v = get(key);
    if (!v) {
        if (required) mistake(key, "missing");
        return {};
    }
    if (!v.isObject()) return mistake(key, "expected object"), json::Value();
    return v;
}

UniqueFd Message::takeFd(std::string_view name) {
    auto it = fds_.find(std::string(name));
    if (it == fds_.end()) return UniqueFd();
    UniqueFd fd = std::move(it->second);
    fds_.erase(it);
    return fd;
}

Result<void> Message::done() {
    if (error_.empty()) {
        for (json::Value v : doc_.root())
            if (std::find(read_.begin(), read_.end(), v.key()) == read_.end()) {
                mistake(v.key(), "unknown field");
                break;
            }
    }
    if (error_.empty() && !fds_.empty()) mistake("fds", "fd \"" + fds_.begin()->first + "\" is not used by this message");
    if (!error_.empty()) return fail(EINVAL, error_);
    return {};
}

Writer::Writer(uint64_t id, std::string_view op) : id_(id) {
    w_.beginObject().key("v").unum(kVersion).key("id").unum(id).key("op").str(op);
}
Writer::Writer(uint64_t id) : id_(id) {
    w_.beginObject().key("v").unum(kVersion).key("id").unum(id).key("ok").boolean(true);
}
Writer& Writer::fd(std::string_view name, int fd) {
    if (fd >= 0) names_.emplace_back(name), fds_.push_back(fd);
    return *this;
}
std::string Writer::finish() {
    if (!names_.empty()) {
        w_.key("fds").beginArray();
        for (const auto& n : names_) w_.str(n);
        w_.endArray();
    }
    w_.endObject();
    return w_.text();
}

std::string encodeError(uint64_t id, const Error& e) {
    json::Writer w;
    const char* cat = !e.code ? "none" : &e.code.category() == &quietCategory() ? "quiet" : "generic";
    w.beginObject().key("v").unum(kVersion).key("id").unum(id).key("ok").boolean(false);
    w.key("errno").num(e.code ? e.code.value() : 0).key("category").str(cat).key("context").str(e.context).endObject();
    return w.text();
}

Error decodeError(Message& m) {
    int err = static_cast<int>(m.integer("errno", 0, 4095, true));
    std::string cat = m.str("category", true);
    std::string context = m.str("context");
    if (cat != "none" && cat != "quiet" && cat != "generic") m.invalid("category", "unknown category \"" + cat + "\"");
    if (auto r = m.done(); !r) return r.error();
    if (cat == "none" || err == 0) return Error{std::error_code(), context};
    if (cat == "quiet") return Error{std::error_code(err, quietCategory()), context};
    return Error{std::error_code(err, std::generic_category()), context};
}

namespace {

void u64s(json::Writer& w, const std::vector<uint64_t>& v) {
    w.beginArray();
    for (uint64_t x : v) w.unum(x);
    w.endArray();
}
void blkio(json::Writer& w, const std::vector<Stats::BlkioEntry>& v) {
    w.beginArray();
    for (const auto& e : v) w.beginArray().unum(e.major).unum(e.minor).str(e.op).unum(e.value).endArray();
    w.endArray();
}

// Strict readers of the Stats object: a wrong type anywhere is an error naming the member.
struct StatsReader {
    std::string error;
    void bad(std::string_view key) {
        if (error.empty()) error = "helper reply stats: field \"" + std::string(key) + "\": wrong type";
    }
    uint64_t num(json::Value v, std::string_view key) {
        uint64_t n = 0;
        if (!v || !v.isNumber()) return bad(key), 0;
        auto [p, ec] = std::from_chars(v.text().data(), v.text().data() + v.text().size(), n);
        if (ec != std::errc() || p != v.text().data() + v.text().size()) bad(key);
        return n;
    }
    uint64_t field(json::Value o, std::string_view key) { return num(o[key], key); }
    std::vector<uint64_t> list(json::Value o, std::string_view key) {
        std::vector<uint64_t> out;
        json::Value v = o[key];
        if (!v || !v.isArray()) return bad(key), out;
        for (json::Value i : v) out.push_back(num(i, key));
        return out;
    }
    std::vector<Stats::BlkioEntry> blk(json::Value o, std::string_view key) {
        std::vector<Stats::BlkioEntry> out;
        json::Value v = o[key];
        if (!v || !v.isArray()) return bad(key), out;
        for (json::Value i : v) {
            if (!i.isArray() || i.size() != 4 || !i.at(2).isString()) return bad(key), out;
            out.push_back({num(i.at(0), key), num(i.at(1), key), i.at(2).str(), num(i.at(3), key)});
        }
        return out;
    }
};

}  // namespace

void writeStats(json::Writer& w, const Stats& s) {
    w.beginObject();
    w.key("cpuTotal").unum(s.cpuUsageTotalNs).key("cpuUser").unum(s.cpuUsageUserNs).key("cpuKernel").unum(s.cpuUsageKernelNs);
    w.key("cpuPerCpu");
    u64s(w, s.cpuPerCpuNs);
    w.key("throttlingPeriods").unum(s.cpuThrottlingPeriods).key("throttledPeriods").unum(s.cpuThrottledPeriods);
    w.key("throttledTime").unum(s.cpuThrottledTimeNs);
    w.key("memUsage").unum(s.memoryUsage).key("memMaxUsage").unum(s.memoryMaxUsage).key("memLimit").unum(s.memoryLimit);
    w.key("memFailcnt").unum(s.memoryFailcnt).key("swapUsage").unum(s.swapUsage).key("swapLimit").unum(s.swapLimit);
    w.key("memStat").beginObject();
    for (const auto& [k, v] : s.memoryStat) w.key(k).unum(v);
    w.endObject();
    w.key("pidsCurrent").unum(s.pidsCurrent).key("pidsLimit").unum(s.pidsLimit);
    w.key("ioServiceBytes");
    blkio(w, s.ioServiceBytes);
    w.key("ioServiced");
    blkio(w, s.ioServiced);
    w.key("hugetlb").beginObject();
    for (const auto& [k, h] : s.hugetlb) w.key(k).beginArray().unum(h.usage).unum(h.max).unum(h.failcnt).endArray();
    w.endObject();
    w.endObject();
}

Result<Stats> readStats(json::Value o) {
    if (!o || !o.isObject()) return fail(EPROTO, "helper reply: field \"stats\": expected object");
    StatsReader r;
    Stats s;
    s.cpuUsageTotalNs = r.field(o, "cpuTotal"), s.cpuUsageUserNs = r.field(o, "cpuUser");
    s.cpuUsageKernelNs = r.field(o, "cpuKernel"), s.cpuPerCpuNs = r.list(o, "cpuPerCpu");
    s.cpuThrottlingPeriods = r.field(o, "throttlingPeriods"), s.cpuThrottledPeriods = r.field(o, "throttledPeriods");
    s.cpuThrottledTimeNs = r.field(o, "throttledTime");
    s.memoryUsage = r.field(o, "memUsage"), s.memoryMaxUsage = r.field(o, "memMaxUsage");
    s.memoryLimit = r.field(o, "memLimit"), s.memoryFailcnt = r.field(o, "memFailcnt");
    s.swapUsage = r.field(o, "swapUsage"), s.swapLimit = r.field(o, "swapLimit");
    json::Value ms = o["memStat"];
    if (!ms || !ms.isObject()) r.bad("memStat");
    else
        for (json::Value v : ms) s.memoryStat[std::string(v.key())] = r.num(v, "memStat");
    s.pidsCurrent = r.field(o, "pidsCurrent"), s.pidsLimit = r.field(o, "pidsLimit");
    s.ioServiceBytes = r.blk(o, "ioServiceBytes"), s.ioServiced = r.blk(o, "ioServiced");
    json::Value hg = o["hugetlb"];
    if (!hg || !hg.isObject()) r.bad("hugetlb");
    else
        for (json::Value v : hg) {
            std::string k(v.key());
            if (!v.isArray() || v.size() != 3) {
                r.bad("hugetlb");
                break;
            }
            s.hugetlb[k] = {r.num(v.at(0), "hugetlb"), r.num(v.at(1), "hugetlb"), r.num(v.at(2), "hugetlb")};
        }
    if (!r.error.empty()) return fail(EPROTO, r.error);
    return s;
}

}  // namespace lc::helper
