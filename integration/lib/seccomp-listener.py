#!/usr/bin/env python3
"""A seccomp notify listener for the tests (runtime-spec "listenerPath").

    seccomp-listener.py SOCKET OUT_JSON VALUE

Listens on the unix socket SOCKET, accepts one connection, reads the container
process state (JSON payload, the notify fd by SCM_RIGHTS) until EOF, writes the
payload to OUT_JSON, then answers every notified syscall with VALUE as its
return value until the fd reports that the filter is gone.
"""
import array
import fcntl
import os
import select
import socket
import struct
import sys

# struct seccomp_notif: u64 id, u32 pid, u32 flags, {i32 nr, u32 arch, u64 ip, u64 args[6]}
NOTIF = struct.Struct("=QIIiIQ6Q")
# struct seccomp_notif_resp: u64 id, s64 val, s32 error, u32 flags
RESP = struct.Struct("=QqiI")


def iowr(nr, size):
    return (3 << 30) | (size << 16) | (ord("!") << 8) | nr


NOTIF_RECV = iowr(0, NOTIF.size)
NOTIF_SEND = iowr(1, RESP.size)


def main():
    path, out, value = sys.argv[1], sys.argv[2], int(sys.argv[3])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    open(out + ".ready", "w").close()
    conn, _ = srv.accept()
    payload, fd = b"", None
    while True:
        data, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4))
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fd = array.array("i", cdata[:4])[0]
        if not data:
            break
        payload += data
    conn.close()
    with open(out, "wb") as f:
        f.write(payload)
    if fd is None:
        return 1
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            return 0
        buf = bytearray(NOTIF.size)
        try:
            fcntl.ioctl(fd, NOTIF_RECV, buf)
        except OSError:
            return 0  # the filter's processes are gone
        nid = NOTIF.unpack(bytes(buf))[0]
        try:
            fcntl.ioctl(fd, NOTIF_SEND, bytearray(RESP.pack(nid, value, 0, 0)))
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
