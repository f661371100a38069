#!/usr/bin/env bash
# Builds a busybox bundle and runs it through the embedding example; checks its output.
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
[ -z "$(ls -A "$tmp/root")" ]
