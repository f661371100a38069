// Runs the container of an OCI bundle through libcontainer and reports how it exited.
//   embed-example <bundle> <container-id> [state-root]
#include <sys/wait.h>

#include <cstdio>

#include "libcontainer/runtime.h"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <bundle> <container-id> [state-root]\n", argv[0]);
        return 2;
    }
    lc::RuntimeOptions ro;
    if (argc > 3) ro.root = argv[3];
    auto rt = lc::Runtime::open(ro);
    if (!rt) return std::fprintf(stderr, "%s\n", rt.error().message().c_str()), 1;

    lc::CreateOptions co;
    co.bundle = argv[1];
    co.id = argv[2];
    auto c = rt->create(co);
    if (!c) return std::fprintf(stderr, "create: %s\n", c.error().message().c_str()), 1;
    std::printf("created %s, init pid %d, status %s\n", c->id().c_str(), c->initPid(), c->state()->status.c_str());
    std::fflush(stdout);

    if (auto r = c->start(); !r) return std::fprintf(stderr, "start: %s\n", r.error().message().c_str()), 1;
    auto status = c->wait();
    if (!status) return std::fprintf(stderr, "wait: %s\n", status.error().message().c_str()), 1;
    std::printf("exited with %d\n", WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status));
    if (auto r = c->destroy(); !r) return std::fprintf(stderr, "delete: %s\n", r.error().message().c_str()), 1;
    return 0;
}
