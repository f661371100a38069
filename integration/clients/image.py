#!/usr/bin/env python3
"""image.py OUT.tar [REF]: a busybox image built offline from busybox-static.

The one tar is at the same time an OCI image layout (oci-layout, index.json,
blobs/sha256/...) for `ctr image import` and `podman load`, and a
docker-archive (manifest.json naming the same blobs) for `docker load`, which
in Docker 20.10 reads only that format. One uncompressed layer, so the layer
digest is also its diff_id. Reproducible: fixed mtimes, owners and order.
REF defaults to localhost/busybox:latest.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

BUSYBOX = os.environ.get("BUSYBOX", "/bin/busybox")


def add(tar, name, kind, data=b"", mode=0o755, target=""):
    info = tarfile.TarInfo(name)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode = mode
    if kind == "dir":
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    elif kind == "link":
        info.type = tarfile.SYMTYPE
        info.linkname = target
        info.mode = 0o777
        tar.addfile(info)
    else:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def layer_bytes():
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
    busybox = open(BUSYBOX, "rb").read()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        entries = []
        for d, mode in (("bin", 0o755), ("dev", 0o755), ("etc", 0o755), ("proc", 0o555),
                        ("root", 0o700), ("sys", 0o555), ("tmp", 0o1777)):
            entries.append((d, "dir", b"", mode, ""))
        entries.append(("bin/busybox", "file", busybox, 0o755, ""))
        for a in sorted(set(applets)):
            if a != "busybox":
                entries.append((f"bin/{a}", "link", b"", 0o777, "busybox"))
        entries.append(("etc/passwd", "file", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n", 0o644, ""))
        entries.append(("etc/group", "file", b"root:x:0:\nnogroup:x:65534:\n", 0o644, ""))
        for name, kind, data, mode, target in sorted(entries, key=lambda e: e[0]):
            add(t, name, kind, data, mode, target)
    return buf.getvalue()


def main():
    out = sys.argv[1]
    ref = sys.argv[2] if len(sys.argv) > 2 else "localhost/busybox:latest"
    tag = ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else "latest"
    blobs = {}

    def blob(data):
        h = hashlib.sha256(data).hexdigest()
        blobs[h] = data
        return "sha256:" + h, len(data)

    def js(obj):
        return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()

    layer, layer_size = blob(layer_bytes())
    epoch = "1970-01-01T00:00:00Z"
    config, config_size = blob(js({
        "architecture": "amd64", "os": "linux", "created": epoch,
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["sh"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [layer]},
        "history": [{"created": epoch, "created_by": "integration/clients/image.py"}],
    }))
    manifest, manifest_size = blob(js({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": layer_size}],
    }))
    index = js({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest, "size": manifest_size,
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": tag},
        }],
    })
    docker_manifest = js([{"Config": "blobs/sha256/" + config[7:], "RepoTags": [ref],
                           "Layers": ["blobs/sha256/" + layer[7:]]}])
    tmp = out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as t:
        add(t, "blobs", "dir")
        add(t, "blobs/sha256", "dir")
        for h in sorted(blobs):
            add(t, "blobs/sha256/" + h, "file", blobs[h], 0o644)
        add(t, "index.json", "file", index, 0o644)
        add(t, "manifest.json", "file", docker_manifest, 0o644)
        add(t, "oci-layout", "file", b'{"imageLayoutVersion":"1.0.0"}', 0o644)
    os.rename(tmp, out)
    print(f"{out}: {ref} manifest {manifest}")


if __name__ == "__main__":
    main()
