// Relacy's own searches: they find the toys' bugs and the v4 regressions from
// the bare scenarios, every finding replays from its recording, and the
// fixed kernels explore clean, completely, to bound 2.
#include "schedules/relacy_search.h"

#include <gtest/gtest.h>

#include <string>

#include "core/model.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "testing/toy_programs.h"
#include "tests/reproducers.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

constexpr uint64_t kLimit = 200000;

// The recorded finding replays, under our scheduler, to the same title.
void expect_replays(Program& program, const SearchResult& result) {
  ASSERT_TRUE(result.found);
  ReplayStrategy replay(result.execution.recorded);
  Execution again = run_program(program, replay);
  EXPECT_TRUE(again.found);
  EXPECT_EQ(again.title, result.execution.title);
}

TEST(RelacySearch, LockInversionNeedsOnePreemption) {
  auto program = toy::make_lock_inversion();
  SearchResult none = relacy_search(*program, pb::Schedule(), SearchKind::context_bound, 0, kLimit);
  EXPECT_FALSE(none.found) << none.execution.title;
  EXPECT_TRUE(none.complete);
  SearchResult one = relacy_search(*program, pb::Schedule(), SearchKind::context_bound, 1, kLimit);
  expect_replays(*program, one);
  EXPECT_EQ(one.execution.title, "INFO: task hung: every task blocked (engine deadlock)");
  EXPECT_FALSE(one.complete);
  expect_replays(*program, relacy_search(*program, pb::Schedule(), SearchKind::full, 0, kLimit));
}

// Relacy's choice of the store a relaxed load reads is explored and recorded.
TEST(RelacySearch, LostWakeupReplaysWithItsChoices) {
  auto program = toy::make_lost_wakeup();
  SearchResult result =
      relacy_search(*program, pb::Schedule(), SearchKind::context_bound, 1, kLimit);
  expect_replays(*program, result);
  EXPECT_EQ(result.execution.title, "BUG: lost wakeup (toy)");
}

TEST(RelacySearch, CorrectProgramIsCleanAndComplete) {
  auto program = toy::make_counter(2, 2);
  SearchResult bounded =
      relacy_search(*program, pb::Schedule(), SearchKind::context_bound, 2, kLimit);
  EXPECT_FALSE(bounded.found) << bounded.execution.title;
  EXPECT_TRUE(bounded.complete);
  EXPECT_GT(bounded.executions, 10u);
  SearchResult full = relacy_search(*program, pb::Schedule(), SearchKind::full, 0, kLimit);
  EXPECT_FALSE(full.found) << full.execution.title;
  EXPECT_TRUE(full.complete);
  EXPECT_GT(full.executions, bounded.executions);
}

TEST(RelacySearch, StopsAtTheExecutionLimit) {
  auto program = toy::make_counter(3, 2);
  SearchResult result = relacy_search(*program, pb::Schedule(), SearchKind::full, 0, 7);
  EXPECT_FALSE(result.found);
  EXPECT_FALSE(result.complete);
  EXPECT_EQ(result.executions, 7u);
}

TEST(RelacySearch, RelacyRandomBaselineRuns) {
  auto program = toy::make_counter(2, 2);
  EXPECT_EQ(run_program_relacy_random(*program, 500), 500u);
}

// The regression reproducers with their interleavings taken out: what is
// left is the scenario and, for the -enomem ones, the failing allocation.
using testing::Reproducer;

pb::Schedule bare_scenario(const Reproducer& r, pb::Kernel kernel) {
  pb::Schedule schedule;
  std::string error;
  EXPECT_TRUE(load_schedule(testing::source_path(std::string("corpus/regressions/") + r.file),
                            &schedule, &error))
      << error;
  schedule.clear_preemptions();
  schedule.clear_choices();
  schedule.mutable_scenario()->set_kernel(kernel);
  return schedule;
}

class RelacySearchRegression : public ::testing::TestWithParam<Reproducer> {};

TEST_P(RelacySearchRegression, FindsTheBugOnV4AndTheFindingReplays) {
  const pb::Schedule base = bare_scenario(GetParam(), pb::V4);
  auto program = make_dcache_program(to_scenario(base.scenario()));
  SearchResult result = relacy_search(*program, base, SearchKind::context_bound, 2, kLimit);
  ASSERT_TRUE(result.found) << result.executions << " executions";
  EXPECT_EQ(result.execution.title, GetParam().title);
  Execution again = run_schedule(canonical_schedule(base, result.execution));
  EXPECT_EQ(again.title, GetParam().title);
}

TEST_P(RelacySearchRegression, FixedKernelsExploreCleanToBoundTwo) {
  for (pb::Kernel kernel : {pb::V4_FIXED, pb::MAINLINE}) {
    const pb::Schedule base = bare_scenario(GetParam(), kernel);
    auto program = make_dcache_program(to_scenario(base.scenario()));
    SearchResult result = relacy_search(*program, base, SearchKind::context_bound, 2, kLimit);
    EXPECT_FALSE(result.found) << pb::Kernel_Name(kernel) << ": " << result.execution.title;
    EXPECT_TRUE(result.complete) << pb::Kernel_Name(kernel) << ": " << result.executions;
  }
}

INSTANTIATE_TEST_SUITE_P(Reproducers, RelacySearchRegression,
                         ::testing::ValuesIn(testing::kReproducers), testing::reproducer_test_name);

// The lock-drop reproducers: the search finds the bug on their own kernel
// (v4-fixed) and explores mainline clean to bound 2.
class RelacySearchLockDrop : public ::testing::TestWithParam<testing::LockDropReproducer> {};

pb::Schedule bare_lock_drop_scenario(const testing::LockDropReproducer& r, pb::Kernel kernel) {
  return bare_scenario(Reproducer{r.file, r.title, false}, kernel);
}

TEST_P(RelacySearchLockDrop, FindsTheBugOnV4FixedAndMainlineExploresClean) {
  const pb::Schedule fixed = bare_lock_drop_scenario(GetParam(), pb::V4_FIXED);
  auto program = make_dcache_program(to_scenario(fixed.scenario()));
  SearchResult result = relacy_search(*program, fixed, SearchKind::context_bound, 2, kLimit);
  ASSERT_TRUE(result.found) << result.executions << " executions";
  EXPECT_EQ(result.execution.title, GetParam().title);
  EXPECT_EQ(run_schedule(canonical_schedule(fixed, result.execution)).title, GetParam().title);

  const pb::Schedule mainline = bare_lock_drop_scenario(GetParam(), pb::MAINLINE);
  auto clean = make_dcache_program(to_scenario(mainline.scenario()));
  SearchResult none = relacy_search(*clean, mainline, SearchKind::context_bound, 2, kLimit);
  EXPECT_FALSE(none.found) << none.execution.title;
  EXPECT_TRUE(none.complete) << none.executions;
}

INSTANTIATE_TEST_SUITE_P(Reproducers, RelacySearchLockDrop,
                         ::testing::ValuesIn(testing::kLockDropReproducers),
                         testing::lock_drop_test_name);

}  // namespace
}  // namespace dcfuzz
