// Bounded exhaustive search finds shallow bugs and covers every schedule.
#include "schedules/bounded_search.h"

#include <gtest/gtest.h>

#include "schedules/replay.h"
#include "tests/toy_programs.h"

namespace dcfuzz {
namespace {

TEST(BoundedSearch, FindsLockInversionWithOnePreemption) {
  auto program = toy::make_lock_inversion();
  EXPECT_FALSE(bounded_search(*program, pb::Schedule(), 0, 1000).found);
  SearchResult result = bounded_search(*program, pb::Schedule(), 1, 1000);
  ASSERT_TRUE(result.found);
  EXPECT_EQ(result.execution.recorded.preemptions_size(), 1);
  // The recorded finding replays to the same title.
  ReplayStrategy replay(result.execution.recorded);
  Execution again = run_program(*program, replay);
  EXPECT_TRUE(again.found);
  EXPECT_EQ(again.title, result.execution.title);
}

TEST(BoundedSearch, CorrectProgramIsCleanAndSearchIsComplete) {
  auto program = toy::make_counter(2, 2);
  SearchResult result = bounded_search(*program, pb::Schedule(), 2, 100000);
  EXPECT_FALSE(result.found) << result.execution.title;
  EXPECT_TRUE(result.complete);
  EXPECT_GT(result.executions, 10u);
}

}  // namespace
}  // namespace dcfuzz
