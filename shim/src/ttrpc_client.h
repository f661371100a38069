// A small blocking ttrpc client: one call at a time with a deadline (used to forward events
// to containerd, and by the tests).
#pragma once

#include <map>
#include <string>

#include "libcontainer/error.h"
#include "libcontainer/unique_fd.h"

namespace shim::ttrpc {

// Connects to "unix:///path", "/path" or "\0abstract" (a leading '@' also means abstract).
lc::Result<lc::UniqueFd> dialUnix(const std::string& address);

class Client {
public:
    explicit Client(std::string address) : address_(std::move(address)) {}
    // Sends one request and waits up to timeoutMs for its response. A non-OK status is an
    // error whose message is the status message; the code is kept in *code when given.
    lc::Result<std::string> call(const std::string& service, const std::string& method,
                                 const std::string& payload,
                                 const std::map<std::string, std::string>& metadata = {},
                                 int timeoutMs = 5000, int* code = nullptr);
    void close() { fd_.reset(); }

private:
    lc::Result<std::string> callOnce(const std::string& frame, uint32_t stream, int timeoutMs, int* code);
    std::string address_;
    lc::UniqueFd fd_;
    uint32_t nextStream_ = 1;  // client streams are odd
};

}  // namespace shim::ttrpc
