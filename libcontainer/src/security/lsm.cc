#include "security/lsm.h"

#include <sys/vfs.h>

#include <string>

#include "util/fileutil.h"

namespace lc::security {
namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

Result<void> refuse(const std::string& field, const std::string& value, bool hostHasIt, const char* lsm) {
    if (hostHasIt)
        return fail(EINVAL, field + " \"" + value + "\" is specified in config, but this runtime does not support " + lsm);
    return fail(EINVAL, field + " \"" + value + "\" is specified in config, but " + lsm +
                            " is disabled or not supported on this host");
}

}  // namespace

bool apparmorEnabled() {
    auto v = util::readFile("/sys/module/apparmor/parameters/enabled");
    return v && !v->empty() && (*v)[0] == 'Y';
}

bool selinuxEnabled() {
    struct statfs fs;
    return ::statfs("/sys/fs/selinux", &fs) == 0 && static_cast<long>(fs.f_type) == kSelinuxMagic;
}

Result<void> validateLsm(const spec::Process& p) {
    if (!p.apparmorProfile.empty()) return refuse("apparmor profile", p.apparmorProfile, apparmorEnabled(), "apparmor");
    if (!p.selinuxLabel.empty()) return refuse("selinux label", p.selinuxLabel, selinuxEnabled(), "selinux");
    return {};
}

Result<void> validateLsm(const spec::Spec& s) {
    if (s.process) LC_TRY(validateLsm(*s.process));
    if (s.linux && !s.linux->mountLabel.empty())
        return refuse("mount label", s.linux->mountLabel, selinuxEnabled(), "selinux");
    return {};
}

}  // namespace lc::security
