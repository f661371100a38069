#!/usr/bin/env bash
# Installs what runc-cpp needs to build and test, from Debian's packages only.
set -euo pipefail
pkgs=(g++ meson ninja-build pkg-config libseccomp-dev libcap-dev libyajl-dev catch2
      libboost-program-options-dev busybox-static bats python3 procps
      # the cgroup v2 guest (integration/v2/vm.sh)
      qemu-system-x86 cpio xz-utils zstd
      # the containerd shim (shim/): protoc, protobuf-lite and containerd's .proto files (the
      # cgroup Metrics ones are in the cgroups package); containerd, ctr and script(1) for its
      # integration test; runc (containerd-shim-runc-v2's runtime) for integration/bench/shim.sh
      protobuf-compiler libprotobuf-dev golang-github-containerd-containerd-dev
      golang-github-containerd-cgroups-dev containerd bsdutils runc
      # rootless containers (integration/rootless.bats): newuidmap and newgidmap
      uidmap
      # the systemd cgroup driver's sd-bus helper; the systemd guest (integration/sysguest/):
      # systemd as its PID 1, kmod for modprobe in it, AppArmor and SELinux userspace, the
      # clients it runs (Docker, Podman, crun for the benchmark) and gcc's static libc for the
      # sd_notify sender its Podman test builds
      libsystemd-dev systemd kmod apparmor apparmor-utils selinux-policy-default selinux-utils
      policycoreutils docker.io podman conmon crun gcc libc6-dev
      # integration/security.bats: the first system calls of the CLI
      strace
      # checkpoint/restore (issue 15): CRIU (its rpc.proto in /usr/include/criu is compiled
      # into libcontainer; integration/criu/ runs it in the v2 guest) and iproute2 for its netns
      criu iproute2
            # libFuzzer targets (tests/fuzz/run.sh): clang 16 is the first whose C++ support
      # compiles libstdc++ 12's <expected>
      clang-16 libclang-rt-16-dev
      # runccpp-manager's images: libarchive (layers and image archives), libcrypto (sha256)
      libarchive-dev libssl-dev
      # runccpp-manager metrics: its test scrapes with curl and parses with prometheus_client
      python3-prometheus-client curl
      # runccpp-manager's networks: the CNI plugins (bridge, host-local, portmap, loopback) and
      # the iptables that portmap and the bridge's ipMasq run
      containernetworking-plugins iptables)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
