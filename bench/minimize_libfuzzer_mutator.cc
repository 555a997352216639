// The second baseline for bench/minimize.sh: libFuzzer's -minimize_crash=1
// with dcfuzz's own schedule-aware mutator (fuzz/target.cc's hooks) instead
// of libFuzzer's byte mutations. Crashes on any finding; kernel variant v4.
//
//   minimize_libfuzzer_mutator -minimize_crash=1 -runs=N -exact_artifact_path=OUT IN.pb
#include <cstdio>
#include <cstdlib>

#include "fuzz/target.h"

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv,
                                   int (*callback)(const uint8_t* data, size_t size));

int main(int argc, char** argv) {
  dcfuzz::TargetOptions options;
  options.on_finding = [](const dcfuzz::pb::Schedule&, const dcfuzz::Execution& execution) {
    std::fprintf(stderr, "dcfuzz finding: %s\n", execution.title.c_str());
    std::abort();
  };
  dcfuzz::set_target(options);
  return LLVMFuzzerRunDriver(&argc, &argv, dcfuzz::run_target_input);
}
