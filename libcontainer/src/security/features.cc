// The public process-wide security entry points and `features`: what this build supports.
#include <yajl/yajl_gen.h>

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

namespace lc {
namespace {

// A pretty-printing writer with runc's four-space indentation.
class Out {
public:
    Out() : g_(yajl_gen_alloc(nullptr)) {
        yajl_gen_config(g_.get(), yajl_gen_beautify, 1);
        yajl_gen_config(g_.get(), yajl_gen_indent_string, "    ");
    }
    Out& str(std::string_view s) {
        yajl_gen_string(g_.get(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
        return *this;
    }
    Out& key(std::string_view k) { return str(k); }
    Out& boolean(bool b) {
        yajl_gen_bool(g_.get(), b);
        return *this;
    }
    Out& open() {
        yajl_gen_map_open(g_.get());
        return *this;
    }
    Out& close() {
        yajl_gen_map_close(g_.get());
        return *this;
    }
    Out& list(const std::vector<std::string>& v) {
        yajl_gen_array_open(g_.get());
        for (const auto& s : v) str(s);
        yajl_gen_array_close(g_.get());
        return *this;
    }
    Out& enabled(std::string_view name, bool on) { return key(name).open().key("enabled").boolean(on).close(); }
    std::string text() const {
        const unsigned char* buf;
        size_t len;
        yajl_gen_get_buf(g_.get(), &buf, &len);
        return std::string(reinterpret_cast<const char*>(buf), len);
    }

private:
    struct Free {
        void operator()(yajl_gen_t* g) const { yajl_gen_free(g); }
    };
    std::unique_ptr<yajl_gen_t, Free> g_;
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
    o.key("systemd").boolean(cgroups::systemd::findHelper("").has_value()).key("systemdUser").boolean(false);
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
