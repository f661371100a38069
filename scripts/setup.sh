#!/usr/bin/env bash
# One command on a fresh Debian 12 machine, as root: install, build, and run a busybox
# container from a bundle made here, printing its output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
bundle=$(mktemp -d /tmp/runc-cpp-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
bash integration/lib/make-bundle.sh "$bundle" >/dev/null
python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["args"] = ["sh", "-c", "echo hello from runc-cpp: pid $$ on $(hostname)"]
json.dump(c, open(p, "w"), indent=2)
PY
./build/runc-cpp/runc-cpp run --bundle "$bundle" "demo-$$"
