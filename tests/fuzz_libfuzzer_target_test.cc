// dcfuzz_fuzzer, the libFuzzer-convention target, end to end: libFuzzer's own
// flags; a finding is a crash whose file `dcfuzz replay` reproduces byte for
// byte; -fork and -merge work; the kernel comes from $DCFUZZ_KERNEL.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

namespace fs = std::filesystem;
using testing::run_dcfuzz;
using testing::slurp;

// A fresh directory for one test.
std::string fresh_dir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "dcfuzz_fuzzer_" + name + "_" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs dcfuzz_fuzzer with `env` (assignments) and `args` in `dir`; its
// output goes to DIR/log. Returns the exit status.
int run_fuzzer(const std::string& dir, const std::string& env, const std::string& args) {
  const std::string command = "cd " + dir + " && env " + env + " " + DCFUZZ_FUZZER_BIN + " " +
                              args + " >log 2>&1 </dev/null";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> files_starting(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) files.push_back(e.path().string());
  }
  return files;
}

// The report the target printed before it aborted.
std::string printed_report(const std::string& log) {
  const std::string begin = "==== dcfuzz finding ====\n", end = "==== end of dcfuzz finding";
  const size_t from = log.find(begin);
  if (from == std::string::npos) return "";
  const size_t to = log.find(end, from);
  return to == std::string::npos ? "" : log.substr(from + begin.size(), to - from - begin.size());
}

// The crash file of a run, replayed: the same report, byte for byte.
void expect_crash_replays(const std::string& dir) {
  const auto crashes = files_starting(dir, "crash-");
  ASSERT_EQ(crashes.size(), 1u) << slurp(dir + "/log");
  const std::string report = printed_report(slurp(dir + "/log"));
  ASSERT_FALSE(report.empty()) << slurp(dir + "/log");
  auto replay = run_dcfuzz("replay " + crashes[0]);
  EXPECT_EQ(replay.exit_code, 1) << replay.err;
  EXPECT_EQ(replay.out, report);
}

// No corpus at all (the shipped seeds are in the binary), default kernel v4,
// bounded by -runs and -max_total_time: a finding within a second or so.
TEST(LibFuzzerTarget, FindsABugOnV4AndItsCrashFileReplays) {
  const std::string dir = fresh_dir("runs");
  EXPECT_NE(run_fuzzer(dir, "", "-seed=1 -runs=200000 -max_total_time=60 -artifact_prefix=./"), 0);
  expect_crash_replays(dir);
  fs::remove_all(dir);
}

TEST(LibFuzzerTarget, ForkModeWritesACrashThatReplays) {
  const std::string dir = fresh_dir("fork");
  EXPECT_NE(
      run_fuzzer(dir, "", "-seed=2 -fork=2 -runs=200000 -max_total_time=60 -artifact_prefix=./"),
      0);
  // Both inner processes may crash before the parent stops them (a loaded
  // machine): each crash file replays, and the report the log shows first
  // is one of theirs.
  const auto crashes = files_starting(dir, "crash-");
  ASSERT_GE(crashes.size(), 1u) << slurp(dir + "/log");
  ASSERT_LE(crashes.size(), 2u) << slurp(dir + "/log");
  // The parent shows the inner process's log, the report included.
  const std::string report = printed_report(slurp(dir + "/log"));
  bool shown = false;
  for (const std::string& crash : crashes) {
    auto replay = run_dcfuzz("replay " + crash);
    EXPECT_EQ(replay.exit_code, 1) << replay.err;
    shown = shown || replay.out == report;
  }
  EXPECT_TRUE(shown) << report;
  fs::remove_all(dir);
}

// -merge=1: the shipped seeds (text format) into an empty corpus directory.
TEST(LibFuzzerTarget, MergeKeepsTheSeedsCoverage) {
  const std::string dir = fresh_dir("merge");
  fs::create_directories(dir + "/merged");
  EXPECT_EQ(run_fuzzer(dir, "", "-merge=1 merged " + testing::source_path("corpus/seeds")), 0)
      << slurp(dir + "/log");
  EXPECT_GE(files_starting(dir + "/merged", "").size(), 1u) << slurp(dir + "/log");
  EXPECT_NE(slurp(dir + "/log").find("MERGE-OUTER"), std::string::npos);
  fs::remove_all(dir);
}

// The kernel from the environment: mainline has none of the bugs, so the
// same bounded run finds nothing; a wrong name is one line and exit 2.
TEST(LibFuzzerTarget, KernelFromTheEnvironment) {
  const std::string dir = fresh_dir("mainline");
  EXPECT_EQ(run_fuzzer(dir, "DCFUZZ_KERNEL=mainline", "-seed=1 -runs=3000 -artifact_prefix=./"), 0)
      << slurp(dir + "/log");
  EXPECT_TRUE(files_starting(dir, "crash-").empty());
  EXPECT_EQ(run_fuzzer(dir, "DCFUZZ_KERNEL=v5", "-runs=10"), 2);
  const std::string log = slurp(dir + "/log");
  EXPECT_EQ(log, "dcfuzz: DCFUZZ_KERNEL: unknown kernel variant 'v5' (one of " +
                     std::string("mainline, v4, v4-fixed, v4-fix-move, v4-fix-add-ci, v4-all, ") +
                     "v4-all-fixed, next)\n");
  fs::remove_all(dir);
}

// Without $DCFUZZ_KERNEL: the flag file dcfuzz_fuzzer.kernel beside the binary.
TEST(LibFuzzerTarget, KernelFromAFlagFile) {
  const std::string dir = fresh_dir("flag_file");
  fs::copy_file(DCFUZZ_FUZZER_BIN, dir + "/dcfuzz_fuzzer");
  std::ofstream(dir + "/dcfuzz_fuzzer.kernel") << "mainline\n";
  const std::string run = "cd " + dir + " && ./dcfuzz_fuzzer -seed=1 -runs=3000 >log 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(run.c_str())), 0) << slurp(dir + "/log");
  EXPECT_TRUE(files_starting(dir, "crash-").empty());
  std::ofstream(dir + "/dcfuzz_fuzzer.kernel") << "v5\n";
  EXPECT_EQ(WEXITSTATUS(std::system(run.c_str())), 2);
  EXPECT_NE(slurp(dir + "/log").find("dcfuzz_fuzzer.kernel: unknown kernel variant 'v5'"),
            std::string::npos)
      << slurp(dir + "/log");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dcfuzz
