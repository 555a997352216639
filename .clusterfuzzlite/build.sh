#!/bin/bash -eu
# Builds dcfuzz_fuzzer for ClusterFuzzLite and OSS-Fuzz: compiler, flags and
# fuzzing engine from their environment ($CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE), the source in $SRC/dcfuzz, the result in $OUT.
#
# libFuzzer's edge coverage stays on the model (core/) alone, as in every
# dcfuzz build: instrumenting Relacy and the standard library multiplies the
# counters and hides the interleavings that matter. So the global
# -fsanitize=fuzzer-no-link is taken out; the sanitizers (address,
# undefined) and coverage-report flags stay.
src=${DCFUZZ_SRC:-$SRC/dcfuzz}
build=$WORK/dcfuzz-build
strip_coverage() { echo "${1//-fsanitize=fuzzer-no-link/}"; }
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$(strip_coverage "$CFLAGS")" -DCMAKE_CXX_FLAGS="$(strip_coverage "$CXXFLAGS")" \
  -DDCFUZZ_FUZZER_ONLY=ON -DDCFUZZ_WERROR=OFF -DDCFUZZ_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
  -DProtobuf_USE_STATIC_LIBS=ON
cmake --build "$build" --target dcfuzz_fuzzer -j"$(nproc)"
cp "$build/dcfuzz_fuzzer" "$OUT/"

# The shipped seeds are in the binary too; as a seed corpus they give the
# infrastructure's corpus pruning and coverage reports a start.
rm -f "$OUT/dcfuzz_fuzzer_seed_corpus.zip"
(cd "$src/corpus/seeds" && zip -q -j "$OUT/dcfuzz_fuzzer_seed_corpus.zip" ./*)
cat > "$OUT/dcfuzz_fuzzer.options" <<'OPTIONS'
[libfuzzer]
max_len = 4096
len_control = 0
detect_leaks = 0
cross_over = 0
OPTIONS

# One copy of the target per extra kernel variant, each told its variant by
# a flag file beside it: DCFUZZ_EXTRA_KERNELS="v4-fixed mainline" (default: v4 only).
for kernel in ${DCFUZZ_EXTRA_KERNELS:-}; do
  name=dcfuzz_fuzzer_${kernel//-/_}
  cp "$OUT/dcfuzz_fuzzer" "$OUT/$name"
  echo "$kernel" > "$OUT/$name.kernel"
  cp "$OUT/dcfuzz_fuzzer_seed_corpus.zip" "$OUT/${name}_seed_corpus.zip"
  cp "$OUT/dcfuzz_fuzzer.options" "$OUT/$name.options"
done
