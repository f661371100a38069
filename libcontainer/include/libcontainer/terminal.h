// The caller's terminal while it proxies a container's pty: raw mode, window size, copying
// to and from the pty master (the runc-cpp CLI's foreground run/exec, the manager's -t).
#pragma once

#include <termios.h>

namespace lc {

// Puts fd in raw mode for the lifetime of the object (when it is a terminal).
class RawTerminal {
public:
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

// Copies what `from` has now to `to`; false at EOF or error.
bool copyOnce(int from, int to);
// Gives the pty master the window size of our stdin's terminal (if it is one).
void copyWindowSize(int master);

}  // namespace lc
