// The text report and bucket names, on a hand-built execution (no model
// needed), and on the real regression reproducers through `dcfuzz replay`.
#include "reports/report.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "tests/run_binary.h"

namespace dcfuzz {
namespace testing {

// A wrong-waiter finding as the model reports it, written by hand. Shared
// with swimlane_test.cc.
pb::Schedule sample_schedule() {
  pb::Schedule s;
  google::protobuf::TextFormat::ParseFromString(R"(
    scenario { kernel: V4
      tree { name: "d" dir: true disconnected_alias: true }
      threads { ops { path: "d" } }
      threads { ops { path: "d" } } }
    preemptions { step: 3 thread: 2 }
    preemptions { step: 9 thread: 1 })",
                                                &s);
  return s;
}

Execution sample_finding() {
  Execution e;
  e.found = true;
  e.kind = FindingKind::hung_task;
  e.title = "INFO: task hung in d_wait_lookup";
  e.details =
      "T1: finished stat(\"d\")\n"
      "T2: blocked in d_wait_lookup on d_flags of dentry /d <in lookup>\n"
      "    holds: i_rwsem of / (shared)\n";
  e.steps = 14;
  e.trace = {
      {1, 0, "lookup_slow", "lock shared", "i_rwsem of /", EventKind::lock},
      {2, 0, "d_alloc_parallel", "set PAR_LOOKUP", "dentry /d", EventKind::state},
      {3, 0, "d_alloc_parallel", "insert in-lookup hash", "dentry /d", EventKind::state},
      {4, 1, "lookup_slow", "lock shared", "i_rwsem of /", EventKind::lock},
      {5, 1, "d_alloc_parallel", "lock", "d_lock of dentry /d", EventKind::lock},
      {6, 1, "d_wait_lookup", "set LOOKUP_WAITERS", "dentry /d", EventKind::state},
      {7, 1, "d_wait_lookup", "sleep", "d_flags of dentry /d", EventKind::sleep},
      {10, 0, "__d_move", "lock", "d_lock of dentry /d", EventKind::lock},
      {11, 0, "__d_move", "clear PAR_LOOKUP", "dentry /d", EventKind::lookup_end},
      {12, 0, "__d_move", "wake", "d_flags of dentry / <disconnected alias>", EventKind::wake},
      {13, 0, "lookup_slow", "unlock shared", "i_rwsem of /", EventKind::unlock},
  };
  return e;
}

}  // namespace testing
namespace {

using testing::sample_finding;
using testing::sample_schedule;

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Report, HasEverySection) {
  const std::string r = format_report(sample_schedule(), sample_finding());
  EXPECT_EQ(first_line(r), "INFO: task hung in d_wait_lookup");
  for (const char* section :
       {"kernel:     v4 (2/7, 6/7 and 7/7 as posted: both bugs)", "filesystem: plain",
        "  /d/  directory, with a disconnected alias", "  T1: stat(\"d\")", "  T2: stat(\"d\")",
        "state when it fired:", "    holds: i_rwsem of / (shared)",
        "interleaving: 14 scheduling steps", "----- preemption at step 3: T2 runs -----",
        "----- preemption at step 9: T1 runs -----", "schedule (save it as schedule.textproto):",
        "dcfuzz replay schedule.textproto", "OUT/<bucket>/schedule.textproto"}) {
    EXPECT_TRUE(contains(r, section)) << "missing: " << section << "\n" << r;
  }
}

size_t count_marks(const std::string& report) {
  size_t marks = 0;
  for (size_t at = report.find("\n>>>"); at != std::string::npos;
       at = report.find("\n>>>", at + 1)) {
    ++marks;
  }
  return marks;
}

