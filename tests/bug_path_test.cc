// Bug paths (reports/bug_path.h): each regression reproducer classifies to
// its own path, on the kernels that have its bug; the same schedule on a
// fixed kernel is no finding, and other findings are "other".
#include "reports/bug_path.h"

#include <gtest/gtest.h>

#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

struct Case {
  const char* file;
  BugPath path;
};

const Case kCases[] = {
    {"wrong-waiter-alias-splice.textproto", BugPath::wrong_waiter},
    {"add-ci-not-in-lookup.textproto", BugPath::add_ci_not_in_lookup},
    {"add-ci-alloc-parallel-enomem.textproto", BugPath::add_ci_parallel_enomem},
    {"add-ci-d-alloc-enomem.textproto", BugPath::add_ci_d_alloc_enomem},
};

pb::Schedule load(const char* file) {
  pb::Schedule schedule;
  std::string error;
  EXPECT_TRUE(load_schedule(testing::source_path(std::string("corpus/regressions/") + file),
                            &schedule, &error))
      << error;
  return schedule;
}

TEST(BugPath, EachReproducerClassifiesToItsOwnPath) {
  for (const Case& c : kCases) {
    pb::Schedule schedule = load(c.file);
    const Execution e = run_schedule(schedule);
    ASSERT_TRUE(e.found) << c.file;
    EXPECT_EQ(bug_path_name(classify_bug_path(schedule, e)), std::string(bug_path_name(c.path)))
        << c.file;
    // The canonical form of the execution classifies the same.
    EXPECT_EQ(classify_bug_path(canonical_schedule(schedule, e), e), c.path) << c.file;
  }
}

TEST(BugPath, SameScheduleOnTheFixedKernelIsNoFinding) {
  for (const Case& c : kCases) {
    pb::Schedule schedule = load(c.file);
    schedule.mutable_scenario()->set_kernel(pb::V4_FIXED);
    EXPECT_EQ(classify_bug_path(schedule, run_schedule(schedule)), BugPath::none) << c.file;
  }
}

TEST(BugPath, AnotherBugIsOther) {
  // Any other title, or an unlock balance report that names no thread.
  Execution e;
  e.found = true;
  e.title = "INFO: task hung in d_wait_lookup";
  EXPECT_EQ(classify_bug_path(pb::Schedule(), e), BugPath::other);
  e.title = "WARNING: bad unlock balance detected!";
  e.details = "no thread named here\n";
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
