#include <string>

#include "cgroups/fs.h"
#include "cgroups/v1/v1.h"

namespace lc::cgroups::v1 {
namespace {

constexpr char kState[] = "freezer.state";

Result<std::string> readState(const std::string& dir) {
    auto s = readFile(dir, kState);
    if (!s) return s;
    return std::string(trim(*s));
}

}  // namespace

Result<void> freeze(const std::string& dir) {
    using namespace std::chrono_literals;
    // Freezing can stall in FREEZING (a task in an uninterruptible sleep, or one that forks
    // meanwhile). Rewrite FROZEN, and now and then thaw briefly to let stuck tasks move on.
    for (int i = 0; i < 1000; ++i) {
        if (i % 50 == 49) {
            (void)writeFile("", dir, kState, "THAWED");
            sleepFor(10ms);
        }
        LC_TRY(writeFile("", dir, kState, "FROZEN"));
        auto state = readState(dir);
        if (!state) return std::unexpected(state.error());
        if (*state == "FROZEN") return {};
        if (*state != "FREEZING")
            return fail(EIO, "freeze " + dir + ": unexpected state \"" + *state + "\"");
        sleepFor(i < 10 ? 100us : 1ms);
    }
    (void)writeFile("", dir, kState, "THAWED");
    return fail(EBUSY, "freeze " + dir + ": still FREEZING, gave up");
}

Result<void> thaw(const std::string& dir) {
    using namespace std::chrono_literals;
    for (int i = 0; i < 100; ++i) {
        LC_TRY(writeFile("", dir, kState, "THAWED"));
        auto state = readState(dir);
        if (!state) return std::unexpected(state.error());
        if (*state == "THAWED") return {};
        sleepFor(1ms);
    }
    return fail(EBUSY, "thaw " + dir + ": still not THAWED, gave up");
}

Result<bool> isFrozen(const std::string& dir) {
    using namespace std::chrono_literals;
    for (int i = 0; i < 100; ++i) {
        auto state = readState(dir);
        if (!state) {
            if (state.error().errnum() == ENOENT) return false;
            return std::unexpected(state.error());
        }
        if (*state == "THAWED") return false;
        if (*state == "FROZEN") {
            // FROZEN may be inherited from a frozen ancestor; only our own freeze counts.
            auto self = readFile(dir, "freezer.self_freezing");
            if (!self) return true;
            return trim(*self) == "1";
        }
        sleepFor(1ms);  // FREEZING: wait for a stable answer
    }
    return false;
}

Result<bool> joinWouldFreeze(const std::string& mountpoint, const std::string& dir) {
    std::string d = dir;
    while (d.size() > mountpoint.size()) {
        auto state = readState(d);
        if (state) return *state == "FROZEN" || *state == "FREEZING";
        if (state.error().errnum() != ENOENT) return std::unexpected(state.error());
        d.erase(d.find_last_of('/'));  // not made yet: its parent decides
    }
    return false;  // the hierarchy's root cannot be frozen
}

}  // namespace lc::cgroups::v1
