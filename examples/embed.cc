// Runs a container through libcontainer and reports how it exited.
//   embed-example <bundle> <container-id> [state-root]           from a bundle's config.json
//   embed-example --rootfs <dir> <container-id> [state-root]     from a spec built in code
#include <sys/wait.h>

#include <cstdio>
#include <cstring>

#include "libcontainer/builder.h"
#include "libcontainer/runtime.h"

int main(int argc, char** argv) {
    bool fromRootfs = argc > 1 && std::strcmp(argv[1], "--rootfs") == 0;
    int a = fromRootfs ? 2 : 1;
    if (argc < a + 2) {
        std::fprintf(stderr, "usage: %s <bundle> | --rootfs <dir>  <container-id> [state-root]\n", argv[0]);
        return 2;
    }
    lc::RuntimeOptions ro;
    if (argc > a + 2) ro.root = argv[a + 2];
    auto rt = lc::Runtime::open(ro);
    if (!rt) return std::fprintf(stderr, "%s\n", rt.error().message().c_str()), 1;

    lc::CreateOptions co;
    co.id = argv[a + 1];
    lc::Result<lc::Container> c = std::unexpected(lc::Error{});
    if (fromRootfs) {
        auto spec = lc::SpecBuilder()
                        .rootfs(argv[a])
                        .args({"sh", "-c", "echo inside $(hostname); exit 7"})
                        .hostname("built-in-code")
                        .cgroupsPath("/rcpp-example")
                        .build();
        if (!spec) return std::fprintf(stderr, "spec: %s\n", spec.error().message().c_str()), 1;
        c = rt->create(co, *spec);
    } else {
        co.bundle = argv[a];
        c = rt->create(co);
    }
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
