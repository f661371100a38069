// runc-cpp-systemd: the one process of runc-cpp that links libsystemd. The runtime's binaries
// are static (no libsystemd.a exists), so the systemd cgroup driver (bus.h) runs this helper
// for each request; it talks to systemd over sd-bus and prints one result line.
//
//   runc-cpp-systemd [--bus ADDRESS | --direct ADDRESS] REQUEST ...
//
// Without an address: the system manager. --bus: a bus daemon at ADDRESS (a user's session
// bus); --direct: a peer-to-peer connection to the manager itself (a user manager's
// $XDG_RUNTIME_DIR/systemd/private). The requests:
//
//   runc-cpp-systemd start UNIT [NAME SIG VALUE]...   StartTransientUnit(UNIT, "replace"), wait
//                                                     for its job; exit 3 when UNIT exists
//   runc-cpp-systemd set UNIT [NAME SIG VALUE]...     SetUnitProperties(UNIT, runtime=true)
//   runc-cpp-systemd stop UNIT                        StopUnit, wait for the job, reset-failed,
//                                                     wait until the unit is gone
//   runc-cpp-systemd version                          the manager's Version
//   runc-cpp-systemd control-group                    the manager's ControlGroup
//   runc-cpp-systemd owner-uid                        the owner uid of the peer (the bus
//                                                     daemon or the manager), from its cgroup
//
// VALUE encodes a value of D-Bus signature SIG: b as 1/0; integers and d in decimal; s as is;
// as/au with elements separated by \x1f; ay in hex; a(ss) as pairs separated by \x1f with the
// two strings separated by \x1e. Output: "ok [data]", "exists" or "error <message>".
// CPUQuotaPeriodUSec (systemd < 242) and AllowedCPUs/AllowedMemoryNodes (< 244) are dropped on
// older managers: the caller writes those values to cgroupfs too.
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr uint64_t kJobTimeoutUs = 30 * 1000000ULL;

[[noreturn]] void finish(int code, const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    std::exit(code);
}
[[noreturn]] void die(const std::string& msg) { finish(1, "error " + msg); }
[[noreturn]] void dieBus(const std::string& what, const sd_bus_error* e, int r) {
    std::string m = what + ": ";
    if (e && sd_bus_error_is_set(e)) m += std::string(e->message ? e->message : e->name);
    else m += std::strerror(-r);
    die(m);
}

uint64_t nowUs() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    if (s.empty()) return out;
    size_t start = 0;
    for (;;) {
        size_t p = s.find(sep, start);
        out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos) return out;
        start = p + 1;
    }
}

// An explicit address (a user's manager): sd-bus authenticates with EXTERNAL and an empty
// identity, so the server takes the uid from the socket (root in a user namespace counts as
// the host uid it maps to).
sd_bus* connectTo(const char* address, bool busClient) {
    sd_bus* bus = nullptr;
    int r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, address);
    if (r >= 0 && busClient) r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0) r = sd_bus_start(bus);
    if (r < 0) die(std::string("cannot connect to the user's systemd at ") + address + ": " + std::strerror(-r));
    return bus;
}

// systemd's private socket first (root: no bus daemon needed, as systemctl does), then the
// system bus.
sd_bus* connect() {
    sd_bus* bus = nullptr;
    if (access("/run/systemd/private", F_OK) == 0 && sd_bus_new(&bus) >= 0) {
        if (sd_bus_set_address(bus, "unix:path=/run/systemd/private") >= 0 && sd_bus_start(bus) >= 0) return bus;
        sd_bus_unref(bus);
        bus = nullptr;
    }
    int r = sd_bus_open_system(&bus);
    if (r < 0) die(std::string("cannot connect to systemd over D-Bus: ") + std::strerror(-r));
    return bus;
}

