#!/usr/bin/env bats
# The real clients on a systemd + cgroup v2 + AppArmor host (the sysguest), with the runtime
# under test ($RUNTIME: runc-cpp, or runc 1.1.5 as the reference):
#   Docker: registered in daemon.json as the default runtime, systemd cgroup driver;
#   containerd: the stock runc shim with $RUNTIME as its binary and SystemdCgroup, and
#     runc-cpp's own shim receiving the same runc options (SystemdCgroup = true);
#   Podman: --runtime $RUNTIME, cgroup_manager systemd, --sdnotify=container.
# The daemons' state lives on tmpfs; the busybox image comes from the host
# ($SYSGUEST_ASSETS/busybox.tar, made by integration/clients/image.py).

load ../lib/helpers

IMAGE=localhost/busybox:latest
WORK=/tmp/rcpp-clients

in_guest() { [[ -d /run/systemd/system && -n ${SYSGUEST_ASSETS:-} && -f $SYSGUEST_ASSETS/busybox.tar ]]; }

setup_file() {
	in_guest || return 0
	mkdir -p $WORK /etc/docker /var/lib/docker /var/lib/containerd /var/lib/containers
	for d in /var/lib/docker /var/lib/containerd /var/lib/containers; do
		mountpoint -q $d || mount -t tmpfs tmpfs $d
	done
	cat >/etc/docker/daemon.json <<J
{"runtimes": {"under-test": {"path": "$RUNTIME"}}, "default-runtime": "under-test",
 "iptables": false, "ip-masq": false, "bridge": "none", "storage-driver": "overlay2",
 "exec-opts": ["native.cgroupdriver=systemd"]}
J
	systemctl start containerd docker >&3 2>&1 || true
	docker load -i "$SYSGUEST_ASSETS/busybox.tar" >/dev/null 2>&1 || true
	ctr -n rcpp image import "$SYSGUEST_ASSETS/busybox.tar" >/dev/null 2>&1 || true
	podman load -i "$SYSGUEST_ASSETS/busybox.tar" >/dev/null 2>&1 || true
	# sd_notify sender for the container (busybox has none): static, so it runs in the image
	cat >$WORK/notify.c <<'C'
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(int argc, char **argv) {
	const char *p = getenv("NOTIFY_SOCKET");
	if (!p || argc < 2) return 2;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strncpy(a.sun_path, p, sizeof a.sun_path - 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	return sendto(fd, argv[1], strlen(argv[1]), 0, (struct sockaddr *)&a, sizeof a) < 0;
}
C
	gcc -static -O2 -o $WORK/notify $WORK/notify.c 2>/dev/null || true
}

teardown_file() {
	# nothing of ours may keep bats' output open
	[[ -f $WORK/ctrd.pid ]] && kill "$(cat $WORK/ctrd.pid)" 2>/dev/null
	for u in $(systemctl list-units --plain --no-legend 'rcpp-sdnotify-*' | awk '{ print $1 }'); do systemctl stop "$u"; done
	return 0
}

setup() {
	in_guest || skip "needs the systemd guest (integration/sysguest/run.sh)"
	setup_bundle
	[[ $(basename "$RUNTIME") == runc ]] && RUNTIME_IS_RUNC=1 || RUNTIME_IS_RUNC=0
}

teardown() {
	teardown_bundle
}

scope_prop() { systemctl show -P "$2" "$1"; }
unit_gone() { [[ -z $(systemctl list-units --all --plain --no-legend "$1") ]]; }

@test "docker: the runtime under test is the default runtime, with the systemd cgroup driver" {
	run docker info --format '{{.DefaultRuntime}} {{.CgroupDriver}} {{.CgroupVersion}}'
	assert_status 0
	assert_output "under-test systemd 2"
}

@test "docker run: --memory, --pids-limit and --cpus hold; docker-default AppArmor profile inside" {
	run docker run --rm --network none --memory 64m --pids-limit 50 --cpus 0.5 $IMAGE \
		sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max /proc/self/attr/current'
	assert_status 0
	assert_output "67108864
50
50000 100000
docker-default (enforce)"
}

@test "docker run -d, exec, update, stop: the scope follows" {
	local id scope
	id=$(docker run -d --network none --memory 64m --pids-limit 50 $IMAGE sleep 300)
	scope=docker-$id.scope
	assert_eq "$(systemctl is-active "$scope")" active "$scope"
	assert_eq "$(scope_prop "$scope" MemoryMax)" 67108864 MemoryMax
	assert_eq "$(docker inspect -f '{{.HostConfig.Runtime}}' "$id")" under-test "the container's runtime"
	run docker exec "$id" sh -c 'cat /proc/self/attr/current /sys/fs/cgroup/pids.max'
	assert_status 0
	assert_output "docker-default (enforce)
50"
	run docker update --memory 128m --memory-swap 256m --pids-limit 60 "$id"
	assert_status 0
	assert_eq "$(scope_prop "$scope" MemoryMax)" 134217728 MemoryMax
	assert_eq "$(scope_prop "$scope" TasksMax)" 60 TasksMax
	assert_eq "$(cat /sys/fs/cgroup/system.slice/$scope/memory.max)" 134217728 memory.max
	run docker stop -t 1 "$id"
	assert_status 0
	docker rm "$id" >/dev/null
	unit_gone "$scope" || fail "$scope left"
}

@test "containerd: the stock runc shim with the runtime as its binary and SystemdCgroup" {
	local id=rcpp-ctr-$BATS_TEST_NUMBER scope
	scope=rcpp-ctr-$id.scope
	run ctr -n rcpp run -d --runtime io.containerd.runc.v2 --runc-binary "$RUNTIME" --runc-systemd-cgroup \
		--cgroup "system.slice:rcpp-ctr:$id" --memory-limit 67108864 $IMAGE "$id" sleep 300
	assert_status 0
	assert_eq "$(systemctl is-active "$scope")" active "$scope"
	assert_eq "$(scope_prop "$scope" MemoryMax)" 67108864 MemoryMax
	assert_eq "$(scope_prop "$scope" Delegate)" yes Delegate
	run ctr -n rcpp task exec --exec-id e1 "$id" cat /proc/self/cgroup
	assert_status 0
	assert_output "0::/system.slice/$scope"
	ctr -n rcpp task kill -s KILL "$id"
	for _ in $(seq 50); do [[ $(ctr -n rcpp task ls | awk -v i="$id" '$1 == i { print $3 }') == STOPPED ]] && break; sleep 0.2; done
	ctr -n rcpp task delete "$id"
	ctr -n rcpp container delete "$id"
	unit_gone "$scope" || fail "$scope left"
}

@test "containerd: containerd-shim-runccpp-v2 with SystemdCgroup = true" {
	((RUNTIME_IS_RUNC == 0)) || skip "runc-cpp's own shim"
	local shim=$PROJECT_DIR/build/shim/containerd-shim-runccpp-v2 d=$WORK/ctrd id=rcpp-shim-$BATS_TEST_NUMBER scope pid
	[[ -x $shim ]] || skip "the shim is not built"
	scope=rcpp-shim-$id.scope
	# A private containerd whose io.containerd.runc.v2 is our shim: ctr sends it the same
	# runc options (SystemdCgroup = true) that the CRI plugin sends for runtime_type
	# io.containerd.runccpp.v2 with SystemdCgroup = true.
	# on a tmpfs: the overlayfs snapshotter cannot use the guest's overlay root as upperdir
	mkdir -p $d && mount -t tmpfs tmpfs $d && mkdir -p $d/bin $d/root $d/state
	ln -s "$shim" $d/bin/containerd-shim-runc-v2
	printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "%s/c.sock"\n' $d $d $d >$d/config.toml
	PATH=$d/bin:$PATH containerd --config $d/config.toml </dev/null >$d/log 2>&1 3>&- &
	pid=$!
	echo $pid >$WORK/ctrd.pid
	for _ in $(seq 100); do [[ -S $d/c.sock ]] && break; sleep 0.1; done
	local c="ctr --address $d/c.sock -n rcpp"
	$c image import "$SYSGUEST_ASSETS/busybox.tar" >/dev/null
	run $c run -d --runtime io.containerd.runc.v2 --runc-systemd-cgroup --cgroup "system.slice:rcpp-shim:$id" \
		--memory-limit 67108864 $IMAGE "$id" sleep 300
	assert_status 0
	assert_eq "$(systemctl is-active "$scope")" active "$scope"
	assert_eq "$(scope_prop "$scope" MemoryMax)" 67108864 MemoryMax
	# the shim containerd started is ours (its argv[0] is our link); it runs from a protected
	# copy of itself (CVE-2019-5736 class), so its /proc/<pid>/exe is not the file itself
	local spid argv0
	spid=$(pgrep -f "containerd-shim-runc-v2.*-id $id" | head -1)
	argv0=$(tr '\0' '\n' </proc/"$spid"/cmdline | head -1)
	[[ $(readlink -f "$argv0") == "$(readlink -f "$shim")" ]] ||
		fail "the task does not run under runc-cpp's shim (argv[0] $argv0)"
	run "$PYTHON" "$PROJECT_DIR/integration/lib/exe-protected.py" "$spid"
	assert_status 0
	run $c task exec --exec-id e1 "$id" cat /proc/self/cgroup
	assert_status 0
	assert_output "0::/system.slice/$scope"
	$c task kill -s KILL "$id"
	for _ in $(seq 50); do [[ $($c task ls | awk -v i="$id" '$1 == i { print $3 }') == STOPPED ]] && break; sleep 0.2; done
	$c task delete "$id"
	$c container delete "$id"
	kill $pid; wait $pid 2>/dev/null
	umount -l $d
	unit_gone "$scope" || fail "$scope left"
}

@test "podman: --runtime, cgroup_manager systemd: the limits hold in a libpod scope" {
	run podman --runtime "$RUNTIME" --cgroup-manager systemd run --rm --network none --memory 64m --pids-limit 50 \
		$IMAGE sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /proc/self/cgroup'
	assert_status 0
	assert_contains "$output" "67108864
50"
}

@test "podman --sdnotify=container: READY=1 from the container reaches systemd through the runtime" {
	[[ -x $WORK/notify ]] || skip "no static sd_notify sender (gcc -static failed)"
	local unit=rcpp-sdnotify-$BATS_TEST_NUMBER
	run timeout 150 systemd-run --unit "$unit" -p Type=notify -p NotifyAccess=all -p TimeoutStartSec=100 \
		podman --runtime "$RUNTIME" --cgroup-manager systemd run --rm --network none --sdnotify=container \
		-v $WORK/notify:/notify:ro $IMAGE sh -c 'sleep 1; /notify READY=1; sleep 300'
	assert_status 0
	assert_eq "$(systemctl is-active "$unit")" active "$unit"
	systemctl stop "$unit"
	systemctl reset-failed "$unit" 2>/dev/null || true
}
