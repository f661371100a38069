#!/usr/bin/env python3
"""recvtty.py SOCKET OUT [INPUT]

A console-socket receiver for the tests: listens on the unix socket SOCKET,
accepts one connection, takes the fd sent with SCM_RIGHTS (the pty master),
writes INPUT (if given) into it, then copies everything read from the master
to OUT until the slave side is closed (EIO) or 20 seconds pass.

OUT.info gets one line per fact, for the test to check:
  fds=N          number of fds received
  link=...       what /proc/self/fd/<fd> points to (the ptmx of the devpts
                 instance; its path depends on which mounts the reader sees)
  ptn=N          the slave's number (TIOCGPTN: succeeds on a pty master only)
  winsize=R C    the pty's window size (TIOCGWINSZ on the master)
"""
import array
import fcntl
import os
import select
import socket
import struct
import sys
import termios
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    data = sys.argv[3].encode() if len(sys.argv) > 3 else b""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(30)
    conn, _ = srv.accept()
    fds = array.array("i")
    _, ancdata, _, _ = conn.recvmsg(1024, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, typ, cdata in ancdata:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(cdata[: len(cdata) - (len(cdata) % fds.itemsize)])
    conn.close()
    srv.close()
    info = [f"fds={len(fds)}"]
    if not fds:
        open(out + ".info", "w").write("\n".join(info) + "\n")
        open(out, "wb").close()
        return 1
    master = fds[0]
    info.append("link=" + os.readlink(f"/proc/self/fd/{master}"))
    # TIOCGPTN works on a pty master only, and gives the slave's number
    try:
        n = struct.unpack("I", fcntl.ioctl(master, getattr(termios, "TIOCGPTN", 0x80045430), b"\0" * 4))[0]
        info.append(f"ptn={n}")
    except OSError as e:
        info.append(f"ptn=error {e}")
    ws = fcntl.ioctl(master, termios.TIOCGWINSZ, b"\0" * 8)
    rows, cols, _, _ = struct.unpack("HHHH", ws)
    info.append(f"winsize={rows} {cols}")
    with open(out + ".info", "w") as f:
        f.write("\n".join(info) + "\n")
    if data:
        os.write(master, data)
    deadline = time.time() + 20
    with open(out, "wb") as f:
        while time.time() < deadline:
            r, _, _ = select.select([master], [], [], 0.2)
            if not r:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every slave fd is closed
                break
            if not chunk:
                break
            f.write(chunk)
            f.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
