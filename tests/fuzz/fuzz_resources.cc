// libFuzzer entry point; the body is fuzz::resources in harness.h.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::resources(data, size);
}
