#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each one for a
# bounded time on a copy of its seed corpus.
#
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Targets: config process resources validate state argv (default: all). SECONDS defaults to 20.
# New inputs that libFuzzer finds stay in build-fuzz/corpus/<target>/ (not in the repo); a
# crash leaves its reproducer in build-fuzz/artifacts/<target>/ and fails that target.
# Reproduce one:  build-fuzz/fuzz_<target> build-fuzz/artifacts/<target>/crash-...
# Then copy the file to tests/fuzz_regress/inputs/<target>/ (the replay unit test runs it).
# The last line is "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-20}
shift || true
targets=("$@")
all_targets=(config process resources validate state argv)
((${#targets[@]})) || targets=("${all_targets[@]}")
out=build-fuzz

# libstdc++ 12's <expected> needs clang 16 or newer (and its feature-test macro for concepts,
# which clang 16 reports as C++20's older value although it implements what <expected> needs).
cxx=
for c in clang++-19 clang++-18 clang++-17 clang++-16; do
    command -v "$c" >/dev/null && { cxx=$c; break; }
done
if [ -z "$cxx" ]; then
    echo "SKIP: fuzzing needs clang++ 16 or newer with compiler-rt (apt-get install clang-16 libclang-rt-16-dev)"
    echo "0 passed, 0 failed, ${#targets[@]} skipped"
    exit 0
fi

mkdir -p "$out"
cflags="-std=c++2b -D_GNU_SOURCE -Wno-macro-redefined -Wno-builtin-macro-redefined"
cflags+=" -D__cpp_concepts=202002L -g -O1 -fno-omit-frame-pointer"
cflags+=" -fsanitize=address,undefined -fno-sanitize-recover=undefined"
for d in base/include libcontainer/include spec/include libcontainer/src spec/src tests/fuzz; do cflags+=" -I$PWD/$d"; done
lib_src=(base/src/*.cc spec/src/*.cc libcontainer/src/state/record.cc)
# The argv target: the CLI's pure parsing layer and (uninstrumented) Boost.Program_options.
argv_src=(runc-cpp/argv.cc)

# A small ninja file: objects get -fsanitize=fuzzer-no-link, targets link the fuzzer main.
{
    echo "root = $PWD"
    echo "rule cxx"
    echo "  command = $cxx $cflags -fsanitize=fuzzer-no-link -MD -MF \$out.d -c \$in -o \$out"
    echo "  depfile = \$out.d"
    echo "  deps = gcc"
    echo "rule link"
    echo "  command = $cxx $cflags -fsanitize=fuzzer \$in -o \$out -lyajl -l:libboost_program_options.a"
    objs=() argv_objs=()
    for s in "${lib_src[@]}" "${argv_src[@]}"; do
        o=obj/${s//\//_}.o
        echo "build $o: cxx \$root/$s"
        if [[ " ${argv_src[*]} " == *" $s "* ]]; then argv_objs+=("$o"); else objs+=("$o"); fi
    done
    for t in "${all_targets[@]}"; do
        echo "build obj/fuzz_$t.o: cxx \$root/tests/fuzz/fuzz_$t.cc"
        if [ "$t" = argv ]; then
            echo "build fuzz_$t: link obj/fuzz_$t.o ${argv_objs[*]}"
        else
            echo "build fuzz_$t: link obj/fuzz_$t.o ${objs[*]}"
        fi
    done
} >"$out/build.ninja.new"
cmp -s "$out/build.ninja.new" "$out/build.ninja" || mv "$out/build.ninja.new" "$out/build.ninja"
rm -f "$out/build.ninja.new"

echo "== building fuzz targets with $cxx"
if ! blog=$(ninja -C "$out" "${targets[@]/#/fuzz_}" 2>&1); then
    echo "$blog" | tail -40
    echo "fuzz build failed"
    echo "0 passed, ${#targets[@]} failed, 0 skipped"
    exit 1
fi

# Stack traces with function names (libFuzzer looks for llvm-symbolizer next to clang).
for sym in "${cxx/clang++/llvm-symbolizer}" llvm-symbolizer; do
    command -v "$sym" >/dev/null && { export ASAN_SYMBOLIZER_PATH=$(command -v "$sym"); break; }
done

passed=0 failed=0
for t in "${targets[@]}"; do
    work=$out/corpus/$t art=$out/artifacts/$t
    mkdir -p "$work" "$art"
    # The reproducers of past crashes are seeds too, so a regression shows at once.
    seeds=(tests/fuzz/corpus/$t)
    [ -d tests/fuzz_regress/inputs/$t ] && seeds+=(tests/fuzz_regress/inputs/$t)
    log=$out/$t.log
    dict=tests/fuzz/json.dict
    [ "$t" = argv ] && dict=tests/fuzz/argv.dict
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -dict="$dict" -artifact_prefix="$art/" -print_final_stats=1 \
        "$work" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    if ((rc == 0)); then
        echo "ok fuzz_$t: ${runs:-?} runs in ${secs}s, $cov, corpus $(ls "$work" | wc -l)"
        passed=$((passed + 1))
    else
        echo "not ok fuzz_$t (exit $rc): see $log"
        grep -E 'ERROR|SUMMARY|runtime error|property broken|Test unit written' "$log" | head -10
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, 0 skipped"
((failed == 0))