TEST(Report, MarksTheFatalEvents) {
  // A hang: where each blocked thread went to sleep.
  const std::string hang = format_report(sample_schedule(), sample_finding());
  EXPECT_TRUE(contains(hang, "\n>>>     7  T2   d_wait_lookup              sleep")) << hang;
  EXPECT_EQ(count_marks(hang), 1u);
  // Anything else: the last event, where the detector fired.
  Execution unlock = sample_finding();
  unlock.kind = FindingKind::bad_unlock_balance;
  unlock.title = "WARNING: bad unlock balance detected!";
  const std::string bad = format_report(sample_schedule(), unlock);
  EXPECT_TRUE(contains(bad, "\n>>>    13  T1   lookup_slow                unlock shared")) << bad;
  EXPECT_EQ(count_marks(bad), 1u);
  // A lost wakeup: the sleeper, the clearing of PAR_LOOKUP, the detector.
  Execution lost = sample_finding();
  lost.kind = FindingKind::lost_wakeup;
  lost.title = "BUG: lost wakeup in __d_move";
  const std::string wake = format_report(sample_schedule(), lost);
  EXPECT_TRUE(contains(wake, "\n>>>     7  T2")) << wake;
  EXPECT_TRUE(contains(wake, "\n>>>    11  T1   __d_move                   clear PAR_LOOKUP"))
      << wake;
  EXPECT_TRUE(contains(wake, "\n>>>    13  T1")) << wake;
  EXPECT_EQ(count_marks(wake), 3u);
}

TEST(Report, PreemptionRuleSitsWhereTheThreadChanges) {
  const std::string r = format_report(sample_schedule(), sample_finding());
  const size_t rule = r.find("preemption at step 3");
  EXPECT_LT(r.find("     3  T1"), rule);
  EXPECT_GT(r.find("     4  T2"), rule);
}

TEST(Report, IsDeterministicAndFreeOfAddresses) {
  const std::string a = format_report(sample_schedule(), sample_finding());
  const std::string b = format_report(sample_schedule(), sample_finding());
  EXPECT_EQ(a, b);
  EXPECT_FALSE(contains(a, "0x"));
}

TEST(Report, ScheduleInTheReportReplaysTheSame) {
  const std::string r = format_report(sample_schedule(), sample_finding());
  const std::string head = "schedule.textproto):\n";
  const size_t begin = r.find(head) + head.size();
  const std::string text = r.substr(begin, r.find("\nreplay:") - begin);
  pb::Schedule parsed;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &parsed)) << text;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, sample_schedule()));
}

TEST(Report, CleanRun) {
  Execution clean;
  clean.steps = 5;
  const std::string r = format_report(sample_schedule(), clean);
  EXPECT_EQ(first_line(r), "no finding");
  EXPECT_FALSE(contains(r, ">>>"));
  EXPECT_FALSE(contains(r, "state when it fired"));
}

TEST(BucketName, StableAndSafe) {
  EXPECT_EQ(bucket_name("WARNING: bad unlock balance detected!"),
            "warning-bad-unlock-balance-detected");
  EXPECT_EQ(bucket_name("INFO: task hung in d_wait_lookup"), "info-task-hung-in-d_wait_lookup");
  EXPECT_EQ(bucket_name("BUG: lost wakeup in __d_move"), "bug-lost-wakeup-in-__d_move");
  EXPECT_EQ(bucket_name("???"), "finding");
  EXPECT_EQ(bucket_name("INFO: task hung in d_wait_lookup"),
            bucket_name("INFO: task hung in d_wait_lookup"));
  const std::string long_name = bucket_name(std::string(200, 'x') + " y");
  EXPECT_EQ(long_name.size(), 80u);
  EXPECT_NE(bucket_name("a: " + std::string(77, 'b') + " c").back(), '-');
  for (char c : bucket_name("Ünïcödé / slashes \\ and .. dots")) {
    EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') << c;
  }
}

// ---- Real findings, through the binary ----

TEST(ReportEndToEnd, RegressionReproducersReportTheSameBytesEveryTime) {
  const std::string file =
      testing::source_path("corpus/regressions/wrong-waiter-alias-splice.textproto");
  if (testing::slurp(file).empty()) GTEST_SKIP() << "no regression reproducer yet";
  auto first = testing::run_dcfuzz("replay " + file);
  ASSERT_EQ(first.exit_code, 1) << first.err;
  auto again = testing::run_dcfuzz("replay " + file);
  EXPECT_EQ(again.out, first.out);
  for (const char* section :
       {"kernel:", "threads:", "interleaving:", ">>>", "schedule (save", "dcfuzz replay"}) {
    EXPECT_TRUE(contains(first.out, section)) << section << "\n" << first.out;
  }
  auto fixed = testing::run_dcfuzz("replay --kernel v4-fixed " + file);
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out;
  EXPECT_EQ(first_line(fixed.out), "no finding");
}

}  // namespace
}  // namespace dcfuzz
