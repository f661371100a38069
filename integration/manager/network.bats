#!/usr/bin/env bats
# Networking through CNI (issue 17 part 2): the default bridge network, published ports,
# --network none|host, networks made with `network create`, the /etc files, bad input.
# Everything talked to is inside namespaces these tests make, or loopback.

load helpers

setup() {
	setup_manager
	[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/portmap ]] || skip "containernetworking-plugins is not installed"
	command -v iptables >/dev/null || skip "iptables is not installed"
	mkdir -p "$TESTDIR/www"
	echo "hello from $TEST_ID" >"$TESTDIR/www/index.html"
}

# cni_chains: the per-container chains of CNI's iptables rules (bridge ipMasq, portmap)
cni_chains() {
	iptables -w -t nat -S | awk '$1 == "-N" && $2 ~ /^CNI-/ && $2 !~ /^CNI-HOSTPORT-/ { print $2 }' | sort
}

get() {
	curl --noproxy '*' -sf --max-time 3 "$@"
}

@test "network: a published port answers on 127.0.0.1 and the container's IP; rm removes the rules" {
	mgr_bg --name mgr-web -p 127.0.0.1:48080:80 -p 48081:80/tcp -v "$TESTDIR/www:/www:ro" "$ROOTFS" httpd -f -p 80 -h /www
	local ip
	ip=$(mgr inspect --format '{{.NetworkSettings.IPAddress}}' mgr-web)
	[[ $ip =~ ^10\.89\.0\.[0-9]+$ ]] || fail "IPAddress '$ip' is not in 10.89.0.0/24"
	assert_eq "$(mgr inspect --format '{{.NetworkSettings.Gateway}}' mgr-web)" 10.89.0.1 "gateway"
	wait_for "get http://$ip/ >/dev/null" 50 || fail "httpd does not answer on $ip:80"
	run get "http://$ip/"
	assert_output "hello from $TEST_ID"
	run get http://127.0.0.1:48080/
	assert_status 0
	assert_output "hello from $TEST_ID"
	run get http://127.0.0.1:48081/
	assert_output "hello from $TEST_ID"
	run mgr ps
	assert_contains "$output" "127.0.0.1:48080->80/tcp, 0.0.0.0:48081->80/tcp"
	iptables -w -t nat -S | grep -q "dport 48080" || fail "no DNAT rule for 48080"
	mgr rm -f mgr-web >/dev/null
	iptables -w -t nat -S | grep -q "dport 4808[01]" && fail "DNAT rules left after rm"
	run get http://127.0.0.1:48080/
	[[ $status -ne 0 ]] || fail "the port still answers after rm"
}

@test "network: containers reach each other on the bridge (nc to httpd); /etc/hosts, resolv.conf, hostname" {
	mgr_bg --name mgr-a --hostname web-a -v "$TESTDIR/www:/www:ro" "$ROOTFS" httpd -f -p 80 -h /www
	local ipa
	ipa=$(mgr inspect --format '{{.NetworkSettings.IPAddress}}' mgr-a)
	run mgr_run --rm --hostname web-b "$ROOTFS" sh -c "
		for i in 1 2 3 4 5 6 7 8 9 10; do printf 'GET / HTTP/1.0\r\n\r\n' | nc $ipa 80 | grep hello && break; sleep 0.2; done
		echo ping_group_range \$(cat /proc/sys/net/ipv4/ping_group_range)
		echo ---; cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; hostname; cat /etc/hostname
		ip -o -4 addr show eth0"
	assert_status 0
	assert_contains "$output" "hello from $TEST_ID"
	# docker's sysctl: unprivileged ICMP echo sockets in a namespace of its own
	assert_contains "$output" "ping_group_range 0 2147483647"
	assert_match "$output" $'127\\.0\\.0\\.1\tlocalhost'
	assert_match "$output" $'10\\.89\\.0\\.[0-9]+\tweb-b'
	assert_match "$output" $'\nweb-b\nweb-b\n'
	assert_match "$output" 'eth0 +inet 10\.89\.0\.[0-9]+/24'
	# the host's resolv.conf, but no loopback nameserver (unreachable from the container)
	local resolv
	resolv=$(awk '/^---$/ { n++; next } n == 2' <<<"$output")
	[[ $resolv == *"nameserver 127."* ]] && fail "a loopback nameserver in the container's resolv.conf: $resolv"
	while read -r ns; do
		[[ $ns == 127.* || $ns == ::1 ]] && continue
		assert_contains "$resolv" "nameserver $ns"
	done < <(awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf)
}

@test "network: --network none has only lo (up); host sees the host's interfaces" {
	run mgr_run --rm --network none "$ROOTFS" sh -c 'ls /sys/class/net; echo ---; ip link show lo'
	assert_status 0
	assert_eq "$(sed '/^---$/,$d' <<<"$output")" lo "interfaces with --network none"
	assert_match "$output" 'LOOPBACK,UP'
	assert_eq "$(mgr ps -aq)" "" "containers left by --rm"
	run mgr_run --rm --network host "$ROOTFS" sh -c 'ls /sys/class/net; echo ---; cat /etc/resolv.conf'
	assert_status 0
	assert_eq "$(sed '/^---$/,$d' <<<"$output")" "$(ls /sys/class/net)" "interfaces with --network host"
	assert_eq "$(sed '1,/^---$/d' <<<"$output")" "$(cat /etc/resolv.conf)" "resolv.conf with --network host"
	run mgr_run --rm --network host -p 48085:80 "$ROOTFS" true
	assert_status 125
	assert_contains "$output" "published ports need a bridge network"
}