int appendValue(sd_bus_message* m, const std::string& sig, const std::string& v) {
    if (sig == "b") {
        int b = v == "1";
        return sd_bus_message_append_basic(m, 'b', &b);
    }
    if (sig == "s") return sd_bus_message_append_basic(m, 's', v.c_str());
    if (sig == "d") {
        double d = std::strtod(v.c_str(), nullptr);
        return sd_bus_message_append_basic(m, 'd', &d);
    }
    if (sig.size() == 1 && std::strchr("ynqiuxt", sig[0])) {
        errno = 0;
        char* end = nullptr;
        if (std::strchr("nix", sig[0])) {
            long long x = std::strtoll(v.c_str(), &end, 10);
            if (errno || *end) return -EINVAL;
            int16_t n = static_cast<int16_t>(x);
            int32_t i = static_cast<int32_t>(x);
            int64_t l = x;
            return sd_bus_message_append_basic(m, sig[0], sig[0] == 'n' ? static_cast<void*>(&n)
                                                          : sig[0] == 'i' ? static_cast<void*>(&i) : static_cast<void*>(&l));
        }
        unsigned long long x = std::strtoull(v.c_str(), &end, 10);
        if (errno || *end) return -EINVAL;
        uint8_t y = static_cast<uint8_t>(x);
        uint16_t q = static_cast<uint16_t>(x);
        uint32_t u = static_cast<uint32_t>(x);
        uint64_t t = x;
        void* p = sig[0] == 'y' ? static_cast<void*>(&y) : sig[0] == 'q' ? static_cast<void*>(&q)
                  : sig[0] == 'u' ? static_cast<void*>(&u) : static_cast<void*>(&t);
        return sd_bus_message_append_basic(m, sig[0], p);
    }
    if (sig == "ay") {
        std::vector<uint8_t> bytes;
        for (size_t i = 0; i + 1 < v.size(); i += 2) bytes.push_back(static_cast<uint8_t>(std::stoul(v.substr(i, 2), nullptr, 16)));
        return sd_bus_message_append_array(m, 'y', bytes.data(), bytes.size());
    }
    int r;
    if (sig == "as" || sig == "au") {
        if ((r = sd_bus_message_open_container(m, 'a', sig.c_str() + 1)) < 0) return r;
        for (const auto& e : split(v, '\x1f')) {
            if (sig == "as") r = sd_bus_message_append_basic(m, 's', e.c_str());
            else {
                uint32_t u = static_cast<uint32_t>(std::strtoul(e.c_str(), nullptr, 10));
                r = sd_bus_message_append_basic(m, 'u', &u);
            }
            if (r < 0) return r;
        }
        return sd_bus_message_close_container(m);
    }
    if (sig == "a(ss)") {
        if ((r = sd_bus_message_open_container(m, 'a', "(ss)")) < 0) return r;
        for (const auto& e : split(v, '\x1f')) {
            auto f = split(e, '\x1e');
            if (f.size() != 2) return -EINVAL;
            if ((r = sd_bus_message_append(m, "(ss)", f[0].c_str(), f[1].c_str())) < 0) return r;
        }
        return sd_bus_message_close_container(m);
    }
    return -EINVAL;
}

int managerVersion(sd_bus* bus) {
    char* v = nullptr;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_get_property_string(bus, kDest, kPath, kManager, "Version", &e, &v);
    sd_bus_error_free(&e);
    if (r < 0 || !v) return -1;
    const char* p = v;
    while (*p && (*p < '0' || *p > '9')) ++p;
    int ver = std::atoi(p);
    std::free(v);
    return ver;
}

// Appends the "a(sv)" properties from argv[first..], dropping what an old manager lacks.
void appendProperties(sd_bus* bus, sd_bus_message* m, int argc, char** argv, int first) {
    if ((argc - first) % 3 != 0) die("properties come as NAME SIG VALUE triples");
    int version = 0;  // read only when needed
    int r = sd_bus_message_open_container(m, 'a', "(sv)");
    if (r < 0) die("build message");
    for (int i = first; i < argc; i += 3) {
        std::string name = argv[i], sig = argv[i + 1], value = argv[i + 2];
        const int needs = name == "CPUQuotaPeriodUSec" ? 242
                          : (name == "AllowedCPUs" || name == "AllowedMemoryNodes") ? 244 : 0;
        if (needs) {
            if (version == 0) version = managerVersion(bus);
            if (version > 0 && version < needs) continue;
        }
        if ((r = sd_bus_message_open_container(m, 'r', "sv")) < 0 ||
            (r = sd_bus_message_append_basic(m, 's', name.c_str())) < 0 ||
            (r = sd_bus_message_open_container(m, 'v', sig.c_str())) < 0 || (r = appendValue(m, sig, value)) < 0 ||
            (r = sd_bus_message_close_container(m)) < 0 || (r = sd_bus_message_close_container(m)) < 0)
            die("property " + name + " (" + sig + ") value \"" + value + "\": " + std::strerror(-r));
    }
    if (sd_bus_message_close_container(m) < 0) die("build message");
}

