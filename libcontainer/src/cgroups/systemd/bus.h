// Requests to systemd for the cgroup driver. The runtime binaries are static and Debian ships
// no static libsystemd, so the sd-bus calls live in a small dynamically linked helper,
// runc-cpp-systemd (helper.cc), run once per request; this is its client.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "cgroups/systemd/props.h"
#include "libcontainer/error.h"

namespace lc::cgroups::systemd {

// Which systemd instance a request goes to. The system manager: its private socket
// /run/systemd/private (root), else the system bus. A user's manager (rootless, as runc 1.1):
// $DBUS_SESSION_BUS_ADDRESS when set (the caller named its bus, runc's first choice), else the
// manager's own socket $XDG_RUNTIME_DIR/systemd/private when it exists (what `systemctl
// --user` uses: no dbus-daemon needed, one hop less), else the session bus at
// $XDG_RUNTIME_DIR/bus (runc's second choice). Authentication is sd-bus' EXTERNAL with an
// empty identity: the server takes the uid from the socket's credentials, so root in a user
// namespace is seen as the host uid it maps to.
struct Endpoint {
    enum class Kind { System, Bus, Direct };  // Bus: a dbus-daemon (Hello); Direct: peer-to-peer
    Kind kind = Kind::System;
    std::string address;  // D-Bus address ("unix:path=..."), empty for System
    bool user() const { return kind != Kind::System; }
};

// The user manager's endpoint from the environment's values (null: unset); `exists` tells
// whether a socket path exists. An error says what is missing.
Result<Endpoint> userEndpoint(const char* sessionBusAddress, const char* xdgRuntimeDir,
                              bool (*exists)(const std::string& path));
// The same for this process.
Result<Endpoint> userEndpoint();

// Where the helper is: `configured` when set, else $RUNC_CPP_SYSTEMD_HELPER, else the installed
// path (<libexecdir>/runc-cpp-systemd), else the build tree's. An error says what is missing.
Result<std::string> findHelper(const std::string& configured);

// The helper's argv tail for the properties (NAME SIG VALUE triples); strings may not hold
// the separators \x1e, \x1f or NUL.
Result<std::vector<std::string>> encodeProperties(const Properties& props);

class Bus {
public:
    explicit Bus(std::string helper, Endpoint ep = {}) : helper_(std::move(helper)), ep_(std::move(ep)) {}
    // StartTransientUnit and its job. EEXIST when the unit already exists.
    Result<void> start(const std::string& unit, const Properties& props) const;
    Result<void> set(const std::string& unit, const Properties& props) const;
    // StopUnit, its job, and the unit's removal; a unit that does not exist is fine.
    Result<void> stop(const std::string& unit) const;
    // The manager's own cgroup (its ControlGroup property, "/user.slice/user-1000.slice/
    // user@1000.service" for a user's manager; "/" or empty for the system one).
    Result<std::string> controlGroup() const;
    // The owner uid of the bus' peer (sd_bus_creds_get_owner_uid: from the peer's cgroup, so
    // the host uid of a user's manager even when asked from inside a user namespace); what
    // runc reads from `busctl --user status` (OwnerUID=) to decide whether root in a user
    // namespace is rootless.
    Result<uid_t> ownerUid() const;

private:
    Result<std::string> run(const std::vector<std::string>& args) const;
    std::string helper_;
    Endpoint ep_;
};

}  // namespace lc::cgroups::systemd
