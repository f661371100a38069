#!/usr/bin/env bash
# Runs the embedding example twice (from a bundle, and from a spec built in code) and
# checks what the containers printed and how they exited.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d /tmp/rcpp-example.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bash integration/lib/make-bundle.sh "$tmp/bundle" >/dev/null
python3 - "$tmp/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["args"] = ["sh", "-c", "echo inside; exit 7"]
c["linux"]["cgroupsPath"] = "/rcpp-example"
json.dump(c, open(p, "w"))
PY
out=$(./build/examples/embed-example "$tmp/bundle" "example-$$" "$tmp/root")
echo "$out"
grep -q "^inside$" <<<"$out"
grep -q "^exited with 7$" <<<"$out"
out=$(./build/examples/embed-example --rootfs "$tmp/bundle/rootfs" "example-b-$$" "$tmp/root")
echo "$out"
grep -q "^inside built-in-code$" <<<"$out"
grep -q "^exited with 7$" <<<"$out"
[ -z "$(ls -A "$tmp/root")" ]
