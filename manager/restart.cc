#include "restart.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "store.h"

namespace mgr {

std::string RestartPolicy::name() const {
    switch (kind) {
    case Kind::No: return "no";
    case Kind::OnFailure: return "on-failure";
    case Kind::Always: return "always";
    case Kind::UnlessStopped: return "unless-stopped";
    }
    return "no";
}

lc::Result<RestartPolicy> parseRestartPolicy(const std::string& s) {
    RestartPolicy p;
    size_t colon = s.find(':');
    std::string name = s.substr(0, colon);
    if (colon != std::string::npos && name.empty())
        return lc::fail(EINVAL, "invalid restart policy format: no policy provided before colon");
    if (colon != std::string::npos && colon + 1 < s.size()) {
        std::string count = s.substr(colon + 1);
        char* end = nullptr;
        errno = 0;
        long long n = std::strtoll(count.c_str(), &end, 10);
        if (*end || errno || n > 2147483647 || n < -2147483648LL)
            return lc::fail(EINVAL, "invalid restart policy format: maximum retry count must be an integer");
        p.maxRetries = n;
    }
    if (name == "no" || name == "always" || name == "unless-stopped" || name.empty()) {
        if (p.maxRetries != 0)
            return lc::fail(EINVAL, std::string("invalid restart policy: maximum retry count can only be used with 'on-failure'") +
                                        (p.maxRetries < 0 ? " and cannot be negative" : ""));
        p.kind = name == "always" ? RestartPolicy::Kind::Always
                 : name == "unless-stopped" ? RestartPolicy::Kind::UnlessStopped : RestartPolicy::Kind::No;
        return p;
    }
    if (name == "on-failure") {
        if (p.maxRetries < 0) return lc::fail(EINVAL, "invalid restart policy: maximum retry count cannot be negative");
        p.kind = RestartPolicy::Kind::OnFailure;
        return p;
    }
    return lc::fail(EINVAL, "invalid restart policy: unknown policy '" + name +
                                "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
}

bool shouldRestart(const RestartPolicy& p, int code, int64_t restarts, bool manuallyStopped) {
    if (manuallyStopped) return false;
    switch (p.kind) {
    case RestartPolicy::Kind::No: return false;
    case RestartPolicy::Kind::Always:
    case RestartPolicy::Kind::UnlessStopped: return true;
    case RestartPolicy::Kind::OnFailure: return code != 0 && (p.maxRetries == 0 || restarts < p.maxRetries);
    }
    return false;
}

int64_t nextBackoffMs(int64_t previousMs, int64_t ranMs) {
    if (ranMs >= 10000) previousMs = 0;
    int64_t next = previousMs <= 0 ? 100 : previousMs * 2;
    return std::min<int64_t>(next, 60000);
}

namespace {
std::string path(const Store& store, const std::string& id, const char* name) { return store.dir(id) + "/" + name; }
}  // namespace

void markManualStop(const Store& store, const std::string& id) {
    (void)writeFileAtomic(path(store, id, "manual-stop"), "1\n");
}

void clearManualStop(const Store& store, const std::string& id) { ::unlink(path(store, id, "manual-stop").c_str()); }

bool manuallyStopped(const Store& store, const std::string& id) {
    return ::access(path(store, id, "manual-stop").c_str(), F_OK) == 0;
}

int64_t restartCount(const Store& store, const std::string& id) {
    return std::strtoll(readFile(path(store, id, "restart-count")).c_str(), nullptr, 10);
}

void writeRestartCount(const Store& store, const std::string& id, int64_t n) {
    (void)writeFileAtomic(path(store, id, "restart-count"), std::to_string(n) + "\n");
}

void setRestarting(const Store& store, const std::string& id, bool on) {
    if (on) (void)writeFileAtomic(path(store, id, "restarting"), "1\n");
    else ::unlink(path(store, id, "restarting").c_str());
}

bool isRestarting(const Store& store, const std::string& id) {
    return ::access(path(store, id, "restarting").c_str(), F_OK) == 0;
}

}  // namespace mgr
