// POS finds the toy lock inversion on some seeds, not all, every finding
// replays from its recording, and it never fires on a correct program; with
// fault_one_in it fails allocations as random walk and PCT do, so it reaches a
// bug that only an error path of a failed allocation has.
#include "schedules/pos.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "schedules/engine.h"
#include "schedules/replay.h"
#include "testing/toy_programs.h"

namespace dcfuzz {
namespace {

constexpr uint64_t kSeeds = 200;

TEST(Pos, FindsLockInversionAndReplaysFromRecording) {
  auto program = toy::make_lock_inversion();
  uint64_t found = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    PosStrategy pos(seed);
    Execution e = run_program(*program, pos);
    if (!e.found) continue;
    ++found;
    ReplayStrategy replay(e.recorded);
    Execution again = run_program(*program, replay);
    EXPECT_TRUE(again.found);
    EXPECT_EQ(again.title, e.title);
  }
  EXPECT_GT(found, 0u);
  EXPECT_LT(found, kSeeds);
}

TEST(Pos, NeverFiresOnACorrectProgramYetVariesItsSchedules) {
  auto program = toy::make_counter(3, 2);
  std::set<std::string> schedules;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    PosStrategy pos(seed);
    Execution e = run_program(*program, pos);
    EXPECT_FALSE(e.found) << "seed " << seed << ": " << e.title;
    schedules.insert(e.recorded.SerializeAsString());
  }
  EXPECT_GT(schedules.size(), 20u);
}

TEST(Pos, FailsAllocationsWhenAskedAndReachesAnErrorPathBug) {
  auto program = toy::make_leak_on_enomem();
  uint64_t found = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    PosStrategy pos(seed, /*fault_one_in=*/10);
    Execution e = run_program(*program, pos);
    if (!e.found) continue;
    ++found;
    EXPECT_EQ(e.title, "BUG: reference leaked on -ENOMEM (toy)");
    ASSERT_EQ(e.recorded.faults_size(), 1) << "seed " << seed;  // the fault is in the schedule
    ReplayStrategy replay(e.recorded);
    Execution again = run_program(*program, replay);
    EXPECT_TRUE(again.found) << "seed " << seed;
    EXPECT_EQ(again.title, e.title);
  }
  // About one execution in five fails one of its two allocations.
  EXPECT_GT(found, 10u);
  EXPECT_LT(found, kSeeds);
}

TEST(Pos, FailsNoAllocationByDefault) {
  auto program = toy::make_leak_on_enomem();
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    PosStrategy pos(seed);
    Execution e = run_program(*program, pos);
    EXPECT_FALSE(e.found) << "seed " << seed << ": " << e.title;
  }
}

// The engine's random choices: mostly the default, sometimes another value,
// always in range, the same for a seed.
TEST(Pos, DrawsRandomChoicesInRange) {
  PosStrategy pos(7), again(7);
  int non_zero = 0;
  for (uint32_t call = 0; call < 1000; ++call) {
    const uint32_t v = pos.pick_value(call, 3);
    EXPECT_LT(v, 3u);
    EXPECT_EQ(v, again.pick_value(call, 3));
    non_zero += v != 0;
  }
  EXPECT_GT(non_zero, 20);
  EXPECT_LT(non_zero, 300);
}

TEST(Pos, DeterministicForASeed) {
  auto program = toy::make_counter(3, 2);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    PosStrategy first(seed), second(seed);
    EXPECT_EQ(run_program(*program, first).recorded.SerializeAsString(),
              run_program(*program, second).recorded.SerializeAsString())
        << "seed " << seed;
  }
}

}  // namespace
}  // namespace dcfuzz
