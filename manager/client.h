// The manager's side of the supervisor socket <id>/sock. The protocol is one request line
// per connection:
//   "console\n" -> the pty master of a terminal container, as SCM_RIGHTS with a one-byte
//                  message (the client writes its input to it and sets its window size)
//   "attach\n"  -> see requestAttach
//   "wait\n"    -> "exit <code>\n" once the container exited and its log is complete; the
//                  supervisor of a --rm container removes it only after such waiters hung up
// When the supervisor is gone, the files on disk (exit.json) answer instead.
#pragma once

#include <optional>
#include <string>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"
#include "store.h"

namespace mgr {

lc::Result<lc::UniqueFd> connectSupervisor(const Store& store, const std::string& id);
// Sends "wait"; read the answer with readExitLine.
lc::Result<lc::UniqueFd> requestWait(const Store& store, const std::string& id);
// Sends "attach": the pty master (a terminal) or the kept stdin of a -d -i container comes
// first (a byte without an fd when there is none to give), then it answers as "wait".
lc::Result<lc::UniqueFd> requestAttach(const Store& store, const std::string& id);
// Reads "exit N" from a wait connection (blocking); nullopt when the supervisor went away.
std::optional<int> readExitLine(int fd);
lc::Result<lc::UniqueFd> requestConsole(const Store& store, const std::string& id);
// Receives an fd sent with SCM_RIGHTS (and a one-byte message) on sock.
lc::Result<lc::UniqueFd> receiveFd(int sock);

// Waits up to timeoutMs (-1: forever) for the container to have exited; its exit code, or
// nullopt on timeout; -1 when it is gone without a recorded exit (its supervisor died).
// Uses the socket when the supervisor is there, else polls the disk.
std::optional<int> waitExit(const Store& store, const std::string& id, int timeoutMs);

}  // namespace mgr
