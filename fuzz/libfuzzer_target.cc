// dcfuzz_fuzzer: the target of a campaign's workers (fuzz/target.h) as a
// libFuzzer-convention fuzz target, linked with libFuzzer's own main, so that
// libFuzzer's flags (-runs, -max_total_time, -jobs/-workers, -fork, -merge,
// -artifact_prefix, corpus directories), ClusterFuzzLite and OSS-Fuzz run it.
// The schedule-aware mutator and crossover come with the target (target.cc).
//
// Inputs: binary schedules; text format (a seed corpus of .textproto files)
// is accepted too. libFuzzer without a corpus starts from an input of at most
// one byte, and stops at once unless it shows coverage: that input runs the
// first shipped seed (none has a finding by itself: tests/fuzz_seeds_test.cc),
// and the mutator starts from the shipped seeds (TargetOptions::start_seeds).
//
// Kernel variant: $DCFUZZ_KERNEL, else the first word of the file
// dcfuzz_fuzzer.kernel beside the binary, else v4. A bad name is one line
// on stderr and exit 2.
//
// A finding is a crash: its report (what `dcfuzz replay` of the input prints)
// goes to stderr, then the process aborts, so libFuzzer writes the input as
// crash-<sha1>. The abort goes through one function per finding title
// (crash_in_* below), so fuzzing infrastructure that tells crashes apart by
// their stack keeps the buckets apart.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/scenario.h"
#include "fuzz/shipped_seeds.h"
#include "fuzz/target.h"
#include "reports/report.h"
#include "schedules/normalize.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

// The titles the model and the engine can end in. A title of one of the
// families not listed exactly (an invariant rule, a function) falls to its
// family's function; a title of no family to crash_in_other.
#define DCFUZZ_CRASH_TITLES(X)                                                                 \
  X(lost_wakeup_in_d_move, "BUG: lost wakeup in __d_move")                                     \
  X(lost_wakeup, "BUG: lost wakeup in ")                                                       \
  X(bad_unlock_balance, "WARNING: bad unlock balance detected!")                               \
  X(task_hung_in_d_wait_lookup, "INFO: task hung in d_wait_lookup")                            \
  X(engine_deadlock, "INFO: task hung: every task blocked")                                    \
  X(task_hung, "INFO: task hung in ")                                                          \
  X(livelock, "INFO: task livelock")                                                           \
  X(two_hashed_dentries, "BUG: dcache invariant: two hashed dentries for one name")            \
  X(in_lookup_beside_hashed, "BUG: dcache invariant: in-lookup dentry beside a hashed one")    \
  X(two_in_lookup_dentries, "BUG: dcache invariant: two in-lookup dentries for one name")      \
  X(in_lookup_dentry_freed, "BUG: dcache invariant: in-lookup dentry freed")                   \
  X(moved_dentry_in_lookup, "BUG: dcache invariant: moved dentry in lookup")                   \
  X(dget_of_dead_dentry, "BUG: dcache invariant: dget of a dead dentry")                       \
  X(par_lookup_cleared_by_non_owner, "BUG: dcache invariant: PAR_LOOKUP cleared by non-owner") \
  X(reference_leaked, "BUG: dcache invariant: reference leaked at exit")                       \
  X(lock_depth, "BUG: dcache invariant: lock depth")                                           \
  X(lock_order, "BUG: dcache invariant: lock order")                                           \
  X(dcache_invariant, "BUG: dcache invariant: ")                                               \
  X(data_race, "KCSAN: ")                                                                      \
  X(use_after_free, "KASAN: use-after-free")                                                   \
  X(invalid_free, "KASAN: double-free")                                                        \
  X(uninitialised_read, "BUG: uninitialised read")                                             \
  X(memory_leak, "BUG: memory leak")                                                           \
  X(engine_check, "BUG: engine check failed")

pb::Kernel g_kernel = pb::V4;

[[noreturn]] void crash(const std::string& report, int which) {
  std::fprintf(stderr,
               "==== dcfuzz finding ====\n%s==== end of dcfuzz finding ====\n"
               "dcfuzz: the input replays with `dcfuzz replay FILE --kernel %s` (FILE: the crash "
               "file libFuzzer writes next)\n",
               report.c_str(), kernel_name(Kernel(int(g_kernel))));
  std::fflush(stderr);
  (void)which;
  std::abort();
}

