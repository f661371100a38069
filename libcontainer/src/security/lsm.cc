#include "security/lsm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>

#include "libcontainer/unique_fd.h"
#include "util/fileutil.h"

namespace lc::security {
namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

Result<void> refuse(const std::string& field, const std::string& value, const char* lsm) {
    return fail(EINVAL, field + " \"" + value + "\" is specified in config, but " + lsm +
                            " is disabled or not supported on this host");
}

// One write(2) of `value` to a /proc/thread-self/attr file (the kernel takes it whole).
Result<void> writeAttr(const char* path, const std::string& value) {
    UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
    if (!fd) return errnoError(std::string("open ") + path);
    ssize_t n;
    do n = ::write(fd.get(), value.data(), value.size()); while (n < 0 && errno == EINTR);
    if (n < 0) return errnoError(std::string("write ") + path);
    return {};
}

}  // namespace

bool apparmorEnabled() {
    auto v = util::readFile("/sys/module/apparmor/parameters/enabled");
    struct stat st;
    return v && !v->empty() && (*v)[0] == 'Y' && ::stat("/sys/kernel/security/apparmor", &st) == 0;
}

bool selinuxEnabled() {
    struct statfs fs;
    return ::statfs("/sys/fs/selinux", &fs) == 0 && static_cast<long>(fs.f_type) == kSelinuxMagic;
}

Result<void> validateLsm(const spec::Process& p) {
    if (!p.apparmorProfile.empty() && !apparmorEnabled())
        return refuse("apparmor profile", p.apparmorProfile, "apparmor");
    if (!p.selinuxLabel.empty() && !selinuxEnabled()) return refuse("selinux label", p.selinuxLabel, "selinux");
    return {};
}

Result<void> validateLsm(const spec::Spec& s) {
    if (s.process) LC_TRY(validateLsm(*s.process));
    if (s.linux && !s.linux->mountLabel.empty() && !selinuxEnabled())
        return refuse("mount label", s.linux->mountLabel, "selinux");
    return {};
}

Result<void> applyExecLabels(const spec::Process& p) {
    if (!p.apparmorProfile.empty()) {
        const char* path = "/proc/thread-self/attr/apparmor/exec";
        if (::access(path, F_OK) < 0) path = "/proc/thread-self/attr/exec";
        if (auto r = writeAttr(path, "exec " + p.apparmorProfile); !r)
            return std::unexpected(r.error().wrap("apparmor failed to apply profile \"" + p.apparmorProfile + "\""));
    }
    if (!p.selinuxLabel.empty()) {
        if (auto r = writeAttr("/proc/thread-self/attr/exec", p.selinuxLabel); !r)
            return std::unexpected(r.error().wrap("can't set process label \"" + p.selinuxLabel + "\""));
    }
    return {};
}

Result<void> applyKeyringLabel(const spec::Process& p) {
    if (p.selinuxLabel.empty()) return {};
    if (auto r = writeAttr("/proc/thread-self/attr/keycreate", p.selinuxLabel); !r)
        return std::unexpected(r.error().wrap("can't set keyring label \"" + p.selinuxLabel + "\""));
    return {};
}

std::string mountLabelData(const std::string& data, const std::string& fstype, const std::string& mountLabel) {
    if (mountLabel.empty() || fstype == "proc" || fstype == "sysfs" || fstype == "cgroup" || fstype == "cgroup2" ||
        fstype == "mqueue" || fstype == "bind")
        return data;
    std::string opt = "context=\"" + mountLabel + "\"";
    return data.empty() ? opt : data + "," + opt;
}

}  // namespace lc::security
