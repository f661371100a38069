// A process's stdio as containerd hands it over: fifo paths (any may be empty). The shim
// owns the copying: the process gets pipes (or a pty), the shim pumps between them and the
// fifos in its loop, so that CloseIO can end stdin and the readers see EOF when the process
// side is done.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "loop.h"

namespace shim {

// Copies src to dst through a bounded buffer, non-blocking on both ends.
class Pump {
public:
    // closeDst: close dst after src reached EOF and the buffer is written.
    Pump(Loop& loop, lc::UniqueFd src, lc::UniqueFd dst);
    ~Pump();
    Pump(const Pump&) = delete;
    Pump& operator=(const Pump&) = delete;

    lc::Result<void> start();
    // Reads what src has now and writes what dst takes now (a process just exited).
    void drainNow();
    // Ends the copy: writes what is buffered (best effort) and closes dst (CloseIO).
    void closeDst();
    [[nodiscard]] bool done() const { return !dst_; }
    // Called once when the copy ended (src at EOF and everything written, or closed).
    void onDone(std::function<void()> fn) { onDone_ = std::move(fn); }

private:
    void onSrc(uint32_t ev);
    void onDst(uint32_t ev);
    bool readSome();   // false on EOF/error
    void writeSome();
    void update();
    void finish();
    void dstFailed();

    Loop& loop_;
    lc::UniqueFd src_, dst_;
    std::string buf_;
    bool srcEof_ = false;
    bool closing_ = false;
    bool dstIsTty_ = false;  // a pty master: no slave now is not the end (dstFailed)
    std::function<void()> onDone_;
};

struct StdioPaths {
    std::string in, out, err;
    bool terminal = false;
};

class ProcessIo {
public:
    // Opens the fifos and makes the pipes the process will use (not for a terminal).
    static lc::Result<std::unique_ptr<ProcessIo>> open(Loop& loop, const StdioPaths& paths);

    // The fds to put on 0, 1, 2 of the new process (pipes, or /dev/null).
    [[nodiscard]] int childIn() const { return childIn_.get(); }
    [[nodiscard]] int childOut() const { return childOut_.get(); }
    [[nodiscard]] int childErr() const { return childErr_.get(); }
    // After the process exists: close our copies of its ends, start pumping.
    lc::Result<void> startPipes();
    // Terminal: the pty master replaces the pipes (stdin fifo -> master -> stdout fifo).
    lc::Result<void> startConsole(lc::UniqueFd master);
    [[nodiscard]] int console() const { return console_.get(); }

    // Ends the process's stdin (CloseIO); before start, the process starts with stdin at EOF.
    void closeStdin();
    void drainNow();
    // True when stdout and stderr were copied to the end (EOF of the pipe, EIO of the pty
    // master once every slave fd is closed) and written to the fifos.
    [[nodiscard]] bool outputDone() const;
    // Calls fn once, when outputDone() turns true (after startPipes/startConsole).
    void onOutputDone(std::function<void()> fn);
    // Bytes written to the stdout/stderr fifos that their reader has not read yet.
    [[nodiscard]] size_t unreadOutput() const;
    // Closes the fds kept on the output fifos for unreadOutput(): their readers see EOF once
    // the pumps are done too.
    void releaseOutput();
    const StdioPaths& paths() const { return paths_; }

private:
    explicit ProcessIo(Loop& loop) : loop_(loop) {}
    Loop& loop_;
    StdioPaths paths_;
    lc::UniqueFd fifoIn_, fifoOut_, fifoErr_;
    lc::UniqueFd childIn_, childOut_, childErr_;
    lc::UniqueFd ourIn_, ourOut_, ourErr_;  // our pipe ends
    lc::UniqueFd console_;
    lc::UniqueFd outProbe_, errProbe_;  // second fds on the output fifos (FIONREAD)
    bool stdinClosed_ = false;          // CloseIO came before the process started
    std::unique_ptr<Pump> in_, out_, err_;
    std::function<void()> outputDone_;
};

// Puts fds on 0, 1, 2 for the duration of a scope (libcontainer's create and exec give the
// new process the caller's 0..2), and puts the previous ones back.
class StdioSwap {
public:
    StdioSwap(int in, int out, int err);
    ~StdioSwap();
    StdioSwap(const StdioSwap&) = delete;
    StdioSwap& operator=(const StdioSwap&) = delete;

private:
    int saved_[3] = {-1, -1, -1};
};

}  // namespace shim
