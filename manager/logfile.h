// A container's log: JSON lines {"log":"text\n","stream":"stdout","time":"RFC3339 nanos"}, as
// docker's json-file driver writes them, in <dir>/container.log, rotated at a size limit to
// container.log.1 .. container.log.<maxFiles-1> (the oldest is dropped).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"

namespace mgr {

struct LogEntry {
    std::string stream;  // stdout or stderr
    std::string time;
    std::string log;
};

// One JSON line for an entry.
std::string encodeLogLine(std::string_view stream, std::string_view text, int64_t timeNs);
// Parses one JSON line; false when it is not a log entry.
bool decodeLogLine(std::string_view line, LogEntry& out);

class LogWriter {
public:
    LogWriter(std::string path, int64_t maxSize, int64_t maxFiles);
    lc::Result<void> open();
    // Output of a stream: complete lines become entries; a partial line waits for more (or
    // for flush), except that lines longer than 16 KiB are split as docker does.
    void write(const std::string& stream, std::string_view data);
    // Writes the partial lines of every stream (the process is gone).
    void flush();

private:
    void emit(const std::string& stream, std::string_view text);
    void rotate();
    void writeOut();  // one write(2) for the entries of a write() call
    std::string path_;
    int64_t maxSize_, maxFiles_;
    lc::UniqueFd fd_;
    int64_t size_ = 0;
    std::string pendingOut_, pendingErr_;
    std::string out_;
};

// Reads the rotated set oldest first and can then follow the current file.
class LogReader {
public:
    explicit LogReader(std::string path) : path_(std::move(path)) {}
    // Every entry there is now, oldest first (old rotated files, then the current one).
    std::vector<LogEntry> readAll();
    // New entries since the last read (following renames by rotation); call repeatedly.
    void readNew(const std::function<void(const LogEntry&)>& fn);

private:
    void readFd(int fd, std::string& rest, const std::function<void(const LogEntry&)>& fn);
    std::string path_;
    lc::UniqueFd cur_;
    ino_t ino_ = 0;
    std::string rest_;
};

}  // namespace mgr
