#!/usr/bin/env bash
# The out-of-tree consumer tier (issue 16): installs the build into a DESTDIR, copies
# tests/consumer/ out of the source tree, builds it there with only pkg-config (shared and
# static), and runs both against a busybox rootfs. Running containers needs root: without it
# the builds still run and the run says SKIP.
# usage: run.sh [BUILD_DIR]     (default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
tmp=$(mktemp -d /tmp/rcpp-consumer.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/dest" --no-rebuild --quiet >/dev/null
pc=$(find "$tmp/dest" -name runc-cpp.pc -print -quit)
[ -n "$pc" ] || { echo "runc-cpp.pc was not installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
mkdir "$tmp/src"
cp tests/consumer/consumer.cc tests/consumer/Makefile "$tmp/src/"
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$tmp/dest PKG_CONFIG_LIBDIR=/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig
echo "pkg-config --cflags --libs runc-cpp: $(pkg-config --cflags --libs runc-cpp)"
make -s -C "$tmp/src"
echo "ok: built consumer (shared) and consumer-static out of the tree"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: running the consumer needs root"
	exit 77
fi
bash integration/lib/make-bundle.sh "$tmp/bundle" >/dev/null
LD_LIBRARY_PATH=$libdir "$tmp/src/consumer" "$tmp/bundle/rootfs" "product-consumer-$$" "$tmp/root"
LD_LIBRARY_PATH=$libdir ldd "$tmp/src/consumer" | grep -q "librunc-cpp.so.0 => $libdir" || { echo "consumer did not load the installed librunc-cpp.so.0"; exit 1; }
"$tmp/src/consumer-static" "$tmp/bundle/rootfs" "product-consumer-s-$$" "$tmp/root"
if ldd "$tmp/src/consumer-static" | grep -q librunc-cpp; then echo "consumer-static is linked to the .so"; exit 1; fi
[ -z "$(ls -A "$tmp/root")" ] || { echo "state left behind: $(ls -A "$tmp/root")"; exit 1; }
echo "ok: both consumers ran"
