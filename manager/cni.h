// Runs a CNI plugin binary as the CNI spec says: the command, container id, netns path,
// interface name and plugin search path in CNI_* environment variables, the network config
// JSON on stdin, the result (or an error object) as JSON on stdout.
#pragma once

#include <string>

#include "libcontainer/error.h"

namespace mgr::cni {

struct Invocation {
    std::string command;      // ADD, DEL, CHECK, VERSION
    std::string containerId;
    std::string netns;        // path of the network namespace (empty for VERSION)
    std::string ifname;       // eth0, lo
    std::string config;       // the plugin's network config JSON (stdin)
};

// The plugin search path: $CNI_PATH when set, else /usr/lib/cni (Debian's
// containernetworking-plugins).
std::string pluginPath();

// Runs plugin `type` (looked up in pluginPath()); its stdout on success. A failure's message
// is the plugin's error object ("msg: details"), else its exit status and stderr.
lc::Result<std::string> exec(const std::string& type, const Invocation& inv);

// The error message of a CNI error object, or "" when `out` is not one.
std::string errorMessage(const std::string& out);

}  // namespace mgr::cni
