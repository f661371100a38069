#!/usr/bin/env bash
# Configures (once) and builds into ./build; the CLI ends up at build/runc-cpp/runc-cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null
