# Sourced by run.sh --inner, inside `unshare -m --propagation private`.
# Expects RUNC_CPP CRUN RUNC quick scratch repo here MANY in the environment.
set -euo pipefail

prefix=rcppbench-$$
declare -A rt=([runc-cpp]=$RUNC_CPP [crun]=$CRUN [runc]=$RUNC)

inner_cleanup() {
	local rc=$?
	set +e
	# Containers first (each runtime's own root), then any cgroup a runtime left behind.
	local name id
	for name in "${!rt[@]}"; do
		for id in "$scratch/state/$name"/"$prefix"*; do
			[[ -e $id ]] || continue
			"${rt[$name]}" --root "$scratch/state/$name" delete --force "$(basename "$id")" >/dev/null 2>&1
		done
	done
	find /sys/fs/cgroup/ -mindepth 2 -depth -type d -name "$prefix*" -exec rmdir {} + 2>/dev/null
	exit $rc
}
trap inner_cleanup EXIT

# A v1-only cgroup layout for everybody: a private tmpfs with the host's v1 hierarchies
# moved into it, without /sys/fs/cgroup/unified.
stage=$scratch/cgroupfs
mkdir -p "$stage"
mount -t tmpfs -o mode=755 bench-cgroup "$stage"
while read -r mp fstype; do
	[[ $fstype == cgroup ]] || continue
	name=${mp#/sys/fs/cgroup/}
	mkdir -p "$stage/$name"
	mount --move "$mp" "$stage/$name"
done < <(awk '$2 ~ "^/sys/fs/cgroup/" {print $2, $3}' /proc/self/mounts)
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
umount /sys/fs/cgroup
mount --move "$stage" /sys/fs/cgroup

# One rootfs, two configs (true and sleep), shared by all three runtimes.
bundle=$scratch/bundle
bash "$repo/integration/lib/make-bundle.sh" "$bundle" >/dev/null
python3 "$here/bundle.py" "$bundle"

# Each runtime must work here before anything is measured.
for name in runc-cpp crun runc; do
	mkdir -p "$scratch/state/$name"
	if ! out=$("${rt[$name]}" --root "$scratch/state/$name" run --bundle "$bundle/true" "$prefix-check" 2>&1); then
		echo "run.sh: $name cannot run the bench bundle here: $out" >&2
		exit 1
	fi
done

versions=$scratch/versions.txt
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc)"
	echo "mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
	echo "runc-cpp=$("$RUNC_CPP" --version | head -1) (${RUNC_CPP_REV:-$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')})"
	echo "crun=$("$CRUN" --version | head -1)"
	echo "runc=$("$RUNC" --version | head -1)"
	echo "unshare=$(unshare --version | head -1)"
	echo "nsenter=$(nsenter --version | head -1)"
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$versions"

if ((quick)); then
	runs=(--runs 20 --lifecycle-runs 10 --exec-runs 10 --warmup 2)
	traces=3
else
	runs=(--runs 100 --lifecycle-runs 50 --exec-runs 50 --warmup 5)
	traces=10
fi
many_args=()
for n in $MANY; do many_args+=(--many "$n"); done

ulimit -n 65536 2>/dev/null || true
# Other work on the machine (builds, tests) competes for the CPUs: the harness and the
# runtimes it starts run at nice -20, the same for all three.
nice -n -20 python3 "$here/harness.py" --scratch "$scratch" --prefix "$prefix" \
	--bundle-true "$bundle/true" --bundle-sleep "$bundle/sleep" \
	--runtime "runc-cpp=$RUNC_CPP" --runtime "crun=$CRUN" --runtime "runc=$RUNC" \
	--floor-unshare "$(command -v unshare)" --floor-nsenter "$(command -v nsenter)" \
	"${runs[@]}" "${many_args[@]}" --out "$scratch/results.json"
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$versions"
cp "$versions" "$scratch/versions.env"

# Where runc-cpp's own time goes: traced runs of `run`, split into phases.
echo "bench: tracing runc-cpp run ($traces times) ..." >&2
for i in $(seq 1 "$traces"); do
	strace -f -ttt -T -s 256 -o "$scratch/trace.$i" \
		"$RUNC_CPP" --root "$scratch/state/runc-cpp" run --bundle "$bundle/true" "$prefix-trace" >/dev/null
done
strace -c -f -o "$scratch/strace-c.txt" \
	"$RUNC_CPP" --root "$scratch/state/runc-cpp" run --bundle "$bundle/true" "$prefix-trace" >/dev/null
python3 "$here/breakdown.py" --out "$scratch/breakdown.json" --summary "$scratch/strace-c.txt" "$scratch"/trace.*
