// POS finds the toy lock inversion on some seeds, not all, every finding
// replays from its recording, and it never fires on a correct program.
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
