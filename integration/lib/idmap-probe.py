#!/usr/bin/env python3
"""idmap-probe.py DIR: whether DIR's filesystem takes an idmapped mount on this kernel.

Independent of the runtime under test: clones DIR into a detached mount with
open_tree(OPEN_TREE_CLONE) and sets MOUNT_ATTR_IDMAP on it with a user namespace mapping
0 -> 100000 (65536 ids). The detached mount is never attached and goes with the process.

Exit status: 0 supported, 1 refused (the reason on stdout), 2 the probe itself failed.
"""
import ctypes
import errno
import os
import sys

# The generic system call numbers (the same on x86_64, arm64 and the other modern tables).
NR_OPEN_TREE = 428
NR_MOUNT_SETATTR = 442
CLONE_NEWUSER = 0x10000000
OPEN_TREE_CLONE = 1
OPEN_TREE_CLOEXEC = os.O_CLOEXEC
AT_FDCWD = -100
AT_EMPTY_PATH = 0x1000
MOUNT_ATTR_IDMAP = 0x00100000


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def userns_fd(libc):
    ready_r, ready_w = os.pipe()
    release_r, release_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(release_w)
        ok = libc.unshare(CLONE_NEWUSER) == 0
        os.write(ready_w, b"1" if ok else b"0")
        os.read(release_r, 1)
        os._exit(0)
    os.close(ready_w)
    os.close(release_r)
    try:
        if os.read(ready_r, 1) != b"1":
            raise OSError("unshare(CLONE_NEWUSER) failed in the helper")
        for f in ("uid_map", "gid_map"):
            with open(f"/proc/{pid}/{f}", "w") as m:
                m.write("0 100000 65536\n")
        return os.open(f"/proc/{pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(release_w)
        os.close(ready_r)
        os.waitpid(pid, 0)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    try:
        ns = userns_fd(libc)
    except OSError as e:
        print(f"probe: {e}")
        return 2
    tree = libc.syscall(NR_OPEN_TREE, AT_FDCWD, os.fsencode(sys.argv[1]),
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)
    if tree < 0:
        e = ctypes.get_errno()
        print(f"open_tree {sys.argv[1]}: {os.strerror(e)}")
        return 1 if e == errno.ENOSYS else 2
    attr = MountAttr(MOUNT_ATTR_IDMAP, 0, 0, ns)
    if libc.syscall(NR_MOUNT_SETATTR, tree, b"", AT_EMPTY_PATH, ctypes.byref(attr), ctypes.sizeof(attr)) < 0:
        print(f"mount_setattr(MOUNT_ATTR_IDMAP) on {sys.argv[1]}: {os.strerror(ctypes.get_errno())}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
