// libFuzzer entry point; the body is fuzz::argv in harness_argv.h.
#include "harness_argv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::argv(data, size);
}
