#!/usr/bin/env python3
"""A seccomp notify listener for the tests (runtime-spec "listenerPath").

    seccomp-listener.py SOCKET OUT_JSON VALUE [COUNT]

Listens on the unix socket SOCKET and accepts COUNT connections (default 1): from
each it reads the container process state (JSON payload, the notify fd by
SCM_RIGHTS) until EOF and writes the payload to OUT_JSON (the first), OUT_JSON.2,
... Meanwhile it answers every notified syscall on the fds received so far with
VALUE as its return value, until each fd reports that its filter is gone (or 30s
pass without anything happening).
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


def receive(conn):
    """The payload (until EOF) and the fd sent with it."""
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
    return payload, fd


def answer(fd, value):
    """Answers one notification; False once the filter's processes are gone."""
    buf = bytearray(NOTIF.size)
    try:
        fcntl.ioctl(fd, NOTIF_RECV, buf)
    except OSError:
        return False
    nid = NOTIF.unpack(bytes(buf))[0]
    try:
        fcntl.ioctl(fd, NOTIF_SEND, bytearray(RESP.pack(nid, value, 0, 0)))
    except OSError:
        pass
    return True


def main():
    path, out, value = sys.argv[1], sys.argv[2], int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(count)
    open(out + ".ready", "w").close()
    accepted, fds = 0, []
    while True:
        watch = fds + ([srv] if accepted < count else [])
        if not watch:
            return 0
        r, _, _ = select.select(watch, [], [], 30)
        if not r:
            return 0
        for x in r:
            if x is srv:
                conn, _ = srv.accept()
                payload, fd = receive(conn)
                accepted += 1
                name = out if accepted == 1 else f"{out}.{accepted}"
                with open(name, "wb") as f:
                    f.write(payload)
                if fd is None:
                    return 1
                fds.append(fd)
            elif not answer(x, value):
                fds.remove(x)
                os.close(x)


if __name__ == "__main__":
    sys.exit(main())
