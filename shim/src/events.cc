#include "events.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "ttrpc_events.pb.h"
#include "wkt_any.pb.h"

namespace shim {

void Publisher::publish(const std::string& topic, const std::string& typeName, const std::string& event) {
    rcpp::wkt::Any any;
    any.set_type_url(typeName);
    any.set_value(event);
    if (!ttrpcAddress_.empty()) {
        containerd::services::events::ttrpc::v1::ForwardRequest req;
        auto* env = req.mutable_envelope();
        timespec ts{};
        ::clock_gettime(CLOCK_REALTIME, &ts);
        env->mutable_timestamp()->set_seconds(ts.tv_sec);
        env->mutable_timestamp()->set_nanos(static_cast<int32_t>(ts.tv_nsec));
        env->set_namespace_(ns_);
        env->set_topic(topic);
        *env->mutable_event() = any;
        auto r = client_.call("containerd.services.events.ttrpc.v1.Events", "Forward", req.SerializeAsString(),
                              {{"containerd-namespace-ttrpc", ns_}}, 5000);
        if (r) return;
        std::fprintf(stderr, "runccpp-shim: forward %s: %s\n", topic.c_str(), r.error().message().c_str());
    }
    if (!binary_.empty()) publishByBinary(topic, any.SerializeAsString());
}

// Runs the publish binary with the Any on a pipe; the child is reaped by the shim's reaper.
void Publisher::publishByBinary(const std::string& topic, const std::string& anyBytes) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return;
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(p[0]);
        ::close(p[1]);
        return;
    }
    if (pid == 0) {
        ::dup2(p[0], 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execl(binary_.c_str(), binary_.c_str(), "--address", address_.c_str(), "publish", "--topic",
                topic.c_str(), "--namespace", ns_.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(p[0]);
    size_t off = 0;
    while (off < anyBytes.size()) {
        ssize_t n = ::write(p[1], anyBytes.data() + off, anyBytes.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    ::close(p[1]);
}

}  // namespace shim
