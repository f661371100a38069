#!/usr/bin/env bash
# Runs every test tier (each block below says what it covers): unit tests (Catch2; the [root]
# ones too when run as root), the library example, the bats suite, cgroups (host and a v2
# guest), the manager, reliability, fuzz smoke, the containerd shim, sanitizers and the real
# clients. The last line is "N passed, N failed, N skipped" over all tiers.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

# shellcheck source=lib/counts.sh
source scripts/lib/counts.sh

echo "== unit tests"
out=$(./build/tests/unit-tests '~[root]' 2>&1); rc=$?
tail -3 <<<"$out"; ((rc)) && echo "$out" | tail -60
catch_counts "$out"

if [ "$(id -u)" = 0 ]; then
  echo "== root unit tests"
  out=$(./build/tests/unit-tests '[root]' 2>&1); rc=$?
  tail -3 <<<"$out"; ((rc)) && echo "$out" | tail -60
  catch_counts "$out"
else
  echo "SKIP: root unit tests need root"; add 0 0 1
fi

if [ -x build/examples/embed-example ]; then
  echo "== library example"
  if [ "$(id -u)" = 0 ] && out=$(bash examples/run-example.sh 2>&1); then
    echo "$out" | tail -2; add 1 0
  elif [ "$(id -u)" != 0 ]; then
    echo "SKIP: the library example needs root"; add 0 0 1
  else
    echo "$out" | tail -20; add 0 1
  fi
fi

# The library as installed: tests/consumer built out of the tree with pkg-config only
# (shared and static) against a DESTDIR install, creating/starting/exec'ing/deleting.
echo "== out-of-tree consumer (installed library)"
out=$(bash tests/consumer/run.sh 2>&1); rc=$?
echo "$out" | tail -4
if ((rc == 77)); then add 0 0 1; elif ((rc == 0)); then add 1 0; else echo "$out" | tail -20; add 0 1; fi

