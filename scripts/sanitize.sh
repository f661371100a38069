#!/usr/bin/env bash
# ASan + UBSan build (build-asan/) of the unit tests and the CLI, then: the unit tests (the
# [root] ones too when run as root) and bats integration files with RUNTIME pointing at the
# sanitized runc-cpp. This is the `== sanitizers` tier of scripts/test.sh (CI).
#
#   bash scripts/sanitize.sh                      # unit tests + the whole bats suite (CI)
#   SANITIZE_BATS=0 bash scripts/sanitize.sh      # unit tests only
#   SANITIZE_BATS=subset bash scripts/sanitize.sh # unit tests + a quicker subset of bats files
#   SANITIZE_BATS=subset SANITIZE_BATS_FILES="exec fds" bash scripts/sanitize.sh
#
# The whole suite fits the tier's budget (docs/reliability.md: about 16 min cold on 2 cores,
# 6 min with the build up to date). The subset is for a quick local check: the files that
# carry every call the clients make (create/start/state/kill/delete/run, exec, a terminal,
# hooks, cgroup update).
# Sanitizer reports of the CLI go to files (log_path), not to stderr, so that the bats tests'
# output checks are not disturbed; every report file counts as a failure and is printed.
# The container init is a clone of the runtime without exec until its final execve, so ASan
# runs there too; reports from it land in the same place.
# The last line is "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
out=build-asan
tier_start=$(date +%s)

# shellcheck source=lib/counts.sh
source scripts/lib/counts.sh
finish() {
    echo "== sanitizer tier took $(( $(date +%s) - tier_start )) s (build ${build_secs:-?} s)"
    echo "$passed passed, $failed failed, $skipped skipped"
    ((failed == 0))
    exit
}

echo "== sanitizer build ($out: -Db_sanitize=address,undefined)"
if [ ! -f "$out/build.ninja" ]; then
    # b_lundef=false: the sanitizer runtimes resolve symbols at load time.
    # -O1 and line tables only (-g1): ASan's recommended level, and a quicker build on 2 cores.
    meson setup "$out" -Db_sanitize=address,undefined -Db_lundef=false \
        -Doptimization=1 -Ddebug=false -Dcpp_args=-g1 \
        >/tmp/rcpp-asan-setup.log 2>&1 || { tail -20 /tmp/rcpp-asan-setup.log; add 0 1; finish; }
fi
build_start=$(date +%s)
blog=$(ninja -C "$out" tests/unit-tests runc-cpp/runc-cpp 2>&1)
brc=$?
build_secs=$(( $(date +%s) - build_start ))
if ((brc)); then
    echo "$blog" | tail -40
    add 0 1
    finish
fi

reports=$(mktemp -d /tmp/rcpp-asan.XXXXXX)
trap 'rm -rf "$reports"' EXIT
# halt_on_error for UBSan: any undefined behaviour is a failure, not a warning.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
asan_common="detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1:log_path=$reports/asan"


# report_check WHAT: each sanitizer report file written since the last call is a failure.
report_check() {
    local f n=0
    for f in "$reports"/*; do
        [ -e "$f" ] || continue
        echo "sanitizer report from $1 ($f):"
        head -40 "$f"
        n=$((n + 1))
        rm -f "$f"
    done
    ((n)) && add 0 "$n"
    return 0
}

echo "== unit tests (sanitized)"
out_u=$(ASAN_OPTIONS="$asan_common:detect_leaks=1" "$out/tests/unit-tests" '~[root]' 2>&1)
rc=$?
tail -2 <<<"$out_u"; ((rc)) && tail -60 <<<"$out_u"
catch_counts "$out_u"
report_check "unit tests"

if [ "$(id -u)" = 0 ]; then
    echo "== root unit tests (sanitized)"
    # These fork and clone children that _exit; leak checking stays on for the parent.
    out_r=$(ASAN_OPTIONS="$asan_common:detect_leaks=1" "$out/tests/unit-tests" '[root]' 2>&1)
    rc=$?
    tail -2 <<<"$out_r"; ((rc)) && tail -60 <<<"$out_r"
    catch_counts "$out_r"
    report_check "root unit tests"
else
    echo "SKIP: root unit tests need root"; add 0 0 1
fi

bats_mode=${SANITIZE_BATS:-all}
bats_files=()
if [ "$bats_mode" = all ] || [ "$bats_mode" = 1 ]; then
    bats_files=(integration/*.bats)
elif [ "$bats_mode" = subset ]; then
    for f in ${SANITIZE_BATS_FILES:-cli lifecycle exec terminal hooks cgroups}; do bats_files+=("integration/$f.bats"); done
fi
if [ "$(id -u)" = 0 ] && ((${#bats_files[@]})); then
    echo "== integration (bats: ${bats_files[*]}) against the sanitized runc-cpp"
    # The CLI is short-lived: leaks are checked at its exit (exitcode 23 fails the call, and
    # the report file is counted below).
    # visibility.bats counts execs in a fixed time: a sanitized exec is about 30x slower
    # (measured: 162 execs in 25 s against 5536 unsanitized), so it asks for less and scans longer.
    out_b=$(ASAN_OPTIONS="$asan_common:detect_leaks=1" SCAN_SECONDS=40 VIS_MIN_EXECS=10 VIS_MIN_SCANNED=20 \
        RUNTIME="$PWD/$out/runc-cpp/runc-cpp" bash integration/run.sh "${bats_files[@]}" 2>&1)
    echo "$out_b" | grep -E "^(ok .* # skip)" | head -30
    # each failure with its diagnostics (the "# " lines bats prints under it)
    echo "$out_b" | awk '/^not ok/ { n = 14; print; next } n > 0 && /^#/ { print; n--; next } { n = 0 }' | head -120
    tail -1 <<<"$out_b"
    summary_counts "$out_b"
    report_check "integration"
else
    echo "SKIP: sanitized integration tests need root (and SANITIZE_BATS not 0)"; add 0 0 1
fi

finish
