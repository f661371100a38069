// Requests to systemd for the cgroup driver. The runtime binaries are static and Debian ships
// no static libsystemd, so the sd-bus calls live in a small dynamically linked helper,
// runc-cpp-systemd (helper.cc), run once per request; this is its client.
#pragma once

#include <string>
#include <vector>

#include "cgroups/systemd/props.h"
#include "libcontainer/error.h"

namespace lc::cgroups::systemd {

// Where the helper is: `configured` when set, else $RUNC_CPP_SYSTEMD_HELPER, else the installed
// path (<libexecdir>/runc-cpp-systemd), else the build tree's. An error says what is missing.
Result<std::string> findHelper(const std::string& configured);

// The helper's argv tail for the properties (NAME SIG VALUE triples); strings may not hold
// the separators \x1e, \x1f or NUL.
Result<std::vector<std::string>> encodeProperties(const Properties& props);

class Bus {
public:
    explicit Bus(std::string helper) : helper_(std::move(helper)) {}
    // StartTransientUnit and its job. EEXIST when the unit already exists.
    Result<void> start(const std::string& unit, const Properties& props) const;
    Result<void> set(const std::string& unit, const Properties& props) const;
    // StopUnit, its job, and the unit's removal; a unit that does not exist is fine.
    Result<void> stop(const std::string& unit) const;

private:
    Result<std::string> run(const std::vector<std::string>& args) const;
    std::string helper_;
};

}  // namespace lc::cgroups::systemd
