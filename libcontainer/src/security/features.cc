// The public process-wide security entry points and `features`: what this build supports.

#include <memory>
#include <string_view>
#include <vector>

#include "libcontainer/checkpoint.h"
#include "libcontainer/security.h"
#include "cgroups/systemd/bus.h"
#include "rootfs/idmap.h"
#include "rootfs/options.h"
#include "security/exe_protect.h"
#include "security/security.h"

#include "base/json.h"

namespace lc {
namespace {

// The tree's writer with runc's four-space indentation, plus the shapes features uses.
class Out : public json::Writer {
public:
    Out() : json::Writer(true, "    ") {}
    Out& key(std::string_view k) { return static_cast<Out&>(json::Writer::key(k)); }
    Out& str(std::string_view v) { return static_cast<Out&>(json::Writer::str(v)); }
    Out& boolean(bool b) { return static_cast<Out&>(json::Writer::boolean(b)); }
    Out& open() { return static_cast<Out&>(beginObject()); }
    Out& close() { return static_cast<Out&>(endObject()); }
    Out& list(const std::vector<std::string>& v) { return static_cast<Out&>(strings(v)); }
    Out& enabled(std::string_view name, bool on) { return key(name).open().key("enabled").boolean(on).close(); }
};

}  // namespace

Result<void> protectRuntimeExe(char** argv, char** envp) { return security::protectRuntimeExe(argv, envp); }

std::string featuresJson(const std::string& runtimeVersion) {
    const security::SeccompFeatures sc = security::seccompFeatures();
    Out o;
    o.open();
    o.key("ociVersionMin").str("1.0.0");
    o.key("ociVersionMax").str("1.2.0");
    o.key("hooks").list({"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"});
    o.key("mountOptions").list(rootfs::knownMountOptions());
    o.key("linux").open();
    o.key("namespaces").list({"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"});
    o.key("capabilities").list(security::knownCapabilities());
    o.key("cgroup").open();
    o.key("v1").boolean(true).key("v2").boolean(true);
    // systemd: the driver's helper (runc-cpp-systemd) is there; apparmor/selinux: support is
    // built in (the runtime-spec's meaning, and runc's), whatever the host runs.
    const bool systemd = cgroups::systemd::findHelper("").has_value();
    o.key("systemd").boolean(systemd).key("systemdUser").boolean(systemd);  // a user's manager: the same helper
    o.key("rdma").boolean(true);
    o.close();
    o.key("seccomp").open();
    o.key("enabled").boolean(sc.enabled);
    o.key("actions").list(sc.actions);
    o.key("operators").list(sc.operators);
    o.key("archs").list(sc.archs);
    o.key("knownFlags").list(sc.knownFlags);
    o.key("supportedFlags").list(sc.supportedFlags);
    o.close();
    o.enabled("apparmor", true);
    o.enabled("selinux", true);
    o.enabled("intelRdt", false);
    o.key("mountExtensions").open().enabled("idmap", rootfs::kernelHasIdmappedMounts()).close();
    o.close();  // linux
    o.key("annotations").open();
    if (!sc.libseccompVersion.empty()) o.key("io.github.seccomp.libseccomp.version").str(sc.libseccompVersion);
    // checkpoint/restore need CRIU installed and `criu check` passing on this kernel
    o.key("runc-cpp.checkpoint.enabled").str(criuUsable() ? "true" : "false");
    o.key("runc-cpp.version").str(runtimeVersion);
    o.close();
    o.close();
    return o.text();
}

}  // namespace lc