if [ "$(id -u)" = 0 ]; then
  echo "== integration (bats)"
  out=$(RUNTIME="$PWD/build/runc-cpp/runc-cpp" bash integration/run.sh 2>&1); rc=$?
  echo "$out" | grep -E "^(not ok|ok .* # skip)" | head -80
  summary=$(tail -1 <<<"$out")
  echo "$summary"
  if [[ $summary =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
    add "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]:-0}"
  else
    echo "$out" | tail -30; add 0 1
  fi
else
  echo "SKIP: integration tests need root"; add 0 0 1
fi


# cgroups on this host (v1/hybrid): integration/cgroups.bats.
if [ "$(id -u)" = 0 ]; then
  echo "== cgroups (bats, host cgroups)"
  out=$(RUNTIME="$PWD/build/runc-cpp/runc-cpp" bash integration/run.sh integration/cgroups.bats 2>&1)
  echo "$out" | grep -E "^(not ok|ok .* # skip)" | head -40
  summary_counts "$out"
else
  echo "SKIP: cgroup tests need root"; add 0 0 1
fi

# The in-repo manager (manager/, issue 6): its unit tests (log format, rotation, flags), then
# integration/manager/*.bats, which drive runccpp-manager
# under a temp --root (every command, containers outliving the manager); each test checks that
# no container, supervisor, cgroup, mount or state dir is left behind.
if [ -x build/manager/manager-unit-tests ]; then
  echo "== manager unit tests"
  out=$(./build/manager/manager-unit-tests 2>&1); rc=$?
  tail -1 <<<"$out"; ((rc)) && echo "$out" | tail -40
  catch_counts "$out"
fi
if [ "$(id -u)" = 0 ]; then
  echo "== manager (bats)"
  out=$(RUNTIME="$PWD/build/runc-cpp/runc-cpp" MANAGER="$PWD/build/manager/runccpp-manager" \
    bash integration/run.sh integration/manager/*.bats 2>&1)
  echo "$out" | grep -E "^(not ok|ok .* # skip)" | head -40
  summary_counts "$out"
else
  echo "SKIP: manager tests need root"; add 0 0 1
fi

# cgroup v2 inside a v2-only QEMU guest booted once (integration/v2/run.sh). When the guest
# cannot boot, the tier prints "SKIP: <reason>" and counts as skipped, never as passed.
echo "== cgroup v2 (guest VM)"
out=$(RUNTIME="$PWD/build/runc-cpp/runc-cpp" bash integration/v2/run.sh 2>&1)
if [[ $(tail -1 <<<"$out") == SKIP:* ]]; then
  tail -1 <<<"$out"; add 0 0 1
else
  echo "$out" | grep -E "^(not ok|ok .* # skip|vm.sh:)" | head -40
  summary_counts "$out"
fi

# Checkpoint/restore with CRIU in one boot of the v2 guest (integration/criu/run.sh): CRIU 3.17
# does not work on newer host kernels. Off by default (CRIU_TIER=1 runs it): the dumps still fail
# in the guest (CRIU 3.17: netlink EINVAL while "Dumping netns links"), see issue 15.
echo "== checkpoint/restore with CRIU (guest VM)"
if [ "${CRIU_TIER:-0}" = 0 ]; then
  echo "SKIP: CRIU tier is off by default: CRIU 3.17 fails to dump the netns links in the guest (CRIU_TIER=1 runs it)"; add 0 0 1
else
  out=$(RUNTIME="$PWD/build/runc-cpp/runc-cpp" bash integration/criu/run.sh 2>&1)
  if [[ $(tail -1 <<<"$out") == SKIP:* ]]; then
    tail -1 <<<"$out"; add 0 0 1
  else
    echo "$out" | grep -E "^(not ok|ok .* # skip|vm.sh:|#)" | head -60
    summary_counts "$out"
  fi
fi

# Modern hosts inside a systemd guest (integration/sysguest/): systemd as PID 1, cgroup v2,
# AppArmor; the systemd cgroup driver, AppArmor, Docker, containerd and Podman in one boot;
# then SELinux in a second boot (security=selinux). SYSGUEST_TIER=0 skips both.
for tier in modern selinux; do
  echo "== $tier hosts (systemd guest VM)"
  if [ "${SYSGUEST_TIER:-1}" = 0 ]; then
    echo "SKIP: $tier guest tier (SYSGUEST_TIER=0)"; add 0 0 1; continue
  fi
  flag=; [ $tier = selinux ] && flag=--selinux
  out=$(RUNTIME="$PWD/build/runc-cpp/runc-cpp" bash integration/sysguest/run.sh $flag 2>&1)
  if [[ $(tail -1 <<<"$out") == SKIP:* ]]; then
    tail -1 <<<"$out"; add 0 0 1
  else
    echo "$out" | grep -E "^(not ok|ok .* # skip|sysguest|# guest)" | head -40
    summary_counts "$out"
  fi
done

# Reliability (docs/reliability.md): crash consistency at every fault point, concurrency,
# and a soak of RELIABILITY_SOAK (default 200) sequential containers.
if [ "$(id -u)" = 0 ]; then
  echo "== reliability (bats: crash, concurrency, soak)"
  out=$(RUNTIME="$PWD/build/runc-cpp/runc-cpp" bash integration/run.sh integration/reliability/*.bats 2>&1)
  echo "$out" | grep -E "^(not ok|ok .* # skip|# [0-9]+ lifecycles|# soak)" | head -40
  summary_counts "$out"
else
  echo "SKIP: reliability tests need root"; add 0 0 1
fi

# Fuzz smoke: each libFuzzer target for FUZZ_SECS (default 20) seconds, built with clang.
echo "== fuzz smoke"
out=$(bash tests/fuzz/run.sh "${FUZZ_SECS:-20}" 2>&1)
echo "$out" | grep -E "^(ok|not ok|SKIP)|ERROR|property broken" | head -20
summary_counts "$out"

# The containerd shim (shim/, issue 6): its protobuf-backed unit tests, then ctr through a
# private containerd with the shim on its PATH (integration/shim/run.sh). The shim is only
# built when protoc, libprotobuf-dev and containerd's protos are there (scripts/deps.sh).
echo "== shim unit tests"
if [ -x build/tests/shim/shim-unit-tests ]; then
  out=$(./build/tests/shim/shim-unit-tests 2>&1); rc=$?
  tail -3 <<<"$out"; ((rc)) && echo "$out" | tail -60
  catch_counts "$out"
else
  echo "SKIP: shim unit tests not built (meson skipped the shim: protoc, libprotobuf-dev or containerd's .proto files missing)"; add 0 0 1
fi
echo "== containerd shim (ctr run --runtime io.containerd.runccpp.v2)"
shim_missing=""
for b in containerd ctr script python3; do command -v "$b" >/dev/null || shim_missing+=" $b"; done
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: containerd shim tier needs root"; add 0 0 1
elif [ ! -x build/shim/containerd-shim-runccpp-v2 ]; then
  echo "SKIP: containerd shim tier: the shim is not built (meson skipped it)"; add 0 0 1
elif [ -n "$shim_missing" ]; then
  echo "SKIP: containerd shim tier: missing$shim_missing (scripts/deps.sh installs them)"; add 0 0 1
else
  out=$(bash integration/shim/run.sh "$PWD/build/shim/containerd-shim-runccpp-v2" 2>&1)
  echo "$out" | grep -E "^(FAIL|# shim)" | head -40
  summary_counts "$out"
fi
# A Kubernetes pod through the shim (issue 18): the CRI's task-API sequence replayed over
# ttrpc (build/tests/shim/pod-replay via integration/shim/pod.sh): one shim for the pod,
# namespaces joined by path, kubepods cgroups, exec, stats, OOM, the CRI's stop/delete order.
echo "== pod through the shim (CRI task-API replay)"
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: pod tier needs root"; add 0 0 1
elif [ ! -x build/shim/containerd-shim-runccpp-v2 ] || [ ! -x build/tests/shim/pod-replay ]; then
  echo "SKIP: pod tier: the shim or pod-replay is not built (meson skipped the shim)"; add 0 0 1
else
  out=$(bash integration/shim/pod.sh "$PWD/build/shim/containerd-shim-runccpp-v2" 2>&1)
  echo "$out" | grep -E "^(FAIL|# )" | head -40
  summary_counts "$out"
fi

# The same on cgroup v2: the OOM watch's [root] test and the shim's integration test inside
# the v2-only guest (integration/v2/vm.sh; the host's / read-only, so overlayfs cannot nest:
# ctr uses the native snapshotter there). This is where the v2 paths run: inotify on
# memory.events, io.containerd.cgroups.v2.Metrics.
echo "== containerd shim on cgroup v2 (guest VM)"
if [ "$(id -u)" != 0 ] || [ ! -x build/shim/containerd-shim-runccpp-v2 ] || [ -n "$shim_missing" ]; then
  echo "SKIP: containerd shim v2 tier: needs root, the built shim, containerd, ctr and script"; add 0 0 1
elif ! command -v qemu-system-x86_64 >/dev/null; then
  echo "SKIP: containerd shim v2 tier: qemu-system-x86_64 is not installed"; add 0 0 1
elif ! prep=$(bash integration/v2/vm.sh --prepare 2>&1); then
  echo "SKIP: containerd shim v2 tier: cannot prepare the guest kernel: $(tail -1 <<<"$prep")"; add 0 0 1
else
  out=$(bash integration/v2/vm.sh --timeout 400 --mem 2048 -- sh -c \
    './build/tests/unit-tests "[oom]"; CONTAINERD_SNAPSHOTTER=native bash integration/shim/run.sh;
     CONTAINERD_SNAPSHOTTER=native bash integration/shim/pod.sh 2>&1 | sed -E "s/^([0-9]+ passed)/pod: \1/"' 2>&1); rc=$?
  if ((rc == 125)); then
    echo "SKIP: containerd shim v2 tier: the guest did not start"; echo "$out" | tail -5; add 0 0 1
  else
    echo "$out" | grep -E "^(FAIL|# shim|All tests passed|test cases:|pod: )" | head -40
    catch_counts "$out"
    summary_counts "$out"
    summary_counts "$(grep -E '^pod: ' <<<"$out" | sed 's/^pod: //')"
  fi
fi

# ASan + UBSan build of the unit tests and the CLI; the unit tests, the root unit tests and
# the whole bats suite against it (scripts/sanitize.sh). About 16 min cold on 2 cores,
# 6 min with the build up to date (docs/reliability.md); SANITIZE=0 skips it.
if [ "${SANITIZE:-1}" != 0 ]; then
  echo "== sanitizers (ASan + UBSan)"
  out=$(bash scripts/sanitize.sh 2>&1)
  # sanitize.sh prints only what matters (tier headers, skips, failures with their
  # diagnostics, sanitizer reports): all of it, bounded
  echo "$out" | grep -vE "^=+$" | head -200
  summary_counts "$out"
else
  echo "SKIP: sanitizer tier (SANITIZE=0)"; add 0 0 1
fi

# Real clients (integration/clients/): a private containerd + ctr, dockerd and podman
# (each on unix sockets under its own temp dir) drive the built runc-cpp, then check that
# nothing is left behind. Installs the client packages if missing. CLIENT_TIER=0 skips it.
if [ "$(id -u)" = 0 ] && [ "${CLIENT_TIER:-1}" != 0 ]; then
  echo "== clients (containerd, docker, podman)"
  out=$(bash integration/clients/run.sh "$PWD/build/runc-cpp/runc-cpp" 2>&1)
  echo "$out" | grep -E "^(=== |FAIL|    \| )" | head -80
  summary_counts "$out"
else
  echo "SKIP: client tier (needs root; CLIENT_TIER=0 skips it)"; add 0 0 1
fi

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