struct JobWait {
    std::vector<std::pair<std::string, std::string>> removed;  // job path, result
};

int onJobRemoved(sd_bus_message* m, void* userdata, sd_bus_error*) {
    uint32_t id;
    const char *job, *unit, *result;
    if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0)
        static_cast<JobWait*>(userdata)->removed.emplace_back(job, result);
    return 0;
}

sd_bus_slot* watchJobs(sd_bus* bus, JobWait* w) {
    sd_bus_slot* slot = nullptr;
    // A direct connection (the private socket) has no sender names to match on.
    int r = sd_bus_match_signal(bus, &slot, sd_bus_is_bus_client(bus) ? kDest : nullptr, kPath, kManager,
                                "JobRemoved", onJobRemoved, w);
    if (r < 0) die(std::string("subscribe to JobRemoved: ") + std::strerror(-r));
    if (sd_bus_is_bus_client(bus)) {
        // Over a bus daemon systemd sends job signals to the job's requester and to clients
        // that subscribed; subscribing makes sure (direct connections get them all).
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_call_method(bus, kDest, kPath, kManager, "Subscribe", &e, nullptr, "");
        sd_bus_error_free(&e);
    }
    return slot;
}

// Waits for the job's JobRemoved signal; returns its result ("done", "failed", ...).
std::string waitJob(sd_bus* bus, JobWait& w, const std::string& job) {
    const uint64_t deadline = nowUs() + kJobTimeoutUs;
    for (;;) {
        for (const auto& [path, result] : w.removed)
            if (path == job) return result;
        int r = sd_bus_process(bus, nullptr);
        if (r < 0) die(std::string("D-Bus: ") + std::strerror(-r));
        if (r > 0) continue;
        uint64_t now = nowUs();
        if (now >= deadline) return "timeout";
        r = sd_bus_wait(bus, deadline - now);
        if (r < 0 && r != -EINTR) die(std::string("D-Bus: ") + std::strerror(-r));
    }
}

void resetFailed(sd_bus* bus, const char* unit) {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_call_method(bus, kDest, kPath, kManager, "ResetFailedUnit", &e, nullptr, "s", unit);
    sd_bus_error_free(&e);
}

[[noreturn]] void start(sd_bus* bus, const char* unit, int argc, char** argv) {
    JobWait w;
    sd_bus_slot* slot = watchJobs(bus, &w);
    sd_bus_message *m = nullptr, *reply = nullptr;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(bus, &m, kDest, kPath, kManager, "StartTransientUnit");
    if (r < 0 || (r = sd_bus_message_append(m, "ss", unit, "replace")) < 0) dieBus("StartTransientUnit", nullptr, r);
    appendProperties(bus, m, argc, argv, 3);
    if ((r = sd_bus_message_append(m, "a(sa(sv))", 0)) < 0) dieBus("StartTransientUnit", nullptr, r);
    r = sd_bus_call(bus, m, 0, &e, &reply);
    if (r < 0) {
        if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) finish(3, "exists");
        dieBus(std::string("unable to start unit \"") + unit + "\"", &e, r);
    }
    const char* job = nullptr;
    if ((r = sd_bus_message_read(reply, "o", &job)) < 0) dieBus("StartTransientUnit reply", nullptr, r);
    std::string result = waitJob(bus, w, job);
    sd_bus_slot_unref(slot);
    if (result != "done") {
        resetFailed(bus, unit);
        if (result == "timeout") die(std::string("Timeout waiting for systemd to create ") + unit);
        die(std::string("error creating systemd unit `") + unit + "`: got `" + result + "`");
    }
    finish(0, "ok");
}

