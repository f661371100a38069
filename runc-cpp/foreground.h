// Foreground supervision shared by `run` and `exec`: signal forwarding, terminal proxying,
// and the exit status of the container process.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <string>

#include "base/clock.h"
#include "libcontainer/unique_fd.h"

namespace cli {

// Blocks the signals a foreground runtime forwards, for its lifetime (block before the
// clone so that none is lost; the container process starts with a clean mask).
class SignalBlock {
public:
    SignalBlock();
    ~SignalBlock();
    SignalBlock(const SignalBlock&) = delete;
    SignalBlock& operator=(const SignalBlock&) = delete;
    const sigset_t& set() const { return set_; }

private:
    sigset_t set_{};
    sigset_t old_{};
};

// Waits until the process behind `pidfd` (a child of ours) exits, handing every signal
// received to `forward` and copying between our stdio and `console` (raw mode) when given.
// Returns the wait status.
int superviseForeground(pid_t pid, int pidfd, lc::UniqueFd console, const sigset_t& signals,
                        const std::function<void(int)>& forward);

// A foreground run/exec with a terminal proxies the caller's terminal: one of stdin, stdout or
// stderr must be a terminal, or the process must have a controlling terminal (/dev/tty), as
// runc requires. Empty when there is one, else runc's error ("open /dev/tty: <reason>").
std::string hostConsoleError();

// Exit code as a shell reports it: the status, or 128 + the signal.
using lc::exitCodeOf;  // base/clock.h

}  // namespace cli
