#!/usr/bin/env python3
"""exe-protected.py PID: is the file behind /proc/PID/exe out of a container's reach for
writing (CVE-2019-5736 class)? A process of the runtime that clones container processes must
run from a read-only mount of its binary or from a sealed memfd copy: then what a container
opens through /proc/<pid>/exe of those clones cannot be written. Prints how the file is held
and exits 0 when it is protected, 1 when it is writable, 2 when PID cannot be inspected."""
import fcntl
import os
import sys

F_GET_SEALS = 1034
F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE = 1, 2, 4, 8

pid = sys.argv[1]
try:
    fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
except OSError as e:
    print(f"cannot open /proc/{pid}/exe: {e}")
    sys.exit(2)
target = os.readlink(f"/proc/{pid}/exe")
try:
    seals = fcntl.fcntl(fd, F_GET_SEALS)
except OSError:
    seals = -1
want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
if seals >= 0 and seals & want == want:
    print(f"protected: sealed memfd ({target})")
    sys.exit(0)
if os.fstatvfs(fd).f_flag & os.ST_RDONLY:
    print(f"protected: read-only mount ({target})")
    sys.exit(0)
print(f"WRITABLE: {target} is on a writable mount, not a sealed memfd")
sys.exit(1)