// One out-of-line frame per title, each with its own body (its number), so
// that neither the inliner nor identical-code folding merges two of them.
enum CrashId {
#define DCFUZZ_ID(name, prefix) crash_id_##name,
  DCFUZZ_CRASH_TITLES(DCFUZZ_ID)
#undef DCFUZZ_ID
      crash_id_other
};
#define DCFUZZ_FRAME(name, prefix)                                                 \
  [[noreturn]] __attribute__((noinline, disable_tail_calls)) void crash_in_##name( \
      const std::string& report) {                                                 \
    crash(report, crash_id_##name);                                                \
  }
DCFUZZ_CRASH_TITLES(DCFUZZ_FRAME)
DCFUZZ_FRAME(other, "")
#undef DCFUZZ_FRAME

struct CrashFrame {
  const char* prefix;
  void (*frame)(const std::string&);
};
const CrashFrame kCrashFrames[] = {
#define DCFUZZ_ENTRY(name, prefix) {prefix, crash_in_##name},
    DCFUZZ_CRASH_TITLES(DCFUZZ_ENTRY)
#undef DCFUZZ_ENTRY
};

// The first entry whose text the title starts with (exact titles come
// before their family).
[[noreturn]] void crash_for(const std::string& title, const std::string& report) {
  for (const auto& entry : kCrashFrames) {
    if (title.compare(0, std::strlen(entry.prefix), entry.prefix) == 0) entry.frame(report);
  }
  crash_in_other(report);
}

[[noreturn]] void bad_setting(const std::string& message) {
  std::fprintf(stderr, "dcfuzz: %s\n", message.c_str());
  std::exit(2);
}

// $DCFUZZ_KERNEL, else dcfuzz_fuzzer.kernel beside the binary, else v4.
pb::Kernel configured_kernel() {
  std::string name, where;
  if (const char* env = std::getenv("DCFUZZ_KERNEL"); env && *env) {
    name = env;
    where = "DCFUZZ_KERNEL";
  } else {
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const std::string path = n > 0 ? std::string(exe, size_t(n)) + ".kernel" : "";
    std::string text, error;
    if (!path.empty() && access(path.c_str(), F_OK) == 0) {
      if (!read_file(path, &text, &error, 4096)) bad_setting(error);
      const size_t begin = text.find_first_not_of(" \t\r\n");
      const size_t end = text.find_first_of(" \t\r\n", begin);
      name = begin == std::string::npos ? "" : text.substr(begin, end - begin);
      where = path;
    }
  }
  if (name.empty() && where.empty()) return pb::V4;
  pb::Kernel kernel;
  if (!kernel_from_name(name, &kernel)) {
    bad_setting(where + ": unknown kernel variant '" + name + "' (one of " + kernel_names() + ")");
  }
  return kernel;
}

}  // namespace
}  // namespace dcfuzz

// Under AddressSanitizer (ClusterFuzzLite and OSS-Fuzz builds): Relacy's
// headers replace the global operator new with a malloc of their own in the
// code that includes them, and inline code shared with other code (a
// std::vector's growth) then frees with ASan's operator delete: a
// malloc/delete pair ASan reports although both ends are malloc and free.
// Leaks: the engine's caches live for the process.
extern "C" const char* __asan_default_options() {
  return "alloc_dealloc_mismatch=0:detect_leaks=0";
}

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  using namespace dcfuzz;
  TargetOptions options;
  options.kernel = configured_kernel();
  g_kernel = options.kernel;
  options.stamp_kernel = true;
  for (const auto& seed : shipped_seeds()) {
    pb::Schedule schedule;
    std::string error;
    if (!parse_schedule(seed.bytes(), &schedule, &error)) continue;
    normalize(&schedule);
    schedule.mutable_scenario()->set_kernel(options.kernel);
    options.start_seeds.push_back(to_binary(schedule));
  }
  options.on_finding = [](const pb::Schedule& schedule, const Execution& found) {
    // What `dcfuzz replay` prints for this input.
    const Execution traced = run_schedule_traced(schedule);
    std::string report = format_report(canonical_schedule(schedule, traced), traced);
    if (!traced.found || traced.title != found.title) {
      report = "dcfuzz engine error: an execution ended in '" + found.title +
               "' but its schedule does not replay to it; the replay:\n" + report;
    }
    crash_for(found.title, report);
  };
  set_target(options);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // -1: an input that does not parse; libFuzzer keeps it out of the corpus.
  return dcfuzz::run_target_input(data, size);
}