[[noreturn]] void set(sd_bus* bus, const char* unit, int argc, char** argv) {
    sd_bus_message* m = nullptr;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(bus, &m, kDest, kPath, kManager, "SetUnitProperties");
    int runtime = 1;
    if (r < 0 || (r = sd_bus_message_append(m, "sb", unit, runtime)) < 0) dieBus("SetUnitProperties", nullptr, r);
    appendProperties(bus, m, argc, argv, 3);
    r = sd_bus_call(bus, m, 0, &e, nullptr);
    if (r < 0) dieBus("unable to set unit properties", &e, r);
    finish(0, "ok");
}

bool unitLoaded(sd_bus* bus, const char* unit) {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int r = sd_bus_call_method(bus, kDest, kPath, kManager, "GetUnit", &e, &reply, "s", unit);
    bool gone = r < 0 && sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit");
    sd_bus_error_free(&e);
    sd_bus_message_unref(reply);
    return !gone;
}

[[noreturn]] void stop(sd_bus* bus, const char* unit) {
    JobWait w;
    sd_bus_slot* slot = watchJobs(bus, &w);
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int r = sd_bus_call_method(bus, kDest, kPath, kManager, "StopUnit", &e, &reply, "ss", unit, "replace");
    if (r < 0) {
        if (!sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
            dieBus(std::string("unable to stop unit \"") + unit + "\"", &e, r);
    } else {
        const char* job = nullptr;
        if ((r = sd_bus_message_read(reply, "o", &job)) < 0) dieBus("StopUnit reply", nullptr, r);
        std::string result = waitJob(bus, w, job);
        if (result == "timeout") die(std::string("Timed out while waiting for systemd to remove ") + unit);
    }
    sd_bus_slot_unref(slot);
    // A unit that failed stays loaded until reset; a stopped transient unit is then collected.
    resetFailed(bus, unit);
    for (int i = 0; i < 300 && unitLoaded(bus, unit); ++i) usleep(10000);
    if (unitLoaded(bus, unit)) die(std::string("unit ") + unit + " is still loaded 3s after it stopped");
    finish(0, "ok");
}

[[noreturn]] void controlGroup(sd_bus* bus) {
    char* v = nullptr;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_get_property_string(bus, kDest, kPath, kManager, "ControlGroup", &e, &v);
    if (r < 0) dieBus("cannot read the manager's ControlGroup", &e, r);
    std::string cg = v ? v : "";
    std::free(v);
    finish(0, "ok " + cg);
}

[[noreturn]] void ownerUid(sd_bus* bus) {
    sd_bus_creds* c = nullptr;
    int r = sd_bus_get_owner_creds(bus, SD_BUS_CREDS_OWNER_UID | SD_BUS_CREDS_AUGMENT, &c);
    uid_t uid = 0;
    if (r >= 0) r = sd_bus_creds_get_owner_uid(c, &uid);
    sd_bus_creds_unref(c);
    if (r < 0) die(std::string("cannot read the bus owner's uid: ") + std::strerror(-r));
    finish(0, "ok " + std::to_string(uid));
}

}  // namespace

int main(int argc, char** argv) {
    const char* usage = "usage: runc-cpp-systemd [--bus|--direct ADDRESS] start|set|stop|version|control-group|owner-uid "
                        "[UNIT] [NAME SIG VALUE]...";
    sd_bus* bus = nullptr;
    if (argc >= 3 && (std::strcmp(argv[1], "--bus") == 0 || std::strcmp(argv[1], "--direct") == 0)) {
        bus = connectTo(argv[2], argv[1][2] == 'b');
        argv[2] = argv[0];  // the request's argv from here on: argv[0] REQUEST ...
        argv += 2;
        argc -= 2;
    }
    if (argc < 2) die(usage);
    std::string op = argv[1];
    if (!bus) bus = connect();
    if (op == "version") {
        int v = managerVersion(bus);
        if (v < 0) die("cannot read the systemd version");
        finish(0, "ok " + std::to_string(v));
    }
    if (op == "control-group") controlGroup(bus);
    if (op == "owner-uid") ownerUid(bus);
    if (argc < 3) die(op + ": no unit given");
    if (op == "start") start(bus, argv[2], argc, argv);
    if (op == "set") set(bus, argv[2], argc, argv);
    if (op == "stop") stop(bus, argv[2]);
    die("unknown request " + op);
}
