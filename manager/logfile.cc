#include "logfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "json.h"
#include "store.h"

namespace mgr {

namespace {
constexpr size_t kMaxLine = 16 * 1024;

void writeAll(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        s.remove_prefix(static_cast<size_t>(n));
    }
}
}  // namespace

std::string encodeLogLine(std::string_view stream, std::string_view text, int64_t timeNs) {
    return json::Obj().str("log", text).str("stream", stream).str("time", rfc3339(timeNs)).done() + "\n";
}

bool decodeLogLine(std::string_view line, LogEntry& out) {
    auto d = json::Doc::parse(line);
    if (!d || !d->has({"log"})) return false;
    out.log = d->str({"log"});
    out.stream = d->str({"stream"}, "stdout");
    out.time = d->str({"time"});
    return true;
}

LogWriter::LogWriter(std::string path, int64_t maxSize, int64_t maxFiles)
    : path_(std::move(path)), maxSize_(maxSize > 0 ? maxSize : 1), maxFiles_(maxFiles > 0 ? maxFiles : 1) {}

lc::Result<void> LogWriter::open() {
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return lc::errnoError("open " + path_);
    fd_.reset(fd);
    struct stat st{};
    size_ = ::fstat(fd, &st) == 0 ? st.st_size : 0;
    return {};
}

void LogWriter::writeOut() {
    if (fd_ && !out_.empty()) writeAll(fd_.get(), out_);
    out_.clear();
}

void LogWriter::rotate() {
    writeOut();
    if (maxFiles_ <= 1) {
        if (::ftruncate(fd_.get(), 0) == 0) size_ = 0;
        return;
    }
    for (int64_t i = maxFiles_ - 1; i >= 1; --i) {
        std::string from = i == 1 ? path_ : path_ + "." + std::to_string(i - 1);
        std::string to = path_ + "." + std::to_string(i);
        ::rename(from.c_str(), to.c_str());
    }
    (void)open();
}

void LogWriter::emit(const std::string& stream, std::string_view text) {
    if (!fd_) return;
    std::string line = encodeLogLine(stream, text, nowNs());
    if (size_ > 0 && size_ + static_cast<int64_t>(line.size()) > maxSize_) rotate();
    out_ += line;
    size_ += static_cast<int64_t>(line.size());
}

void LogWriter::write(const std::string& stream, std::string_view data) {
    std::string& pending = stream == "stderr" ? pendingErr_ : pendingOut_;
    pending.append(data);
    size_t start = 0;
    for (;;) {
        size_t nl = pending.find('\n', start);
        if (nl == std::string::npos) {
            while (pending.size() - start >= kMaxLine) {
                emit(stream, std::string_view(pending).substr(start, kMaxLine));
                start += kMaxLine;
            }
            break;
        }
        while (nl + 1 - start > kMaxLine) {
            emit(stream, std::string_view(pending).substr(start, kMaxLine));
            start += kMaxLine;
        }
        emit(stream, std::string_view(pending).substr(start, nl + 1 - start));
        start = nl + 1;
    }
    pending.erase(0, start);
    writeOut();
}

void LogWriter::flush() {
    if (!pendingOut_.empty()) emit("stdout", pendingOut_);
    if (!pendingErr_.empty()) emit("stderr", pendingErr_);
    pendingOut_.clear();
    pendingErr_.clear();
    writeOut();
}

void LogReader::readFd(int fd, std::string& rest, const std::function<void(const LogEntry&)>& fn) {
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        rest.append(buf, static_cast<size_t>(n));
        size_t start = 0, nl;
        while ((nl = rest.find('\n', start)) != std::string::npos) {
            LogEntry e;
            if (decodeLogLine(std::string_view(rest).substr(start, nl - start), e)) fn(e);
            start = nl + 1;
        }
        rest.erase(0, start);
    }
}

std::vector<LogEntry> LogReader::readAll() {
    std::vector<LogEntry> out;
    auto add = [&](const LogEntry& e) { out.push_back(e); };
    // oldest first: the highest existing suffix down to .1
    int top = 0;
    while (::access((path_ + "." + std::to_string(top + 1)).c_str(), F_OK) == 0) ++top;
    for (int i = top; i >= 1; --i) {
        int fd = ::open((path_ + "." + std::to_string(i)).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        lc::UniqueFd f(fd);
        std::string rest;
        readFd(fd, rest, add);
    }
    readNew(add);
    return out;
}

void LogReader::readNew(const std::function<void(const LogEntry&)>& fn) {
    for (;;) {
        if (!cur_) {
            int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) return;
            cur_.reset(fd);
            struct stat st{};
            ::fstat(fd, &st);
            ino_ = st.st_ino;
            rest_.clear();
        }
        // Truncated in place (--log-max-files 1)? Start again from its beginning.
        struct stat cur{};
        if (::fstat(cur_.get(), &cur) == 0 && cur.st_size < ::lseek(cur_.get(), 0, SEEK_CUR)) {
            ::lseek(cur_.get(), 0, SEEK_SET);
            rest_.clear();
        }
        // Was the file renamed away since we opened it? Read the old one to its end first.
        struct stat st{};
        bool rotated = ::stat(path_.c_str(), &st) == 0 && st.st_ino != ino_;
        readFd(cur_.get(), rest_, fn);
        if (!rotated) return;
        cur_.reset();
    }
}

}  // namespace mgr
