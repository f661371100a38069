#!/usr/bin/env python3
"""Copies the containerd .proto files the shim speaks into one flat directory, made fit for
protoc's C++ lite runtime, and runs protoc on them.

  prepare.py PROTOC GOCODE_SRC WKT_INCLUDE OWN_PROTO... OUTDIR

What is changed in the copies: the gogoproto and containerd plugin options and imports are
dropped (they only steer Go code generation); `optimize_for = LITE_RUNTIME` is added; the
google.protobuf well-known types (any, empty, timestamp) are copied under the package
rcpp.wkt, because libprotobuf-lite does not carry their generated code (the wire format does
not depend on package names); imports are rewritten to the flat names below.
"""
import os
import re
import subprocess
import sys

# flat name -> path below GOCODE_SRC (or WKT_INCLUDE for the wkt_ ones)
UPSTREAM = {
    "types_mount.proto": "github.com/containerd/containerd/api/types/mount.proto",
    "types_task.proto": "github.com/containerd/containerd/api/types/task/task.proto",
    "events_task.proto": "github.com/containerd/containerd/api/events/task.proto",
    "task_shim.proto": "github.com/containerd/containerd/runtime/v2/task/shim.proto",
    "ttrpc_events.proto": "github.com/containerd/containerd/api/services/ttrpc/events/v1/events.proto",
    "runc_options.proto": "github.com/containerd/containerd/runtime/v2/runc/options/oci.proto",
    "cgroups1_metrics.proto": "github.com/containerd/cgroups/stats/v1/metrics.proto",
    "cgroups2_metrics.proto": "github.com/containerd/cgroups/v2/stats/metrics.proto",
}
WKT = {
    "wkt_any.proto": "google/protobuf/any.proto",
    "wkt_empty.proto": "google/protobuf/empty.proto",
    "wkt_timestamp.proto": "google/protobuf/timestamp.proto",
}
IMPORT_MAP = {v: k for k, v in {**UPSTREAM, **WKT}.items()}


def transform(text, is_wkt):
    out = []
    for line in text.splitlines():
        m = re.match(r'\s*import\s+(weak\s+|public\s+)?"([^"]+)"\s*;', line)
        if m:
            target = m.group(2)
            if target in IMPORT_MAP:
                out.append('import "%s";' % IMPORT_MAP[target])
            # gogo.proto, fieldpath.proto and anything else unknown: dropped
            continue
        if re.match(r'\s*option\s+\((gogoproto|containerd\.plugin)\.[^;]*;', line):
            continue
        if re.match(r'\s*option\s+(optimize_for|cc_enable_arenas|objc_class_prefix|csharp_namespace|'
                    r'java_\w+|go_package)\b', line):
            continue
        # field / enum value options that are only gogoproto's
        line = re.sub(r'\s*\[\s*\((gogoproto|containerd\.plugin)\.[^\]]*\]', '', line)
        line = re.sub(r'\bgoogle\.protobuf\.(Any|Empty|Timestamp)\b', r'rcpp.wkt.\1', line)
        if is_wkt and re.match(r'\s*package\s+google\.protobuf\s*;', line):
            line = 'package rcpp.wkt;'
        out.append(line)
        if re.match(r'\s*package\s+[\w.]+\s*;', line):
            out.append('option optimize_for = LITE_RUNTIME;')
    return "\n".join(out) + "\n"


def main():
    protoc, gocode, wkt_inc = sys.argv[1:4]
    own = sys.argv[4:-1]
    outdir = sys.argv[-1]
    srcdir = os.path.join(outdir, "proto-src")
    os.makedirs(srcdir, exist_ok=True)
    names = []
    for flat, rel in list(UPSTREAM.items()) + list(WKT.items()):
        base = wkt_inc if flat.startswith("wkt_") else gocode
        with open(os.path.join(base, rel)) as f:
            text = transform(f.read(), flat.startswith("wkt_"))
        with open(os.path.join(srcdir, flat), "w") as f:
            f.write(text)
        names.append(flat)
    for p in own:
        with open(p) as f:
            text = f.read()
        flat = os.path.basename(p)
        with open(os.path.join(srcdir, flat), "w") as f:
            f.write(text)
        names.append(flat)
    subprocess.run([protoc, "--proto_path=" + srcdir, "--cpp_out=" + outdir] + names, check=True)


if __name__ == "__main__":
    main()
