#!/usr/bin/env python3
"""pty-run.py ROWS COLS INPUT CMD...: runs CMD on a new pty of ROWS x COLS (our side is a
real terminal), types INPUT (\\n-separated lines, one every 0.2 s) and copies the pty's
output to stdout until CMD exits; exits with CMD's exit code."""
import fcntl, os, pty, select, struct, sys, termios, time

rows, cols, text, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
lines = [l + "\n" for l in text.split("\\n") if l]
next_at = time.time() + 0.5
deadline = time.time() + 20
out = b""
status = None
while time.time() < deadline:
    if lines and time.time() >= next_at:
        os.write(fd, lines.pop(0).encode())
        next_at = time.time() + 0.2
    r, _, _ = select.select([fd], [], [], 0.05)
    data = b""
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the other side of the pty is closed
            data = b""
        out += data
    if r and not data:
        break  # CMD and whatever it left behind closed the terminal
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        try:
            while select.select([fd], [], [], 0.1)[0]:
                data = os.read(fd, 4096)
                if not data:
                    break
                out += data
        except OSError:
            pass
        break
while status is None and time.time() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
    else:
        time.sleep(0.05)
sys.stdout.write(out.decode(errors="replace"))
if status is None:
    os.kill(pid, 9)
    sys.exit(124)
sys.exit(os.waitstatus_to_exitcode(status))
