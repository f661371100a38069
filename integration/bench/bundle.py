#!/usr/bin/env python3
"""bundle.py DIR: from DIR/config.json (integration/lib/make-bundle.sh) make DIR/true and
DIR/sleep, two bundles sharing DIR/rootfs, each with the same config but for the process.

The config keeps make-bundle.sh's namespaces (pid, net, ipc, uts, mount), mounts, masked and
read-only paths and capabilities, and adds a seccomp filter of the usual shape (allow by
default, refuse a list of privileged system calls) so that the seccomp step is measured too.
"""
import json
import os
import sys

DENIED = [
    "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
    "finit_module", "get_kernel_syms", "get_mempolicy", "init_module", "ioperm", "iopl", "kcmp",
    "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount", "move_pages",
    "name_to_handle_at", "nfsservctl", "open_by_handle_at", "perf_event_open", "personality",
    "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace", "query_module", "quotactl",
    "reboot", "request_key", "set_mempolicy", "setns", "settimeofday", "stime", "swapoff",
    "swapon", "sysfs", "_sysctl", "umount", "umount2", "unshare", "uselib", "userfaultfd",
    "ustat", "vm86", "vm86old",
]


def main():
    top = os.path.abspath(sys.argv[1])
    with open(os.path.join(top, "config.json")) as f:
        base = json.load(f)
    base["root"]["path"] = os.path.join(top, "rootfs")
    base["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": DENIED, "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
    }
    for name, args in (("true", ["true"]), ("sleep", ["sleep", "100000"])):
        d = os.path.join(top, name)
        os.makedirs(d, exist_ok=True)
        cfg = json.loads(json.dumps(base))
        cfg["process"]["args"] = args
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)


if __name__ == "__main__":
    main()
