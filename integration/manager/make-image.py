#!/usr/bin/env python3
"""Builds a two-layer test image offline, for images.bats.

make-image.py ROOTFS OUT FORMAT NAME [--corrupt]
  FORMAT docker: OUT is a `docker save` tar (manifest.json, <hex>.json config, <n>/layer.tar)
  FORMAT oci:    OUT is an OCI image layout directory (index.json, blobs/sha256/..., the
                 second layer gzip-compressed)
Layer 1 is ROOTFS (busybox) plus /etc/removeme and /data/a; layer 2 adds /etc/hello and an
/etc/passwd with user app (1234:4321), whites out /etc/removeme and makes /data opaque with
/data/b in it. The config: Entrypoint sh -c, Cmd printing $GREETING, the cwd and the ids;
WorkingDir /data, User app. --corrupt makes layer 2's content differ from its diff_id.
"""
import gzip, hashlib, io, json, os, sys, tarfile


def add_bytes(tf, name, data, mode=0o644, typ=tarfile.REGTYPE):
    ti = tarfile.TarInfo(name)
    ti.mode, ti.type, ti.uid, ti.gid, ti.mtime = mode, typ, 0, 0, 1700000000
    if typ == tarfile.DIRTYPE:
        ti.mode = 0o755
        tf.addfile(ti)
    else:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))


def layer1(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        def reset(ti):
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            return ti
        for e in sorted(os.listdir(rootfs)):
            tf.add(os.path.join(rootfs, e), arcname=e, filter=reset)
        add_bytes(tf, "etc/removeme", b"gone\n")
        add_bytes(tf, "data", b"", typ=tarfile.DIRTYPE)
        add_bytes(tf, "data/a", b"from layer 1\n")
    return buf.getvalue()


def layer2(corrupt):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        add_bytes(tf, "etc/hello", b"hello from layer 2\n" + (b"X" if corrupt else b""))
        add_bytes(tf, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1234:4321:app:/data:/bin/sh\n")
        add_bytes(tf, "etc/.wh.removeme", b"")
        add_bytes(tf, "data/.wh..wh..opq", b"")
        add_bytes(tf, "data/b", b"from layer 2\n")
    return buf.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def main():
    rootfs, out, fmt, name = sys.argv[1:5]
    corrupt = "--corrupt" in sys.argv
    l1, l2 = layer1(rootfs), layer2(False)
    diff_ids = ["sha256:" + sha(l1), "sha256:" + sha(l2)]
    if corrupt:
        l2 = layer2(True)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2026-01-02T03:04:05Z",
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hi"],
                   "Entrypoint": ["/bin/sh", "-c"],
                   "Cmd": ["echo $GREETING from $(pwd) as $(id -u):$(id -g)"],
                   "WorkingDir": "/data", "User": "app", "ExposedPorts": {"80/tcp": {}}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }).encode()
    cid = sha(config)
    if fmt == "docker":
        with tarfile.open(out, "w") as tf:
            add_bytes(tf, cid + ".json", config)
            add_bytes(tf, "l1/layer.tar", l1)
            add_bytes(tf, "l2/layer.tar", l2)
            add_bytes(tf, "manifest.json", json.dumps([{"Config": cid + ".json", "RepoTags": [name],
                                                        "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode())
        return
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs)

    def blob(b):
        with open(os.path.join(blobs, sha(b)), "wb") as f:
            f.write(b)
        return {"digest": "sha256:" + sha(b), "size": len(b)}
    l2gz = gzip.compress(l2, mtime=0)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": dict(blob(config), mediaType="application/vnd.oci.image.config.v1+json"),
        "layers": [dict(blob(l1), mediaType="application/vnd.oci.image.layer.v1.tar"),
                   dict(blob(l2gz), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")],
    }).encode()
    index = {"schemaVersion": 2, "manifests": [dict(blob(manifest), mediaType="application/vnd.oci.image.manifest.v1+json",
                                                    annotations={"io.containerd.image.name": name,
                                                                 "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]})]}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


main()
