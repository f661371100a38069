#include <time.h>
#include <unistd.h>

#include <cstring>

#include "base/clock.h"
#include "base/json.h"
#include "cli.h"

namespace cli {
namespace {

std::string nowSeconds() { return lc::rfc3339Seconds(lc::nowNs()); }

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
        lc::json::Writer w;
        w.beginObject().key("level").str(level).key("msg").safeStr(msg).key("time").str(nowSeconds()).endObject();
        std::fprintf(out, "%s\n", w.text().c_str());
    } else {
        std::fprintf(out, "time=\"%s\" level=%s msg=%s\n", nowSeconds().c_str(), level,
                     lc::json::quote(msg).c_str());
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
