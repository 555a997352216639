// Bug paths (reports/bug_path.h): each regression reproducer classifies to
// its own path, on the kernels that have its bug; the same schedule on a
// fixed kernel is no finding, and other findings are "other".
#include "reports/bug_path.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/reproducers.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

// The path each shipped reproducer takes, by file.
BugPath expected_path(const std::string& file) {
  if (file == "wrong-waiter-alias-splice.textproto") return BugPath::wrong_waiter;
  if (file == "add-ci-not-in-lookup.textproto") return BugPath::add_ci_not_in_lookup;
  if (file == "add-ci-alloc-parallel-enomem.textproto") return BugPath::add_ci_parallel_enomem;
  if (file == "add-ci-d-alloc-enomem.textproto") return BugPath::add_ci_d_alloc_enomem;
  return BugPath::none;
}

pb::Schedule load(const char* file) {
  pb::Schedule schedule;
  std::string error;
  EXPECT_TRUE(load_schedule(testing::source_path(std::string("corpus/regressions/") + file),
                            &schedule, &error))
      << error;
  return schedule;
}

TEST(BugPath, EachReproducerClassifiesToItsOwnPath) {
  std::set<BugPath> seen;
  for (const auto& r : testing::kReproducers) {
    const BugPath path = expected_path(r.file);
    ASSERT_NE(path, BugPath::none) << r.file << ": which path does it take?";
    seen.insert(path);
    pb::Schedule schedule = load(r.file);
    const Execution e = run_schedule(schedule);
    ASSERT_TRUE(e.found) << r.file;
    EXPECT_EQ(std::string(bug_path_name(classify_bug_path(schedule, e))), bug_path_name(path))
        << r.file;
    // The canonical form of the execution classifies the same.
    EXPECT_EQ(classify_bug_path(canonical_schedule(schedule, e), e), path) << r.file;
  }
  EXPECT_EQ(seen.size(), std::size(kBugPaths));  // one reproducer per path
}

TEST(BugPath, SameScheduleOnTheFixedKernelIsNoFinding) {
  for (const auto& r : testing::kReproducers) {
    pb::Schedule schedule = load(r.file);
    schedule.mutable_scenario()->set_kernel(pb::V4_FIXED);
    EXPECT_EQ(classify_bug_path(schedule, run_schedule(schedule)), BugPath::none) << r.file;
  }
}

TEST(BugPath, AnotherBugIsOther) {
  // Any other title, or an unlock balance report that names no thread.
  Execution e;
  e.found = true;
  e.kind = FindingKind::hung_task;
  e.title = "INFO: task hung in d_wait_lookup";
  EXPECT_EQ(classify_bug_path(pb::Schedule(), e), BugPath::other);
  e.kind = FindingKind::bad_unlock_balance;
  e.title = "WARNING: bad unlock balance detected!";
  e.details = "no thread named here\n";
  e.thread = -1;
  EXPECT_EQ(classify_bug_path(pb::Schedule(), e), BugPath::other);
}

TEST(BugPath, NamesRoundTrip) {
  for (BugPath p : kBugPaths) {
    BugPath back = BugPath::none;
    ASSERT_TRUE(bug_path_from_name(bug_path_name(p), &back));
    EXPECT_EQ(back, p);
  }
  BugPath unused;
  EXPECT_FALSE(bug_path_from_name("no-such-path", &unused));
}

}  // namespace
}  // namespace dcfuzz
