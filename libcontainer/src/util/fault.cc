#include "util/fault.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace lc::util {

void faultPoint(const char* name) {
    const char* want = std::getenv("RUNC_CPP_FAULT");
    if (want && std::strcmp(want, name) == 0) ::kill(::getpid(), SIGKILL);
}

}  // namespace lc::util
