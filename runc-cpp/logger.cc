#include <time.h>
#include <unistd.h>

#include <cstring>

#include "cli.h"

namespace cli {
namespace {

std::string nowSeconds() {
    time_t t = ::time(nullptr);
    tm tmv;
    ::gmtime_r(&t, &tmv);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    return buf;
}

std::string jsonEscape(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    out += b;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

}  // namespace

Logger::Logger(const Globals& g) : json_(g.logFormat == "json"), debug_(g.debug) {
    if (!g.logPath.empty()) file_ = std::fopen(g.logPath.c_str(), "ae");
}

Logger::~Logger() {
    if (file_) std::fclose(file_);
}

void Logger::line(const char* level, const std::string& msg) {
    FILE* out = file_ ? file_ : stderr;
    if (json_) {
        std::fprintf(out, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", level, jsonEscape(msg).c_str(),
                     nowSeconds().c_str());
    } else {
        std::fprintf(out, "time=\"%s\" level=%s msg=\"%s\"\n", nowSeconds().c_str(), level,
                     jsonEscape(msg).c_str());
    }
    std::fflush(out);
}

void Logger::error(const std::string& msg) {
    line("error", msg);
    if (file_) {
        std::fprintf(stderr, "%s\n", msg.c_str());
        std::fflush(stderr);
    }
}

void Logger::warn(const std::string& msg) { line("warning", msg); }

void Logger::debug(const std::string& msg) {
    if (debug_) line("debug", msg);
}

}  // namespace cli
