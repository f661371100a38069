#!/usr/bin/env python3
"""Builds a busybox image offline as an OCI image layout tar, for `ctr image import`.

  make-image.py OUT.tar [REF] [BUSYBOX]

REF defaults to localhost/busybox:latest, BUSYBOX to /bin/busybox (Debian's busybox-static).
One uncompressed layer: /bin/busybox, a link per applet in /bin, and the usual empty dirs.
The output is reproducible (fixed mtimes and owners).
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

MTIME = 1700000000


def add_dir(tar, name, mode=0o755):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE
    ti.mode = mode
    ti.mtime = MTIME
    tar.addfile(ti)


def add_file(tar, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    ti.mtime = MTIME
    tar.addfile(ti, io.BytesIO(data))


def layer_tar(busybox):
    with open(busybox, "rb") as f:
        bb = f.read()
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for d in ["bin", "dev", "etc", "proc", "sys", "tmp", "root", "var", "usr", "usr/bin", "sbin"]:
            add_dir(tar, d, 0o1777 if d == "tmp" else 0o755)
        add_file(tar, "bin/busybox", bb, 0o755)
        for a in sorted(set(applets)):
            if a == "busybox":
                continue
            ti = tarfile.TarInfo("bin/" + a)
            ti.type = tarfile.SYMTYPE
            ti.linkname = "busybox"
            ti.mode = 0o777
            ti.mtime = MTIME
            tar.addfile(ti)
        add_file(tar, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
        add_file(tar, "etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    return buf.getvalue()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def main():
    out = sys.argv[1]
    ref = sys.argv[2] if len(sys.argv) > 2 else "localhost/busybox:latest"
    busybox = sys.argv[3] if len(sys.argv) > 3 else "/bin/busybox"
    layer = layer_tar(busybox)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["sh"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [sha(layer)]},
        "created": "2023-11-14T22:13:20Z",
    }, sort_keys=True).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha(layer),
                    "size": len(layer)}],
    }, sort_keys=True).encode()
    tag = ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else "latest"
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest),
                       "size": len(manifest),
                       "platform": {"architecture": "amd64", "os": "linux"},
                       "annotations": {"io.containerd.image.name": ref,
                                       "org.opencontainers.image.ref.name": tag}}],
    }, sort_keys=True).encode()
    with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as tar:
        add_file(tar, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add_file(tar, "index.json", index)
        add_dir(tar, "blobs")
        add_dir(tar, "blobs/sha256")
        for blob in (layer, config, manifest):
            add_file(tar, "blobs/sha256/" + sha(blob)[7:], blob)


if __name__ == "__main__":
    main()