@test "network: create, ls, rm; rm refuses a network in use and the default one" {
	run mgr network create --subnet 10.89.77.0/24 mgr-net1
	assert_status 0
	assert_output mgr-net1
	run mgr network ls
	assert_status 0
	assert_match "$output" 'mgr-net1 +bridge +rccpp[0-9]+ +10\.89\.77\.0/24'
	assert_match "$output" 'bridge +bridge +rccpp0 +10\.89\.0\.0/24'
	assert_match "$output" 'none +null'
	local br
	br=$(mgr network ls | awk '$1 == "mgr-net1" { print $3 }')
	run mgr network create mgr-net1
	assert_status 125
	assert_contains "$output" "network with name mgr-net1 already exists"
	run mgr network create --subnet 10.89.77.128/25 mgr-net2
	assert_status 125
	assert_contains "$output" "overlaps with network mgr-net1"
	run mgr network create --subnet 10.89.78.1/24 mgr-net2
	assert_status 125
	assert_contains "$output" "host bits"
	mgr_bg --name mgr-n1 --network mgr-net1 "$ROOTFS" sleep 100
	local ip
	ip=$(mgr inspect --format '{{.NetworkSettings.IPAddress}}' mgr-n1)
	[[ $ip =~ ^10\.89\.77\.[0-9]+$ ]] || fail "IPAddress '$ip' is not in mgr-net1's subnet"
	ip -o link show "$br" >/dev/null || fail "no bridge $br"
	run mgr network rm mgr-net1
	assert_status 1
	assert_contains "$output" "network mgr-net1 is in use by container ${CID:0:12}"
	run mgr network rm bridge
	assert_status 1
	assert_contains "$output" "pre-defined network"
	mgr rm -f mgr-n1 >/dev/null
	run mgr network rm mgr-net1
	assert_status 0
	ip -o link show "$br" >/dev/null 2>&1 && fail "bridge $br left after network rm"
	run mgr network ls -q
	assert_output "$(printf 'bridge\nhost\nnone')"
	run mgr network rm mgr-net1
	assert_status 1
	assert_contains "$output" "network mgr-net1 not found"
}

@test "network: bad input is refused (125) and leaves nothing behind" {
	local before
	before=$(cni_chains)
	mgr_bg --name mgr-holder -p 48090:80 "$ROOTFS" sleep 100
	local args want
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086
		run mgr_run $args "$ROOTFS" true
		assert_status 125
		assert_contains "$output" "$want"
	done <<-'EOF2'
		-p abc|invalid port mapping "abc"
		-p 0:80|host port "0" is not a number in 1-65535
		-p 65536:80|host port "65536"
		-p 8080:70000|container port "70000"
		-p 8080:80/sctp|protocol must be tcp or udp
		--network nosuch|network nosuch not found
		--network ../x|invalid network name
		-p 48090:81|Bind for 0.0.0.0:48090 failed: port is already allocated
		-p 48091:80 -p 48091:81|port is already allocated
	EOF2
	# a host process holding the port
	busybox nc -l -p 48092 >/dev/null 2>&1 &
	local nc=$!
	wait_for "busybox netstat -ltn | grep -q ':48092 '" 30
	run mgr_run -p 48092:80 "$ROOTFS" true
	kill "$nc" 2>/dev/null
	wait "$nc" 2>/dev/null || true
	assert_status 125
	assert_contains "$output" "port is already in use by a host process"
	# a CNI ADD that fails after the bridge plugin did its part: everything is undone
	mkdir "$TESTDIR/cni"
	for p in /usr/lib/cni/*; do ln -s "$p" "$TESTDIR/cni/"; done
	rm "$TESTDIR/cni/portmap"
	cat >"$TESTDIR/cni/portmap" <<-'EOF2'
		#!/bin/sh
		if [ "$CNI_COMMAND" = ADD ]; then
			echo '{"cniVersion":"1.0.0","code":11,"msg":"portmap refused","details":"by the test"}'
			exit 1
		fi
		exec /usr/lib/cni/portmap
	EOF2
	chmod +x "$TESTDIR/cni/portmap"
	local leases
	leases=$(ls /var/lib/cni/networks/runccpp-rccpp0 | sort)
	run env CNI_PATH="$TESTDIR/cni" "$MANAGER" --root "$MROOT" run --cgroup-parent "$CGPARENT" -p 48093:80 "$ROOTFS" true
	assert_status 125
	assert_contains "$output" "CNI portmap ADD: portmap refused: by the test"
	assert_eq "$(ls /var/lib/cni/networks/runccpp-rccpp0 | sort)" "$leases" "IP leases after a failed ADD"

	assert_eq "$(mgr ps -aq --no-trunc)" "$CID" "containers"
	assert_eq "$(ls "$MROOT/netns")" "$CID" "network namespaces"
	assert_eq "$(ls -d "$MROOT"/[0-9a-f]*/ | wc -l)" 1 "container dirs"
	mgr rm -f mgr-holder >/dev/null
	assert_eq "$(cni_chains)" "$before" "CNI chains"
}
